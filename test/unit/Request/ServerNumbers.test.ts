/**
 * Issue 16: numbers a server sends (Retry-After, Date, page tokens) are validated and bounded
 * before the pipeline acts on them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import * as Retry from "../../../src/Request/Retry.js"
import * as Session from "../../../src/Session/Session.js"
import { runDriven } from "../../support/Clock.js"
import * as FaultServer from "../../support/FaultServer.js"
import * as TestService from "../../support/TestService.js"

const credentials = Credentials.fromStatic(
  Credentials.make({
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  })
)

const env = (server: FaultServer.FaultServer, retry?: Retry.RetryPolicy) =>
  TestService.layerJson().pipe(
    Layer.provide(
      Session.layerOverTransport({ region: "us-east-1", credentials, retry, endpoint: server.url })
    ),
    Layer.provide(NodeTransport.layer())
  )

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FaultServer.Reply => ({
  status,
  headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${status}`, ...headers },
  body: JSON.stringify(body)
})

const withServer = <A, E>(f: (server: FaultServer.FaultServer) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(FaultServer.scoped, f))

const busy = (headers: Record<string, string>) =>
  json(503, { __type: "ServiceUnavailable", message: "busy" }, headers)

describe("Retry-After is bounded", () => {
  it.effect("Retry-After: 86400 waits the default bound (20 s, the backoff cap), not a day", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([busy({ "retry-after": "86400" }), json(200, { Name: "ok" })])
        const { exit, delays } = yield* runDriven(
          TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server)))
        )
        expect(exit).toEqual(Exit.succeed({ Name: "ok" }))
        expect(delays).toEqual([20_000])
        expect(Retry.standard().maxRetryAfterMs).toBe(20_000)
      })
    )
  )

  it.effect("maxRetryAfterMs sets the bound; x-amz-retry-after obeys it too", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          busy({ "retry-after": "86400" }),
          busy({ "x-amz-retry-after": "99999999999999999999" }),
          json(200, { Name: "ok" })
        ])
        const policy = Retry.standard({ maxRetryAfterMs: 5_000 })
        const { exit, delays } = yield* runDriven(
          TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server, policy)))
        )
        expect(exit).toEqual(Exit.succeed({ Name: "ok" }))
        expect(delays).toEqual([5_000, 5_000])
      })
    )
  )

  it("the bound follows maxBackoffMs unless set, and must be a duration", () => {
    expect(Retry.standard({ maxBackoffMs: 1_000 }).maxRetryAfterMs).toBe(1_000)
    expect(Retry.withMaxAttempts(Retry.standard({ maxRetryAfterMs: 7 }), 5).maxRetryAfterMs).toBe(7)
    expect(() => Retry.standard({ maxRetryAfterMs: -1 })).toThrow(/maxRetryAfterMs/)
    expect(() => Retry.standard({ maxRetryAfterMs: Number.NaN })).toThrow(/maxRetryAfterMs/)
  })
})
