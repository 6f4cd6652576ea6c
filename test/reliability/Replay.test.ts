/**
 * A retried call sends its body again whole, or is not retried: a stream that can be read only
 * once (a Node `Readable` made a `Stream`, an async generator) is never re-run to send an empty or
 * short body while the call succeeds. What the first attempt sent is kept up to
 * `replayBufferBytes` and sent again; past that the call fails with `BodyNotReplayable`; a stream
 * marked `Body.replayable` is run again at any size.
 */
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Body from "../../src/Request/Body.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as FaultServer from "../support/FaultServer.js"
import { runAgainst } from "./Harness.js"

const TEXT = "0123456789abcdefghijklmnopqrstuvwxyz"

/** A one-shot body: a Node Readable made a Stream (a second run yields nothing). */
const readableBody = (text = TEXT) =>
  Stream.fromAsyncIterable(
    Readable.from([Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))]),
    (e) => e
  )

/** A one-shot body from an async generator. */
const generatorBody = (text = TEXT) => {
  const chunks = (async function* () {
    yield Buffer.from(text.slice(0, 5))
    yield Buffer.from(text.slice(5))
  })()
  return Stream.fromAsyncIterable(chunks, (e) => e)
}

const SLOW_DOWN = {
  status: 503,
  headers: { "content-type": "application/xml" },
  body: "<Error><Code>SlowDown</Code><Message>slow down</Message></Error>"
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("the call succeeded")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  return failure.value
}

describe("a retry sends a one-shot body again whole, or does not happen", () => {
  for (const [kind, make] of [
    ["a Node Readable made a Stream", readableBody],
    ["an async generator made a Stream", generatorBody]
  ] as const) {
    for (const withLength of [true, false]) {
      it.effect(`${kind}${withLength ? " with its ContentLength" : ""}: the retry sends the same bytes`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const server = yield* FaultServer.scoped
            server.script([SLOW_DOWN, { status: 200 }])
            const report = yield* runAgainst(
              server,
              S3.putObject({
                Bucket: "bucket",
                Key: "k",
                Body: make(),
                ...(withLength ? { ContentLength: TEXT.length } : {})
              })
            )
            if (Exit.isFailure(report.exit)) throw new Error(Cause.pretty(report.exit.cause))
            expect(server.received.map((r) => r.body.toString())).toEqual([TEXT, TEXT])
          })
        )
      )
    }
  }

  it.effect("a one-shot body longer than replayBufferBytes is not retried: BodyNotReplayable says why", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([SLOW_DOWN, { status: 200 }])
        const report = yield* runAgainst(
          server,
          S3.putObject({ Bucket: "bucket", Key: "k", Body: readableBody(), ContentLength: TEXT.length }),
          { replayBufferBytes: 16 }
        )
        const error = failureOf(report.exit) as { _tag: string; message: string; cause: { _tag: string } }
        expect(error._tag).toBe("BodyNotReplayable")
        expect(error.cause._tag).toBe("SlowDown")
        expect(error.message).toMatch(/PutObject was not retried after SlowDown/)
        expect(error.message).toMatch(/more than the 16 bytes kept for a retry \(replayBufferBytes\)/)
        expect(report.requests).toBe(1)
      })
    )
  )

  it.effect("the default keeps 8 MiB: a 1 MiB one-shot body is retried whole", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([SLOW_DOWN, { status: 200 }])
        const big = "x".repeat(1024 * 1024)
        const report = yield* runAgainst(
          server,
          S3.putObject({ Bucket: "bucket", Key: "k", Body: readableBody(big) })
        )
        if (Exit.isFailure(report.exit)) throw new Error(Cause.pretty(report.exit.cause))
        expect(server.received.map((r) => r.body.length)).toEqual([big.length, big.length])
      })
    )
  )

  it.effect("a stream marked Body.replayable is run again, whatever its size", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([SLOW_DOWN, { status: 200 }])
        let runs = 0
        const body = Body.replayable(
          Stream.suspend(() => {
            runs++
            return readableBody()
          })
        )
        const report = yield* runAgainst(
          server,
          S3.putObject({ Bucket: "bucket", Key: "k", Body: body, ContentLength: TEXT.length }),
          { replayBufferBytes: 4 }
        )
        if (Exit.isFailure(report.exit)) throw new Error(Cause.pretty(report.exit.cause))
        expect(runs).toBe(2)
        expect(server.received.map((r) => r.body.toString())).toEqual([TEXT, TEXT])
      })
    )
  )

  it.effect("an error that is not retried stays itself, whatever the body", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([
          { status: 403, body: "<Error><Code>AccessDenied</Code><Message>no</Message></Error>" }
        ])
        const report = yield* runAgainst(
          server,
          S3.putObject({ Bucket: "bucket", Key: "k", Body: readableBody() }),
          { replayBufferBytes: 4 }
        )
        expect((failureOf(report.exit) as { _tag: string })._tag).toBe("AccessDenied")
      })
    )
  )
})
