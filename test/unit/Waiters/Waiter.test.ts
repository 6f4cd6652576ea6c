/**
 * Waiter.make against a scripted operation: every matcher with outputs, statuses and errors,
 * acceptors in order, the verdicts, the attempt counts and the delays (issue 26); and a waiter's
 * options checked before the first attempt: never a thrown error, an endless or busy poll from a
 * bad number (issue 16).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import type { Operation } from "../../../src/Request/Client.js"
import { AwsServiceError } from "../../../src/Request/Errors.js"
import { search } from "../../../src/Waiters/Jmespath.js"
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

/** One answer of the operation: an output with its status, or an error. */
type Answer = { readonly output: unknown; readonly status?: number } | { readonly error: unknown }

const serviceError = (code: string, statusCode: number) =>
  new AwsServiceError({
    message: `${code} happened`,
    code,
    statusCode,
    requestId: "req-1",
    service: "Svc",
    operation: "Describe",
    classification: "client"
  })

/** An operation answering `answers` in turn (the last one again once they run out). */
const scripted = (answers: ReadonlyArray<Answer>) => {
  let calls = 0
  const withResponse = () =>
    Effect.suspend(() => {
      const answer = answers[Math.min(calls, answers.length - 1)]!
      calls++
      return "error" in answer
        ? Effect.fail(answer.error)
        : Effect.succeed({
            output: answer.output,
            response: { statusCode: answer.status ?? 200, headers: {}, requestId: undefined, attempts: 1 }
          })
    })
  const operation = Object.assign(() => Effect.die("unused"), {
    model: { name: "Describe" },
    presign: () => Effect.die("unused"),
    withResponse
  }) as unknown as Operation<Record<string, never>, unknown, unknown, never>
  return { operation, calls: () => calls }
}

/** The model's waiter: 4 attempts 5 s apart, JMESPath unless `withSearch` is false. */
const spec = (acceptors: ReadonlyArray<Waiter.Acceptor>, withSearch = true): Waiter.WaiterSpec =>
  withSearch ? { delay: 5, maxAttempts: 4, acceptors, search } : { delay: 5, maxAttempts: 4, acceptors }

/** Runs a wait on the test clock: its exit, the delays between attempts, the calls made. */
const run = (
  answers: ReadonlyArray<Answer>,
  acceptors: ReadonlyArray<Waiter.Acceptor>,
  options?: Waiter.WaiterOptions,
  withSearch = true
) =>
  Effect.gen(function* () {
    const { operation, calls } = scripted(answers)
    const waiter = Waiter.make(operation, spec(acceptors, withSearch))
    const { exit, delays } = yield* runDriven(waiter({}, options), { what: "the wait" })
    return { exit, delays, calls: calls() }
  })

const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

const ready: Waiter.Acceptor = { state: "success", matcher: "path", argument: "State", expected: "ready" }

