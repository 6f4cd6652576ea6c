/** A session whose clients all talk to a loopback `FaultServer`, with fixed test credentials. */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as Session from "../../src/Session/Session.js"
import * as FaultServer from "./FaultServer.js"

const credentials = Credentials.fromStatic(
  Credentials.make({
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  })
)

/** The session layer: region us-east-1, the server as custom endpoint, the Node transport. */
export const sessionOn = (server: FaultServer.FaultServer): Layer.Layer<Session.Session> =>
  Session.layerWithoutTransport({ region: "us-east-1", credentials, endpoint: server.url }).pipe(
    Layer.provide(NodeTransport.layer())
  )

/** Runs `f` with a fresh loopback server, closed afterwards. */
export const withServer = <A, E>(f: (server: FaultServer.FaultServer) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(FaultServer.scoped, f))
