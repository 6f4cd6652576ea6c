/**
 * The S3 clients under comparison, each able to run `n` GetObject calls of one key with at most
 * `concurrency` in flight, reading every body whole into memory (as a caller that wants the bytes
 * would). Built once per benchmark; only `run` is measured.
 *
 * - ours: `S3.getObject` + `Body.bytes(out.Body)` through the default Node transport, the calls
 *   in one `Effect.forEach(..., { concurrency })` on a `ManagedRuntime` holding the client layer;
 * - `@aws-sdk/client-s3` (v3): `S3Client.send(GetObjectCommand)` + `Body.transformToByteArray()`,
 *   its default Node handler (keep-alive agent), path style;
 * - `@aws-lite/client` + `@aws-lite/s3`: `aws.S3.GetObject`, keep-alive turned on (it turns it
 *   off for local endpoints by default);
 * - `aws4fetch`: `AwsClient.fetch` over Node's global `fetch` + `arrayBuffer()`.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"

export interface Target {
  readonly endpoint: string
  readonly bucket: string
  readonly key: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** The body size every GetObject must return (checked on the first call). */
  readonly bytes: number
}

export interface BenchClient {
  readonly name: string
  /** n calls, at most `concurrency` in flight. */
  readonly run: (n: number, concurrency: number) => Promise<void>
  readonly close: () => Promise<void>
}

export const OURS = "ours"
/** Ours, reading the body with `Stream.runCollect` instead of `Body.bytes` (not in ALL). */
export const OURS_STREAM = "ours-stream"
export const V3 = "@aws-sdk/client-s3"
export const LITE = "@aws-lite/client"
export const AWS4FETCH = "aws4fetch"
export const ALL = [OURS, V3, LITE, AWS4FETCH] as const

const pool = async (n: number, concurrency: number, one: () => Promise<unknown>): Promise<void> => {
  let started = 0
  const worker = async () => {
    while (started < n) {
      started++
      await one()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
}

const checked = (name: string, expected: number) => {
  let done = false
  return (length: number) => {
    if (done) return
    if (length !== expected) throw new Error(`${name}: GetObject returned ${length} bytes, not ${expected}`)
    done = true
  }
}

export const makeOurs = async (t: Target, viaStream = false): Promise<BenchClient> => {
  const session = Session.layerWithoutTransport({
    region: "us-east-1",
    endpoint: t.endpoint,
    credentials: Credentials.fromStatic(
      Credentials.make({ accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey })
    ),
    s3: { forcePathStyle: true }
  }).pipe(Layer.provide(NodeTransport.layer()))
  const runtime = ManagedRuntime.make(S3.layer().pipe(Layer.provide(session)))
  const name = viaStream ? OURS_STREAM : OURS
  const check = checked(name, t.bytes)
  const read = viaStream
    ? (body: Stream.Stream<Uint8Array, unknown> | undefined) =>
        Effect.map(Stream.runCollect(body ?? Stream.empty), (c) => Chunk.reduce(c, 0, (n, b) => n + b.length))
    : (body: Stream.Stream<Uint8Array, unknown> | undefined) => Effect.map(Body.bytes(body), (b) => b.length)
  const one = Effect.scoped(
    Effect.flatMap(S3.getObject({ Bucket: t.bucket, Key: t.key }), (out) => Effect.map(read(out.Body), check))
  )
  return {
    name,
    run: (n, concurrency) =>
      runtime.runPromise(
        Effect.forEach(Array.from({ length: n }), () => one, { concurrency, discard: true })
      ),
    close: () => runtime.dispose()
  }
}

export const makeV3 = async (t: Target): Promise<BenchClient> => {
  const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3")
  const client = new S3Client({
    region: "us-east-1",
    endpoint: t.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey }
  })
  const check = checked(V3, t.bytes)
  const one = async () => {
    const out = await client.send(new GetObjectCommand({ Bucket: t.bucket, Key: t.key }))
    check((await out.Body!.transformToByteArray()).length)
  }
  return {
    name: V3,
    run: (n, concurrency) => pool(n, concurrency, one),
    close: async () => client.destroy()
  }
}

type LiteFactory = (
  config: Record<string, unknown>
) => Promise<{ S3: { GetObject: (input: Record<string, unknown>) => Promise<{ Body: Uint8Array }> } }>

export const makeLite = async (t: Target): Promise<BenchClient> => {
  // a CommonJS package: its function is the default export of the ESM namespace
  const awsLite = ((await import("@aws-lite/client")) as unknown as { default: LiteFactory }).default
  // @aws-lite/s3 ships no types: imported through a name TypeScript does not resolve
  const s3Plugin: string = "@aws-lite/s3"
  const aws = await awsLite({
    region: "us-east-1",
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    endpoint: t.endpoint,
    keepAlive: true,
    autoloadPlugins: false,
    plugins: [import(s3Plugin)]
  })
  const check = checked(LITE, t.bytes)
  const one = async () => {
    const out = await aws.S3.GetObject({ Bucket: t.bucket, Key: t.key })
    check(out.Body.length)
  }
  return { name: LITE, run: (n, concurrency) => pool(n, concurrency, one), close: async () => {} }
}

export const makeAws4fetch = async (t: Target): Promise<BenchClient> => {
  const { AwsClient } = await import("aws4fetch")
  const aws = new AwsClient({
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    service: "s3",
    region: "us-east-1"
  })
  const url = `${t.endpoint}/${t.bucket}/${t.key.split("/").map(encodeURIComponent).join("/")}`
  const check = checked(AWS4FETCH, t.bytes)
  const one = async () => {
    const res = await aws.fetch(url)
    if (res.status !== 200) throw new Error(`aws4fetch: HTTP ${res.status}: ${await res.text()}`)
    check((await res.arrayBuffer()).byteLength)
  }
  return { name: AWS4FETCH, run: (n, concurrency) => pool(n, concurrency, one), close: async () => {} }
}

export const makeClient = (name: string, t: Target): Promise<BenchClient> =>
  name === OURS
    ? makeOurs(t)
    : name === OURS_STREAM
      ? makeOurs(t, true)
      : name === V3
        ? makeV3(t)
        : name === LITE
          ? makeLite(t)
          : name === AWS4FETCH
            ? makeAws4fetch(t)
            : Promise.reject(new Error(`unknown client ${name}`))