describe("Waiter.make (issue 26)", () => {
  it.effect("polls at the model's delay until the success acceptor matches", () =>
    Effect.gen(function* () {
      const r = yield* run(
        [{ output: { State: "pending" } }, { output: { State: "pending" } }, { output: { State: "ready" } }],
        [ready]
      )
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(r.calls).toBe(3)
      expect(r.delays).toEqual([5000, 5000])
    })
  )

  it.effect("gives up after the model's attempts with WaiterTimeout saying how many", () =>
    Effect.gen(function* () {
      const r = yield* run([{ output: { State: "pending" } }], [ready])
      expect(r.calls).toBe(4)
      expect(r.delays).toEqual([5000, 5000, 5000])
      const error = failureOf(r.exit) as Waiter.WaiterTimeout
      expect(error).toBeInstanceOf(Waiter.WaiterTimeout)
      expect([error.operation, error.attempts]).toEqual(["Describe", 4])
      expect(error.message).toBe("waiting on Describe gave up after 4 attempt(s)")
    })
  )

  it.effect("maxAttempts in the options wins over the model's; one attempt makes no delay", () =>
    Effect.gen(function* () {
      const two = yield* run([{ output: { State: "pending" } }], [ready], { maxAttempts: 2 })
      expect([two.calls, two.delays, (failureOf(two.exit) as Waiter.WaiterTimeout).attempts]).toEqual([
        2,
        [5000],
        2
      ])
      const one = yield* run([{ output: { State: "pending" } }], [ready], { maxAttempts: 1 })
      expect([one.calls, one.delays]).toEqual([1, []])
    })
  )

  it.effect("a failure acceptor ends the wait with WaiterFailure naming the acceptor and the attempts", () =>
    Effect.gen(function* () {
      const failed: Waiter.Acceptor = {
        state: "failure",
        matcher: "path",
        argument: "State",
        expected: "failed"
      }
      const r = yield* run(
        [{ output: { State: "pending" } }, { output: { State: "failed" } }],
        [ready, failed]
      )
      const error = failureOf(r.exit) as Waiter.WaiterFailure
      expect(error).toBeInstanceOf(Waiter.WaiterFailure)
      expect([error.operation, error.acceptor, error.attempts, error.cause]).toEqual([
        "Describe",
        failed,
        2,
        undefined
      ])
      expect(error.message).toBe('waiting on Describe failed after 2 attempt(s): path State = "failed"')
    })
  )

  it.effect("acceptors are tried in order: the first that matches decides", () =>
    Effect.gen(function* () {
      const failFirst: Waiter.Acceptor = {
        state: "failure",
        matcher: "path",
        argument: "State",
        expected: "ready"
      }
      const r = yield* run([{ output: { State: "ready" } }], [failFirst, ready])
      expect((failureOf(r.exit) as Waiter.WaiterFailure).acceptor).toBe(failFirst)
      const s = yield* run([{ output: { State: "ready" } }], [ready, failFirst])
      expect(Exit.isSuccess(s.exit)).toBe(true)
    })
  )

  it.effect("a retry acceptor keeps polling even when a later acceptor would match", () =>
    Effect.gen(function* () {
      const keepGoing: Waiter.Acceptor = { state: "retry", matcher: "path", argument: "Busy", expected: true }
      const r = yield* run(
        [{ output: { State: "ready", Busy: true } }, { output: { State: "ready", Busy: false } }],
        [keepGoing, ready]
      )
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(r.calls).toBe(2)
    })
  )

  describe("status", () => {
    it.effect("matches the status of an answer and of a service error; not of other errors", () =>
      Effect.gen(function* () {
        const ok: Waiter.Acceptor = { state: "success", matcher: "status", expected: 200 }
        const gone: Waiter.Acceptor = { state: "failure", matcher: "status", expected: 404 }
        expect(
          Exit.isSuccess(
            (yield* run(
              [
                { output: {}, status: 202 },
                { output: {}, status: 200 }
              ],
              [gone, ok]
            )).exit
          )
        ).toBe(true)
        const notFound = serviceError("NoSuchThing", 404)
        const r = yield* run([{ error: notFound }], [ok, gone])
        const error = failureOf(r.exit) as Waiter.WaiterFailure
        expect([error.acceptor, error.cause, error.attempts]).toEqual([gone, notFound, 1])
        expect(error.message).toBe("waiting on Describe failed after 1 attempt(s): status = 404")
        // an error without a status (not a service error) matches no status acceptor: it ends the wait
        const plain = { _tag: "NetworkError", statusCode: 404 }
        expect(failureOf((yield* run([{ error: plain }], [gone])).exit)).toBe(plain)
      })
    )
  })

  describe("error", () => {
    it.effect("matches a service error by code or by tag", () =>
      Effect.gen(function* () {
        const byCode: Waiter.Acceptor = { state: "success", matcher: "error", expected: "NoSuchThing" }
        expect(
          Exit.isSuccess((yield* run([{ error: serviceError("NoSuchThing", 404) }], [byCode])).exit)
        ).toBe(true)
        const byTag: Waiter.Acceptor = { state: "success", matcher: "error", expected: "AwsServiceError" }
        expect(Exit.isSuccess((yield* run([{ error: serviceError("Other", 400) }], [byTag])).exit)).toBe(true)
        const other = serviceError("Other", 400)
        expect(failureOf((yield* run([{ error: other }], [byCode])).exit)).toBe(other)
      })
    )

    it.effect("expected true matches any service error; expected false matches an answer", () =>
      Effect.gen(function* () {
        const anyError: Waiter.Acceptor = { state: "failure", matcher: "error", expected: true }
        const noError: Waiter.Acceptor = { state: "success", matcher: "error", expected: false }
        const e = serviceError("Whatever", 500)
        const r = yield* run([{ error: e }], [noError, anyError])
        expect((failureOf(r.exit) as Waiter.WaiterFailure).cause).toBe(e)
        expect(Exit.isSuccess((yield* run([{ output: {} }], [anyError, noError])).exit)).toBe(true)
        // an answer does not match `true`; an error does not match `false`
        const onlyAny = yield* run([{ output: {} }], [anyError], { maxAttempts: 2 })
        expect(failureOf(onlyAny.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
        expect(failureOf((yield* run([{ error: e }], [noError])).exit)).toBe(e)
        // a non-service error matches no error acceptor
        const plain = new Error("socket closed")
        expect(failureOf((yield* run([{ error: plain }], [anyError])).exit)).toBe(plain)
      })
    )
  })

  describe("path, pathAll, pathAny", () => {
    it.effect("path compares values, objects and lists included", () =>
      Effect.gen(function* () {
        const obj: Waiter.Acceptor = {
          state: "success",
          matcher: "path",
          argument: "Spec",
          expected: { a: [1, 2] }
        }
        const r = yield* run([{ output: { Spec: { a: [1] } } }, { output: { Spec: { a: [1, 2] } } }], [obj])
        expect([Exit.isSuccess(r.exit), r.calls]).toEqual([true, 2])
        const num: Waiter.Acceptor = {
          state: "success",
          matcher: "path",
          argument: "length(Items)",
          expected: 2
        }
        const n = yield* run([{ output: { Items: [1] } }, { output: { Items: [1, 2] } }], [num])
        expect([Exit.isSuccess(n.exit), n.calls]).toEqual([true, 2])
        const str: Waiter.Acceptor = { state: "success", matcher: "path", argument: "N", expected: "1" }
        expect(
          failureOf((yield* run([{ output: { N: 1 } }], [str], { maxAttempts: 1 })).exit)
        ).toBeInstanceOf(Waiter.WaiterTimeout)
      })
    )

    it.effect("only lists and objects are compared by their JSON text: NaN and null stay apart", () =>
      Effect.gen(function* () {
        // JSON.stringify writes NaN as null: comparing scalars that way would make them equal
        const expectsNull: Waiter.Acceptor = {
          state: "success",
          matcher: "path",
          argument: "N",
          expected: null
        }
        const nan = yield* run([{ output: { N: Number.NaN } }], [expectsNull], { maxAttempts: 1 })
        expect(failureOf(nan.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
        const expectsNaN: Waiter.Acceptor = {
          state: "success",
          matcher: "path",
          argument: "N",
          expected: Number.NaN
        }
        const missing = yield* run([{ output: { N: null } }], [expectsNaN], { maxAttempts: 1 })
        expect(failureOf(missing.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
      })
    )

    it.effect("pathAll needs every item, and at least one; pathAny one of several", () =>
      Effect.gen(function* () {
        const all: Waiter.Acceptor = {
          state: "success",
          matcher: "pathAll",
          argument: "Items[].S",
          expected: "ok"
        }
        const any: Waiter.Acceptor = {
          state: "failure",
          matcher: "pathAny",
          argument: "Items[].S",
          expected: "bad"
        }
        const r = yield* run(
          [
            { output: { Items: [] } },
            { output: { Items: [{ S: "ok" }, { S: "wait" }, { S: "ok" }] } },
            { output: { Items: [{ S: "ok" }, { S: "ok" }, { S: "ok" }] } }
          ],
          [all, any]
        )
        expect([Exit.isSuccess(r.exit), r.calls]).toEqual([true, 3])
        const f = yield* run([{ output: { Items: [{ S: "ok" }, { S: "wait" }, { S: "bad" }] } }], [all, any])
        const error = failureOf(f.exit) as Waiter.WaiterFailure
        expect([error.acceptor, error.attempts]).toEqual([any, 1])
        expect(error.message).toBe('waiting on Describe failed after 1 attempt(s): pathAny Items[].S = "bad"')
        // not a list, or no list at all: no match
        const notList = yield* run([{ output: { Items: "ok" } }, { output: {} }], [all, any], {
          maxAttempts: 2
        })
        expect(failureOf(notList.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
        const anyOk: Waiter.Acceptor = {
          state: "success",
          matcher: "pathAny",
          argument: "Items[].S",
          expected: "ok"
        }
        const empty = yield* run([{ output: { Items: [] } }], [anyOk], { maxAttempts: 1 })
        expect(failureOf(empty.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
      })
    )

    it.effect("a path acceptor never matches an error, nor without an argument or a JMESPath", () =>
      Effect.gen(function* () {
        const e = serviceError("Busy", 409)
        const onError: Waiter.Acceptor = {
          state: "success",
          matcher: "path",
          argument: "State",
          expected: "ready"
        }
        expect(failureOf((yield* run([{ error: e }], [onError])).exit)).toBe(e)
        const noArgument: Waiter.Acceptor = {
          state: "success",
          matcher: "path",
          expected: { State: "ready" }
        }
        const r = yield* run([{ output: { State: "ready" } }], [noArgument], { maxAttempts: 1 })
        expect(failureOf(r.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
        const noSearch = yield* run([{ output: { State: "ready" } }], [ready], { maxAttempts: 1 }, false)
        expect(failureOf(noSearch.exit)).toBeInstanceOf(Waiter.WaiterTimeout)
      })
    )
  })

  describe("delays", () => {
    const pending = [{ output: { State: "pending" } }]

    it.effect("minDelay and maxDelay: doubling from minDelay, capped at maxDelay", () =>
      Effect.gen(function* () {
        const r = yield* run(pending, [ready], {
          maxAttempts: 6,
          minDelay: "2 seconds",
          maxDelay: "10 seconds"
        })
        expect(r.delays).toEqual([2000, 4000, 8000, 10000, 10000])
      })
    )

    it.effect("minDelay alone: capped at 120 seconds; maxDelay alone: from the model's delay", () =>
      Effect.gen(function* () {
        const min = yield* run(pending, [ready], { maxAttempts: 9, minDelay: "1 second" })
        expect(min.delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000])
        const max = yield* run(pending, [ready], { maxAttempts: 4, maxDelay: "12 seconds" })
        expect(max.delays).toEqual([5000, 10000, 12000])
        const equal = yield* run(pending, [ready], {
          maxAttempts: 3,
          minDelay: "3 seconds",
          maxDelay: "3 seconds"
        })
        expect(equal.delays).toEqual([3000, 3000])
      })
    )

    it.effect("a schedule replaces the delays; the attempts still stop at maxAttempts", () =>
      Effect.gen(function* () {
        const r = yield* run(pending, [ready], { maxAttempts: 3, schedule: Schedule.spaced("1 second") })
        expect([r.calls, r.delays]).toEqual([3, [1000, 1000]])
        const short = yield* run(pending, [ready], { schedule: Schedule.recurs(1) })
        expect(short.calls).toBe(2)
      })
    )
  })

  it.effect("bad options: each says what is wrong", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Waiter.WaiterOptions, string]> = [
        [{ maxAttempts: 0 }, "maxAttempts must be a positive integer, not 0"],
        [{ maxAttempts: 1.5 }, "maxAttempts must be a positive integer, not 1.5"],
        [{ minDelay: "soon" as never }, "minDelay and maxDelay must be durations (got soon and undefined)"],
        [{ maxDelay: "later" as never }, "minDelay and maxDelay must be durations (got undefined and later)"],
        [{ minDelay: 0 }, "minDelay must be a finite duration above zero, not 0"],
        [
          { minDelay: "10 seconds", maxDelay: "9 seconds" },
          "maxDelay must be a finite duration no shorter than minDelay (10s), not 9s"
        ],
        [
          { minDelay: "1 second", maxDelay: Number.POSITIVE_INFINITY },
          "maxDelay must be a finite duration no shorter than minDelay (1s), not Infinity"
        ]
      ]
      for (const [options, message] of cases) {
        const r = yield* run([{ output: { State: "ready" } }], [ready], options)
        const error = failureOf(r.exit) as Waiter.InvalidWaiterOptions
        expect({ message: error.message, operation: error.operation, calls: r.calls }).toEqual({
          message,
          operation: "Describe",
          calls: 0
        })
      }
    })
  )
})
