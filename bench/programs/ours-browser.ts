/**
 * The browser build of the one-GetObject program: our SDK over `fetch` (`HttpClientTransport` +
 * `@effect/platform/FetchHttpClient`) instead of the Node transport.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import * as HttpClientTransport from "../../src/Request/HttpClientTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"

const session = Session.layerWithoutTransport({
  region: "us-east-1",
  endpoint: "http://127.0.0.1:9000",
  credentials: Credentials.fromStatic(
    Credentials.make({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" })
  ),
  s3: { forcePathStyle: true }
}).pipe(Layer.provide(HttpClientTransport.layer()), Layer.provide(FetchHttpClient.layer))

const program = Effect.scoped(
  Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "data/object-1k.bin" }), (out) => Body.bytes(out.Body))
)

Effect.runPromise(program.pipe(Effect.provide(S3.layer()), Effect.provide(session))).then(
  (b) => console.log(b.length),
  console.error
)
