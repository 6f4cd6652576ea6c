/**
 * One GetObject with our SDK, as a fresh program would do it (cold start, bundle size and peak
 * memory benchmarks): build the S3 client over the default Node transport, sign and send one
 * request to BENCH_ENDPOINT, read the body. With BENCH_CALLS / BENCH_CONCURRENCY it makes that many
 * calls instead, then prints its peak RSS (memory benchmark).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"
import { report } from "./report.js"

const endpoint = process.env.BENCH_ENDPOINT ?? "http://127.0.0.1:9000"
const calls = Number(process.env.BENCH_CALLS ?? 1)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1)

const session = Session.layerWithoutTransport({
  region: "us-east-1",
  endpoint,
  credentials: Credentials.fromStatic(
    Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" })
  ),
  s3: { forcePathStyle: true }
}).pipe(Layer.provide(NodeTransport.layer()))

const one = Effect.scoped(
  Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "data/object-1k.bin" }), (out) => Body.bytes(out.Body))
)
const program = Effect.forEach(Array.from({ length: calls }), () => one, { concurrency, discard: true })

Effect.runPromise(program.pipe(Effect.provide(S3.layer()), Effect.provide(session))).then(report, (e) => {
  console.error(e)
  process.exit(1)
})
