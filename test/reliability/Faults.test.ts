/**
 * Every fault of the table against the real pipeline and the Node transport: the typed error that
 * results (or the success after retries), the attempts the client made and the server saw, and
 * the sockets: none busy once the call ended, none open once the clients' scope closed.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Retry from "../../src/Request/Retry.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as FaultServer from "../support/FaultServer.js"
import { callOf, describeExit, type FaultCase, faultCases, ok } from "./FaultCases.js"
import { clients, runAgainst } from "./Harness.js"

const table: Array<Record<string, string | number>> = []

const runCase = (c: FaultCase) =>
  Effect.scoped(
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      server.script(c.replies.length === 0 ? [{ status: 200 }] : c.replies)
      const endpoint = c.refused
        ? `http://127.0.0.1:${yield* Effect.promise(FaultServer.closedPort)}`
        : server.url
      const report = yield* runAgainst(server, callOf(c.client), {
        endpoint,
        idleTimeoutMs: c.idleTimeoutMs
      })
      const outcome = describeExit(report.exit)
      table.push({
        fault: c.fault,
        client: c.client,
        outcome,
        attempts: report.sends,
        "server saw": report.requests,
        "busy sockets": report.busyAfterCall,
        "open after close": report.openAfterClose
      })
      return { report, outcome }
    })
  )

describe("faults", () => {
  afterAll(() => {
    console.log("\nfault table\n")
    console.table(table)
  })

  for (const c of faultCases) {
    it.effect(`${c.fault} [${c.client}]`, () =>
      Effect.gen(function* () {
        const { report, outcome } = yield* runCase(c)
        const exit = report.exit
        if (c.expected._tag === "Success") {
          expect(outcome).toBe("success")
        } else {
          expect(Exit.isFailure(exit), outcome).toBe(true)
          if (Exit.isFailure(exit)) {
            const error = Cause.failureOption(exit.cause)
            expect(Option.isSome(error), outcome).toBe(true)
            const e = Option.getOrThrow(error) as {
              _tag: string
              code?: string
              statusCode?: number
              phase?: string
              message: string
            }
            expect(e._tag).toBe(c.expected.tag)
            if (c.expected.code !== undefined) expect(e.code).toBe(c.expected.code)
            if (c.expected.statusCode !== undefined) expect(e.statusCode).toBe(c.expected.statusCode)
            if (c.expected.phase !== undefined) expect(e.phase).toBe(c.expected.phase)
            if (c.expected.message !== undefined) {
              expect(e.message.toLowerCase()).toContain(c.expected.message.toLowerCase())
            }
          }
        }
        expect(report.sends, "attempts made").toBe(c.attempts)
        expect(report.requests, "requests the server saw").toBe(c.serverSaw)
        expect(report.busyAfterCall, "sockets busy after the call").toBe(0)
        expect(report.openAfterClose, "sockets open after the scope closed").toBe(0)
      })
    )
  }

  it.live("a whole body nobody reads does not starve a one-socket pool", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      server.script([ok("download"), ok("json")])
      const result = yield* Effect.gen(function* () {
        // the body arrives whole with the headers and is never read
        yield* Effect.scoped(callOf("download-unread"))
        return yield* callOf("json")
      }).pipe(
        Effect.provide(clients({ endpoint: server.url, maxSockets: 1 })),
        // well before the server would close the idle connection itself (5 s)
        Effect.timeoutFail({
          duration: "2 seconds",
          onTimeout: () => "the second call waited for the socket"
        })
      )
      expect(result).toEqual({ Name: "ok" })
      expect(server.requestCount()).toBe(2)
    }).pipe(Effect.scoped)
  )

  it.live("a stalled stream nobody reads does not starve a one-socket pool", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      server.script([{ ...ok("download"), stallBody: true }, ok("json")])
      const result = yield* Effect.gen(function* () {
        yield* Effect.scoped(callOf("download-unread"))
        // the only socket must come back (drained or dropped) for this call to be sent at all
        return yield* callOf("json")
      }).pipe(
        Effect.provide(clients({ endpoint: server.url, maxSockets: 1 })),
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "the second call never got a socket" })
      )
      expect(result).toEqual({ Name: "ok" })
      expect(server.requestCount()).toBe(2)
      expect(yield* Effect.promise(() => server.waitForSocketsClosed())).toBe(0)
    }).pipe(Effect.scoped)
  )
})

describe("common errors a service does not send", () => {
  it.effect(
    "arrive as AwsServiceError with their code (the type of an S3 call does not list them), classified the same",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FaultServer.scoped
          const xmlError = (code: string) => ({
            status: 400,
            headers: { "content-type": "application/xml" },
            body: `<Error><Code>${code}</Code><Message>injected</Message></Error>`
          })
          server.script([xmlError("ThrottlingException")])
          const foreign = yield* runAgainst(server, S3.listObjectsV2({ Bucket: "bucket" }), {
            retry: Retry.none
          })
          const error = Exit.isFailure(foreign.exit) ? Cause.failureOption(foreign.exit.cause) : Option.none()
          expect(
            Option.map(error, (e) => [
              e._tag,
              (e as { code?: string }).code,
              (e as { classification?: string }).classification
            ])
          ).toEqual(Option.some(["AwsServiceError", "ThrottlingException", "throttling"]))
          server.script([{ ...xmlError("SlowDown"), status: 503 }])
          const own = yield* runAgainst(server, S3.listObjectsV2({ Bucket: "bucket" }), { retry: Retry.none })
          const ownError = Exit.isFailure(own.exit) ? Cause.failureOption(own.exit.cause) : Option.none()
          expect(Option.map(ownError, (e) => e._tag)).toEqual(Option.some("SlowDown"))
        })
      )
  )
})
