/**
 * Issue 16: numbers a server sends (Retry-After, Date, page tokens) are validated and bounded
 * before the pipeline acts on them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../../../../src/Credentials/Credentials.js"
import * as ClockSkew from "../../../../src/Request/ClockSkew.js"
import * as NodeTransport from "../../../../src/Request/NodeTransport.js"
import * as Retry from "../../../../src/Request/Retry.js"
import * as Session from "../../../../src/Session/Session.js"
import { runDriven } from "../../../support/Clock.js"
import * as FaultServer from "../../../support/FaultServer.js"
import * as TestService from "../../../support/TestService.js"

const credentials = Credentials.fromStatic(
  Credentials.make({
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  })
)

const env = (server: FaultServer.FaultServer, retry?: Retry.RetryPolicy) =>
  TestService.layerJson().pipe(
    Layer.provide(
      Session.layerWithoutTransport({ region: "us-east-1", credentials, retry, endpoint: server.url })
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

/** A local clock for the skew tests (TestClock starts at 1970). */
const LOCAL = Date.UTC(2026, 11, 7, 12, 0, 0)
const amz = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "")
const httpDate = (ms: number) => new Date(ms).toUTCString()
const skewed = (date: string, code = "RequestTimeTooSkewed") =>
  json(403, { __type: code, message: "skew" }, { date })

describe("clock skew from a server's Date", () => {
  it.effect("a Date at the end of time is not stored: the call fails typed, the next call signs fine", () =>
    withServer((server) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(LOCAL)
        server.script([skewed("Sat, 13 Sep 275760 00:00:00 GMT"), json(200, { Name: "ok" })])
        const both = Effect.gen(function* () {
          const first = yield* Effect.exit(TestService.echo({ Name: "x" }))
          yield* TestClock.adjust("1 second")
          const second = yield* Effect.exit(TestService.echo({ Name: "y" }))
          return [first, second] as const
        }).pipe(Effect.provide(env(server)))
        const { exit } = yield* runDriven(both)
        expect(Exit.isSuccess(exit)).toBe(true)
        if (!Exit.isSuccess(exit)) return
        const [first, second] = exit.value
        // a typed failure, not a defect, and no retry signed at the server's impossible time
        expect(Exit.isFailure(first) && first.cause._tag === "Fail" && first.cause.error._tag).toBe(
          "RequestTimeTooSkewed"
        )
        expect(second).toEqual(Exit.succeed({ Name: "ok" }))
        expect(server.received).toHaveLength(2)
        expect(server.received[1]!.headers["x-amz-date"]).toBe(amz(LOCAL + 1000))
      })
    )
  )

  it.effect(
    "a Date that is not an HTTP date, or more than 100 years off, corrects nothing and is not retried",
    () =>
      withServer((server) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(LOCAL)
          const beyond = ClockSkew.MAX_CLOCK_OFFSET_MS + 86_400_000
          for (const date of ["not a date", "1", httpDate(LOCAL + beyond), httpDate(LOCAL - beyond)]) {
            server.script([skewed(date), json(200, { Name: "ok" })])
            const before = server.received.length
            const error = yield* Effect.flip(
              TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server)))
            )
            expect(error._tag).toBe("RequestTimeTooSkewed")
            expect(server.received.length - before).toBe(1)
          }
        })
      )
  )

  it.effect("RequestTimeTooSkewed with a Date 20 minutes ahead corrects the clock and retries at once", () =>
    withServer((server) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(LOCAL)
        const serverTime = LOCAL + 20 * 60_000
        server.script([skewed(httpDate(serverTime)), json(200, { Name: "ok" })])
        const { exit, delays } = yield* runDriven(
          TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server)))
        )
        expect(exit).toEqual(Exit.succeed({ Name: "ok" }))
        expect(delays).toEqual([])
        expect(server.received[1]!.headers["x-amz-date"]).toBe(amz(serverTime))
      })
    )
  )

  for (const code of ["SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure"]) {
    it.effect(`${code} with a Date that agrees with our clock is not retried, and the offset stays`, () =>
      withServer((server) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(LOCAL + 400)
          // the server's Date (whole seconds) is 0.4 s behind: no skew
          server.script([skewed(httpDate(LOCAL), code), json(200, { Name: "ok" })])
          const both = Effect.gen(function* () {
            const error = yield* Effect.flip(TestService.echo({ Name: "x" }))
            const next = yield* TestService.echo({ Name: "y" })
            return [error, next] as const
          }).pipe(Effect.provide(env(server)))
          const { exit } = yield* runDriven(both)
          expect(Exit.isSuccess(exit)).toBe(true)
          if (!Exit.isSuccess(exit)) return
          const error = exit.value[0]
          expect("code" in error ? error.code : error._tag).toBe(code)
          expect(server.received.map((r) => JSON.parse(r.body.toString()).Name)).toEqual(["x", "y"])
          // the next call is signed with the local clock, not shifted by the 0.4 s difference
          expect(server.received[1]!.headers["x-amz-date"]).toBe(amz(LOCAL + 400))
        })
      )
    )
  }

  it.effect("SignatureDoesNotMatch with a Date 10 minutes behind is skew: corrected and retried once", () =>
    withServer((server) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(LOCAL)
        const serverTime = LOCAL - 10 * 60_000
        server.script([skewed(httpDate(serverTime), "SignatureDoesNotMatch"), json(200, { Name: "ok" })])
        const { exit } = yield* runDriven(TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server))))
        expect(exit).toEqual(Exit.succeed({ Name: "ok" }))
        expect(server.received).toHaveLength(2)
        expect(server.received[1]!.headers["x-amz-date"]).toBe(amz(serverTime))
      })
    )
  )

  it("a signing date is valid whatever the stored offset holds", () => {
    for (const offset of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      8.64e15,
      -8.64e15,
      2 * ClockSkew.MAX_CLOCK_OFFSET_MS
    ]) {
      expect(ClockSkew.signingDate(LOCAL, offset).getTime()).toBe(LOCAL)
    }
    expect(ClockSkew.signingDate(LOCAL, 60_000).getTime()).toBe(LOCAL + 60_000)
    expect(ClockSkew.offsetFromDate({ date: httpDate(LOCAL + 3_600_000) }, LOCAL)).toBe(3_600_000)
    expect(ClockSkew.offsetFromDate({ date: "Sat, 13 Sep 275760 00:00:00 GMT" }, LOCAL)).toBeUndefined()
    // Date.parse takes "1" for the year 2001 and "0" for 2000: only HTTP (or ISO 8601) dates count
    for (const date of ["1", "0", "2001", "Jan 1", "1 2 3"]) {
      expect(ClockSkew.offsetFromDate({ date }, LOCAL)).toBeUndefined()
    }
    expect(ClockSkew.offsetFromDate({ date: new Date(LOCAL + 5000).toISOString() }, LOCAL)).toBe(5000)
  })
})
