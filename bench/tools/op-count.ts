/**
 * How many Effect operations one call executes (each costs a run-loop turn and a closure):
 * GetObject + Body.bytes and HeadObject over an in-memory transport, counted by a supervisor with
 * op supervision on. `npx tsx bench/tools/run-compiled.ts bench/tools/op-count.ts`
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import { withWholeBody } from "../../src/Request/Body.js"
import type { TransportService } from "../../src/Request/Transport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"
import { countOps } from "../lib/op-counter.js"

const trace = process.argv.includes("--trace")

const body = new Uint8Array(1024)
const transport: TransportService = {
  send: () =>
    Effect.succeed({
      status: 200,
      headers: { "content-length": "1024", etag: '"x"', "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT" },
      bytes: Effect.succeed(body),
      stream: withWholeBody(Stream.succeed(body), Effect.succeed(body))
    })
}
const session = Session.layerWith({
  region: "us-east-1",
  endpoint: "http://127.0.0.1:9",
  credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })),
  transport,
  s3: { forcePathStyle: true }
})
const client = Effect.runSync(Effect.provide(S3.S3, S3.layer().pipe(Layer.provide(session))))

const count = (name: string, effect: Effect.Effect<unknown, unknown, S3.S3>) =>
  countOps(name, Effect.provideService(effect, S3.S3, client), Effect.runSync, trace)
await count(
  "GetObject + Body.bytes",
  Effect.scoped(Effect.flatMap(S3.getObject({ Bucket: "b", Key: "k" }), (o) => Body.bytes(o.Body)))
)
await count("HeadObject", S3.headObject({ Bucket: "b", Key: "k" }))
await count("Effect.void", Effect.void)
