/**
 * Clients with no network, for the tools that time the SDK's own work: a session over a transport
 * that must never be called (decoding only), or over one that answers every request at once with
 * the same 200 response.
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials/Credentials.js"
import { withWholeBody } from "../../src/Request/Body.js"
import type { TransportService } from "../../src/Request/Transport.js"
import * as Session from "../../src/Session/Session.js"

/** A transport that fails the run if anything sends a request. */
export const unusedTransport: TransportService = { send: () => Effect.die("no requests expected here") }

/** A transport that answers every request at once: 200, these headers, this body. */
export const answering = (headers: Readonly<Record<string, string>>, body: Uint8Array): TransportService => ({
  send: () =>
    Effect.succeed({
      status: 200,
      headers,
      bytes: Effect.succeed(body),
      stream: withWholeBody(Stream.succeed(body), Effect.succeed(body))
    })
})

/** A us-east-1 session over `transport`, with static keys and path-style S3 on a dead endpoint. */
export const session = (transport: TransportService = unusedTransport) =>
  Session.layerWith({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })),
    transport,
    s3: { forcePathStyle: true }
  })

/** A service client built from its layer over `session`, to provide or to call directly. */
export const clientOf = <I, S>(
  tag: Context.Tag<I, S>,
  layer: Layer.Layer<I, unknown, Session.Session>,
  over: Layer.Layer<Session.Session> = session()
): S => Effect.runSync(Effect.provide(tag, Layer.provide(layer, over)))
