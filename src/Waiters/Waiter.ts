/**
 * Waiters: `S3.waitUntilBucketExists(input, options?)` polls an operation until one of the model's
 * acceptors says success (the effect succeeds) or failure (`WaiterFailure`), or the attempts run
 * out (`WaiterTimeout`). Acceptors match the output through JMESPath (`path`, `pathAll`,
 * `pathAny`), the HTTP status (`status`) or the error code (`error`); an error no acceptor matches
 * ends the wait with that error.
 *
 * Polling is a `Schedule` on Effect's `Clock` (tests drive it with `TestClock`): by default the
 * model's constant delay, as the Go SDK waits; `minDelay` / `maxDelay` switch to exponential
 * backoff between the two; `schedule` replaces the delays altogether. Interruption
 * (`Effect.timeout`, `Fiber.interrupt`) stops the wait between or during attempts. Options are
 * checked before the first attempt: `maxAttempts` a positive integer, `minDelay` a finite duration
 * above zero, `maxDelay` a finite duration no shorter than `minDelay`; anything else fails with
 * `InvalidWaiterOptions` (never an endless or busy poll, never a thrown error).
 *
 * @example
 * ```ts
 * yield* S3.waitUntilBucketExists({ Bucket: "b" }, { maxAttempts: 5 })
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { Operation, RawResponse } from "../Request/Client.js"
import { isServiceError } from "../Request/Errors.js"

/** A failure acceptor matched: what is waited for will not happen. */
export class WaiterFailure extends Data.TaggedError("WaiterFailure")<{
  readonly operation: string
  /** The acceptor that matched (`matcher`, `argument`, `expected`). */
  readonly acceptor: Acceptor
  readonly attempts: number
  /** The service error the acceptor matched, if it matched one. */
  readonly cause?: unknown
}> {
  override get message(): string {
    const a = this.acceptor
    return `waiting on ${this.operation} failed after ${this.attempts} attempt(s): ${a.matcher}${
      a.argument === undefined ? "" : ` ${a.argument}`
    } = ${JSON.stringify(a.expected)}`
  }
}

/** The attempts ran out before an acceptor said success. */
export class WaiterTimeout extends Data.TaggedError("WaiterTimeout")<{
  readonly operation: string
  readonly attempts: number
}> {
  override get message(): string {
    return `waiting on ${this.operation} gave up after ${this.attempts} attempt(s)`
  }
}

/** The options of a wait cannot be used (see `WaiterOptions`); nothing was called. */
export class InvalidWaiterOptions extends Data.TaggedError("InvalidWaiterOptions")<{
  readonly operation: string
  readonly message: string
}> {}

/** An acceptor of the model (`*.waiters2.json`). */
export interface Acceptor {
  readonly state: "success" | "failure" | "retry"
  readonly matcher: "path" | "pathAll" | "pathAny" | "status" | "error"
  readonly argument?: string
  readonly expected: unknown
}

/** A waiter of the model. */
export interface WaiterSpec {
  /** Seconds between attempts. */
  readonly delay: number
  readonly maxAttempts: number
  readonly acceptors: ReadonlyArray<Acceptor>
  /** JMESPath, needed when an acceptor is a `path`, `pathAll` or `pathAny` matcher. */
  readonly search?: (expression: string, data: unknown) => unknown
}

/** Options of one wait. */
export interface WaiterOptions {
  /** Attempts in all, a positive integer (default: the model's). */
  readonly maxAttempts?: number | undefined
  /** With `maxDelay`: exponential backoff from this delay, above zero (default: the model's delay). */
  readonly minDelay?: Duration.DurationInput | undefined
  /** The longest delay between attempts, finite and no shorter than `minDelay` (default 120 seconds when `minDelay` is set). */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** Replaces the delays (attempts are still capped by `maxAttempts`). */
  readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined
}

/** A waiter: succeeds once the resource is in the awaited state. */
export type Waiter<I, E, R> = (
  input: I,
  options?: WaiterOptions
) => Effect.Effect<void, WaiterFailure | WaiterTimeout | InvalidWaiterOptions | E, R>

type Verdict =
  | { readonly _tag: "Retry" }
  | { readonly _tag: "Success" }
  | { readonly _tag: "Failure"; readonly acceptor: Acceptor; readonly cause: unknown }

const retry: Verdict = { _tag: "Retry" }

const equals = (a: unknown, b: unknown): boolean =>
  Equal.equals(a, b) || (typeof a === "object" && a !== null && JSON.stringify(a) === JSON.stringify(b))

