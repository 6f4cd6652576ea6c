/**
 * `op-count.ts` over the real Node transport against the fixed-response server: the Effect
 * run-loop operations of one GetObject + Body.bytes, the transport's own included (the in-memory
 * transport of `op-count.ts` has none). `--trace` lists them.
 * `npx tsx bench/tools/run-compiled.ts bench/tools/op-count-node.ts [--trace]`
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"
import { countOps } from "../lib/op-counter.js"
import { startFixedServer } from "../lib/servers.js"

const trace = process.argv.includes("--trace")
const server = await startFixedServer(1024)
const session = Session.layerWithoutTransport({
  region: "us-east-1",
  endpoint: server.endpoint,
  credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })),
  s3: { forcePathStyle: true }
}).pipe(Layer.provide(NodeTransport.layer()))
const rt = (await import("effect/ManagedRuntime")).make(S3.layer().pipe(Layer.provide(session)))
const count = (name: string, effect: Effect.Effect<unknown, unknown, S3.S3>) =>
  countOps(name, effect, (run) => rt.runPromise(run), trace)
await count(
  "GetObject + Body.bytes",
  Effect.scoped(Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "k" }), (o) => Body.bytes(o.Body)))
)
await count("Effect.void", Effect.void)
await rt.dispose()
server.stop()
