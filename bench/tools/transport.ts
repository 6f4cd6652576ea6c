/**
 * The cost of our Node transport alone, against the fixed-response server: `send` + reading the
 * body whole (`bytes`) or as a `Stream`, next to a bare `node:http` keep-alive loop.
 * `npx tsx bench/tools/run-compiled.ts bench/tools/transport.ts [calls] [concurrency] [raw|bytes|stream]`
 */
import * as http from "node:http"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import type { HttpRequest } from "../../src/Request/Transport.js"
import { startFixedServer } from "../lib/servers.js"

const calls = Number(process.argv[2] ?? 10_000)
const concurrency = Number(process.argv[3] ?? 32)
const only = process.argv[4] // raw | bytes | stream
const server = await startFixedServer(1024)
const port = Number(new URL(server.endpoint).port)
const request: HttpRequest = {
  method: "GET",
  protocol: "http:",
  hostname: "127.0.0.1",
  port,
  path: "/bench/data/object-1k.bin",
  query: [],
  headers: {
    "user-agent": "x",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "x-amz-date": "20240101T000000Z",
    "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
  },
  body: undefined
}

const measure = async (name: string, run: (n: number) => Promise<void>) => {
  await run(2000)
  const cpu0 = process.cpuUsage()
  await run(calls)
  const cpu = process.cpuUsage(cpu0)
  console.log(`${name.padEnd(40)} ${((cpu.user + cpu.system) / calls).toFixed(1)} µs CPU/call`)
}

try {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 })
  const rawOne = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { agent, hostname: "127.0.0.1", port, path: request.path, method: "GET", headers: request.headers },
        (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () => resolve())
        }
      )
      req.on("error", reject)
      req.end()
    })
  const pool = async (n: number, one: () => Promise<void>) => {
    let started = 0
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < n) {
          started++
          await one()
        }
      })
    )
  }
  for (let i = 0; i < 2; i++) {
    if (only === undefined || only === "raw") await measure("raw node:http", (n) => pool(n, rawOne))
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const t = yield* NodeTransport.make()
          const viaBytes = Effect.scoped(Effect.flatMap(t.send(request, {}), (r) => r.bytes))
          const viaStream = Effect.scoped(
            Effect.flatMap(t.send(request, {}), (r) => Stream.runCollect(r.stream))
          )
          const run = (one: Effect.Effect<unknown, unknown>) => (n: number) =>
            Effect.runPromise(
              Effect.forEach(Array.from({ length: n }), () => one, { concurrency, discard: true }).pipe(
                Effect.orDie
              )
            )
          if (only === undefined || only === "bytes")
            yield* Effect.promise(() => measure("NodeTransport send + bytes", run(viaBytes)))
          if (only === undefined || only === "stream")
            yield* Effect.promise(() => measure("NodeTransport send + stream", run(viaStream)))
        })
      )
    )
  }
} finally {
  server.stop()
}
