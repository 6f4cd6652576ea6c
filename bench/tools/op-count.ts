/**
 * How many Effect operations one call executes (each costs a run-loop turn and a closure):
 * GetObject + Body.bytes and HeadObject over an in-memory transport, counted by a supervisor with
 * op supervision on. `npx tsx bench/tools/run-compiled.ts bench/tools/op-count.ts`
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import { withWholeBody } from "../../src/Request/Body.js"
import type { TransportService } from "../../src/Request/Transport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"

const trace = process.argv.includes("--trace")

/** A short description of an operation: its op code and where its function comes from. */
const describe = (effect: unknown): string => {
  const e = effect as { _op?: string; effect_instruction_i0?: unknown; effect_instruction_i1?: unknown }
  const f = [e.effect_instruction_i1, e.effect_instruction_i0].find((x) => typeof x === "function")
  const src = typeof f === "function" ? String(f).replace(/\s+/g, " ").slice(0, 90) : ""
  return `${e._op ?? "?"} ${src}`
}

class Counter extends Supervisor.AbstractSupervisor<number> {
  count = 0
  log: Array<string> = []
  value = Effect.sync(() => this.count)
  override onEffect(_fiber: unknown, effect: unknown): void {
    this.count++
    if (trace) this.log.push(describe(effect))
  }
}

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
const session = Layer.succeed(
  Session.Session,
  Session.make({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })),
    transport,
    s3: { forcePathStyle: true }
  })
)
const client = Effect.runSync(Effect.provide(S3.S3, S3.layer().pipe(Layer.provide(session))))

const count = (name: string, effect: Effect.Effect<unknown, unknown, S3.S3>) => {
  const counter = new Counter()
  const run = effect.pipe(
    Effect.provideService(S3.S3, client),
    Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)),
    Effect.supervised(counter)
  )
  Effect.runSync(Effect.orDie(run)) // warm
  counter.count = 0
  counter.log = []
  Effect.runSync(Effect.orDie(run))
  console.log(`${name}: ${counter.count} Effect operations`)
  if (trace) for (const line of counter.log) console.log(`  ${line}`)
}
count(
  "GetObject + Body.bytes",
  Effect.scoped(Effect.flatMap(S3.getObject({ Bucket: "b", Key: "k" }), (o) => Body.bytes(o.Body)))
)
count("HeadObject", S3.headObject({ Bucket: "b", Key: "k" }))
count("Effect.void", Effect.void)