const matches = (
  spec: WaiterSpec,
  acceptor: Acceptor,
  result: Either.Either<{ readonly output: unknown; readonly response: RawResponse }, unknown>
): boolean => {
  switch (acceptor.matcher) {
    case "status": {
      const status = Either.isRight(result)
        ? result.right.response.statusCode
        : isServiceError(result.left)
          ? result.left.statusCode
          : undefined
      return status === acceptor.expected
    }
    case "error": {
      if (Either.isRight(result)) return acceptor.expected === false
      if (!isServiceError(result.left)) return false
      if (typeof acceptor.expected === "boolean") return acceptor.expected
      return result.left.code === acceptor.expected || result.left._tag === acceptor.expected
    }
    default: {
      if (Either.isLeft(result) || acceptor.argument === undefined || spec.search === undefined) return false
      const value = spec.search(acceptor.argument, result.right.output)
      if (acceptor.matcher === "path") return equals(value, acceptor.expected)
      if (!Array.isArray(value) || value.length === 0) return false
      return acceptor.matcher === "pathAll"
        ? value.every((v) => equals(v, acceptor.expected))
        : value.some((v) => equals(v, acceptor.expected))
    }
  }
}

/** Makes a waiter that polls `operation`. */
export const make = <I, O, E, R>(
  operation: Operation<I, O, E, R>,
  spec: WaiterSpec
): Waiter<I, E, Exclude<R, Scope.Scope>> => {
  const name = operation.model.name
  return (input, options = {}) => {
    const attempt: Effect.Effect<Verdict, E, Exclude<R, Scope.Scope>> = Effect.scoped(
      Effect.flatMap(
        Effect.either(
          operation.withResponse(input) as Effect.Effect<{ output: O; response: RawResponse }, E, R>
        ),
        (result): Effect.Effect<Verdict, E> => {
          for (const acceptor of spec.acceptors) {
            if (!matches(spec, acceptor, result)) continue
            if (acceptor.state === "success") return Effect.succeed({ _tag: "Success" })
            if (acceptor.state === "retry") return Effect.succeed(retry)
            return Effect.succeed({
              _tag: "Failure",
              acceptor,
              cause: Either.isLeft(result) ? result.left : undefined
            })
          }
          return Either.isLeft(result) ? Effect.fail(result.left) : Effect.succeed(retry)
        }
      )
    ) as Effect.Effect<Verdict, E, Exclude<R, Scope.Scope>>
    return Effect.suspend(
      (): Effect.Effect<
        void,
        WaiterFailure | WaiterTimeout | InvalidWaiterOptions | E,
        Exclude<R, Scope.Scope>
      > => {
        const invalid = (message: string) =>
          Effect.fail(new InvalidWaiterOptions({ operation: name, message }))
        const maxAttempts = options.maxAttempts ?? spec.maxAttempts
        if (!(Number.isSafeInteger(maxAttempts) && maxAttempts >= 1)) {
          return invalid(`maxAttempts must be a positive integer, not ${maxAttempts}`)
        }
        let delays: Schedule.Schedule<unknown, unknown>
        if (options.schedule !== undefined) delays = options.schedule
        else if (options.minDelay !== undefined || options.maxDelay !== undefined) {
          const min = Duration.decodeUnknown(options.minDelay ?? Duration.seconds(spec.delay))
          const max = Duration.decodeUnknown(options.maxDelay ?? Duration.seconds(120))
          if (min._tag === "None" || max._tag === "None") {
            return invalid(
              `minDelay and maxDelay must be durations (got ${String(options.minDelay)} and ${String(options.maxDelay)})`
            )
          }
          const [minMs, maxMs] = [Duration.toMillis(min.value), Duration.toMillis(max.value)]
          if (!(minMs > 0 && Number.isFinite(minMs))) {
            return invalid(`minDelay must be a finite duration above zero, not ${Duration.format(min.value)}`)
          }
          if (!(maxMs >= minMs && Number.isFinite(maxMs))) {
            return invalid(
              `maxDelay must be a finite duration no shorter than minDelay (${Duration.format(min.value)}), not ${Duration.format(max.value)}`
            )
          }
          delays = Schedule.union(Schedule.exponential(min.value), Schedule.spaced(max.value))
        } else delays = Schedule.spaced(Duration.seconds(spec.delay))
        const policy = Schedule.passthrough(
          Schedule.intersect(delays, Schedule.recurs(maxAttempts - 1)).pipe(
            Schedule.whileInput((v: Verdict) => v._tag === "Retry")
          )
        )
        let attempts = 0
        const counted = Effect.tap(attempt, () => {
          attempts++
        })
        return Effect.flatMap(
          Effect.repeat(counted, policy),
          (verdict): Effect.Effect<void, WaiterFailure | WaiterTimeout> => {
            switch (verdict._tag) {
              case "Success":
                return Effect.void
              case "Failure":
                return Effect.fail(
                  new WaiterFailure({
                    operation: name,
                    acceptor: verdict.acceptor,
                    attempts,
                    cause: verdict.cause
                  })
                )
              case "Retry":
                return Effect.fail(new WaiterTimeout({ operation: name, attempts }))
            }
          }
        )
      }
    )
  }
}
