/**
 * How many Effect operations one call executes (each costs a run-loop turn and a closure):
 * GetObject + Body.bytes and HeadObject over an in-memory transport, counted by a supervisor with
 * op supervision on. `npx tsx bench/tools/run-compiled.ts bench/tools/op-count.ts`
 */
import * as Effect from "effect/Effect"
import * as Body from "../../src/Request/Body.js"
import * as S3 from "../../src/Services/S3/index.js"
import { answering, clientOf, session } from "../lib/offline.js"
import { countOps } from "../lib/op-counter.js"

const trace = process.argv.includes("--trace")

const body = new Uint8Array(1024)
const transport = answering(
  { "content-length": "1024", etag: '"x"', "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT" },
  body
)
const client = clientOf(S3.S3, S3.layer(), session(transport))

const count = (name: string, effect: Effect.Effect<unknown, unknown, S3.S3>) =>
  countOps(name, Effect.provideService(effect, S3.S3, client), Effect.runSync, trace)
await count(
  "GetObject + Body.bytes",
  Effect.scoped(Effect.flatMap(S3.getObject({ Bucket: "b", Key: "k" }), (o) => Body.bytes(o.Body)))
)
await count("HeadObject", S3.headObject({ Bucket: "b", Key: "k" }))
await count("Effect.void", Effect.void)
