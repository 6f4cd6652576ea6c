/**
 * The SDK's own cost per call, without a network: GetObject through our pipeline over an
 * in-memory transport that answers at once, next to v3 over an in-memory request handler.
 * For finding what costs the time (profile it), not a benchmark of record.
 * `node bench/.pipeline.mjs` after `esbuild` (see bench/lib/build.ts), or via
 * `npx tsx bench/tools/run-compiled.ts bench/tools/pipeline.ts [calls] [concurrency] [which]`.
 */
import { Readable } from "node:stream"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import * as Body from "../../src/Request/Body.js"
import { Transport } from "../../src/Request/Transport.js"
import * as S3 from "../../src/Services/S3/index.js"
import { answering, session } from "../lib/offline.js"

const calls = Number(process.argv[2] ?? 20_000)
const concurrency = Number(process.argv[3] ?? 32)
const which = process.argv[4] ?? "both"
const body = Buffer.alloc(1024, "x")
const headers = {
  "x-amz-id-2": "ef8yU9AS1ed4OpIszj7UDNEHGran",
  "x-amz-request-id": "318BC8BC148832E5",
  date: new Date().toUTCString(),
  "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT",
  etag: '"fba9dede5f27731c9771645a39863328"',
  "accept-ranges": "bytes",
  "content-type": "application/octet-stream",
  "content-length": "1024",
  server: "AmazonS3"
}

const measure = async (name: string, run: (n: number) => Promise<void>) => {
  await run(Math.min(calls, 5000))
  const cpu0 = process.cpuUsage()
  await run(calls)
  const cpu = process.cpuUsage(cpu0)
  console.log(`${name}: ${((cpu.user + cpu.system) / calls).toFixed(1)} µs CPU/call`)
}

if (which === "both" || which === "ours") {
  const transport = answering(headers, body)
  const runtime = ManagedRuntime.make(
    S3.layer().pipe(Layer.provide(session(transport)), Layer.merge(Layer.succeed(Transport, transport)))
  )
  const one = Effect.scoped(
    Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "data/object-1k.bin" }), (out) =>
      Effect.map(Stream.runCollect(out.Body ?? Stream.empty), (c) => Chunk.size(c))
    )
  )
  const viaBody = Effect.scoped(
    Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "data/object-1k.bin" }), (out) =>
      Body.bytes(out.Body)
    )
  )
  const unread = Effect.scoped(S3.getObject({ Bucket: "bench", Key: "data/object-1k.bin" }))
  const headObject = S3.headObject({ Bucket: "bench", Key: "data/object-1k.bin" })
  for (const [name, effect] of [
    ["ours (in-memory transport), body read with Stream.runCollect", one],
    ["ours (in-memory transport), body read with Body.bytes", viaBody],
    ["ours (in-memory transport), body not read", unread],
    ["ours (in-memory transport), HeadObject", headObject]
  ] as const) {
    await measure(name, (n) =>
      runtime.runPromise(
        Effect.forEach(Array.from({ length: n }), () => effect as Effect.Effect<unknown, unknown>, {
          concurrency,
          discard: true
        })
      )
    )
  }
  await runtime.dispose()
}

if (which === "both" || which === "v3") {
  const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3")
  const { HttpResponse } = await import("@smithy/core/transport")
  const client = new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    forcePathStyle: true,
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({ statusCode: 200, headers: { ...headers }, body: Readable.from([body]) })
      })
    }
  })
  const one = async () => {
    const out = await client.send(new GetObjectCommand({ Bucket: "bench", Key: "data/object-1k.bin" }))
    await out.Body!.transformToByteArray()
  }
  await measure("v3 (in-memory handler)", async (n) => {
    let started = 0
    const worker = async () => {
      while (started < n) {
        started++
        await one()
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  })
}
