/**
 * The one-call program of the bundle-size budget (DESIGN section 7): builds the S3 client and
 * calls GetObject once. `npx tsx bench/bundle/measure.ts` bundles it with esbuild.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"

const session = Session.layerWithoutTransport({
  region: "us-east-1",
  credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" }))
}).pipe(Layer.provide(NodeTransport.layer()))

const program = Effect.scoped(
  Effect.flatMap(S3.getObject({ Bucket: "bucket", Key: "key" }), (out) =>
    out.Body === undefined ? Effect.succeed(0) : Stream.runFold(out.Body, 0, (n, chunk) => n + chunk.length)
  )
)

Effect.runPromise(program.pipe(Effect.provide(S3.layer()), Effect.provide(session))).then(
  console.log,
  console.error
)
