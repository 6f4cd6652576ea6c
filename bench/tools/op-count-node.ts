/**
 * `op-count.ts` over the real Node transport against the fixed-response server: the Effect
 * run-loop operations of one GetObject + Body.bytes, the transport's own included (the in-memory
 * transport of `op-count.ts` has none). `--trace` lists them.
 * `npx tsx bench/tools/run-compiled.ts bench/tools/op-count-node.ts [--trace]`
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Supervisor from "effect/Supervisor"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import { Transport } from "../../src/Request/Transport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"
import { startFixedServer } from "../lib/servers.js"

const trace = process.argv.includes("--trace")
const describe = (effect: unknown): string => {
  const e = effect as { _op?: string; effect_instruction_i0?: unknown; effect_instruction_i1?: unknown }
  const f = [e.effect_instruction_i1, e.effect_instruction_i0].find((x) => typeof x === "function")
  const src = typeof f === "function" ? String(f).replace(/\s+/g, " ").slice(0, 110) : ""
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
const server = await startFixedServer(1024)
const session = Layer.effect(
  Session.Session,
  Effect.map(Transport, (transport) =>
    Session.make({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: Credentials.fromStatic(
        Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })
      ),
      transport,
      s3: { forcePathStyle: true }
    })
  )
).pipe(Layer.provide(NodeTransport.layer()))
const rt = (await import("effect/ManagedRuntime")).make(S3.layer().pipe(Layer.provide(session)))
const count = async (name: string, effect: Effect.Effect<unknown, unknown, S3.S3>) => {
  const counter = new Counter()
  const run = effect.pipe(
    Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)),
    Effect.supervised(counter)
  )
  await rt.runPromise(Effect.orDie(run))
  counter.count = 0
  counter.log = []
  await rt.runPromise(Effect.orDie(run))
  console.log(`${name}: ${counter.count} Effect operations`)
  if (trace) for (const line of counter.log) console.log(`  ${line}`)
}
await count(
  "GetObject + Body.bytes",
  Effect.scoped(Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "k" }), (o) => Body.bytes(o.Body)))
)
await count("Effect.void", Effect.void)
await rt.dispose()
server.stop()
