/**
 * Issue 16: a waiter's options are checked before the first attempt: never a thrown error, an
 * endless or busy poll from a bad number.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Operation } from "../../../src/Request/Client.js"
import * as Waiter from "../../../src/Waiters/Waiter.js"
import { runDriven } from "../../support/Clock.js"

/** An operation that answers "pending" `pending` times, then "ready"; counts its calls. */
const pendingThenReady = (pending: number) => {
  let calls = 0
  const withResponse = () =>
    Effect.sync(() => {
      calls++
      return {
        output: { State: calls > pending ? "ready" : "pending" },
        response: { statusCode: 200, headers: {} }
      }
    })
  const operation = Object.assign(() => Effect.die("unused"), {
    model: { name: "Describe" },
    presign: () => Effect.die("unused"),
    withResponse
  }) as unknown as Operation<Record<string, never>, unknown, never, never>
  const waiter = Waiter.make(operation, {
    delay: 5,
    maxAttempts: 10,
    acceptors: [{ state: "success", matcher: "path", argument: "State", expected: "ready" }],
    search: (expression, data) => (data as Record<string, unknown>)[expression]
  })
  return { waiter, calls: () => calls }
}

describe("waiter options", () => {
  const bad: ReadonlyArray<readonly [string, Waiter.WaiterOptions]> = [
    ["maxAttempts NaN", { maxAttempts: Number.NaN }],
    ["maxAttempts 0", { maxAttempts: 0 }],
    ["maxAttempts 2.5", { maxAttempts: 2.5 }],
    ["maxAttempts Infinity", { maxAttempts: Number.POSITIVE_INFINITY }],
    ["minDelay not a duration", { minDelay: "soon" as never }],
    ["minDelay zero (a busy poll)", { minDelay: 0, maxDelay: "10 seconds" }],
    ["minDelay negative", { minDelay: "-5 seconds" as never, maxDelay: "10 seconds" }],
    ["maxDelay infinite (an uncapped backoff)", { minDelay: "1 second", maxDelay: Number.POSITIVE_INFINITY }],
    ["maxDelay shorter than minDelay", { minDelay: "10 seconds", maxDelay: "1 second" }]
  ]
  for (const [what, options] of bad) {
    it.effect(`${what}: InvalidWaiterOptions, and the operation is never called`, () =>
      Effect.gen(function* () {
        const { waiter, calls } = pendingThenReady(3)
        const exit = yield* Effect.exit(Effect.suspend(() => waiter({}, options)))
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe(
          "InvalidWaiterOptions"
        )
        expect(calls()).toBe(0)
      })
    )
  }

  it.effect("good options still wait: capped exponential delays", () =>
    Effect.gen(function* () {
      const { waiter, calls } = pendingThenReady(4)
      const { exit, delays } = yield* runDriven(waiter({}, { minDelay: "1 second", maxDelay: "3 seconds" }))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(delays).toEqual([1000, 2000, 3000, 3000])
      expect(calls()).toBe(5)
    })
  )
})
