/**
 * Drives a forked effect under `TestClock` while it also does real I/O: whenever the fiber is
 * asleep on the test clock, the clock jumps to its wake-up time; otherwise real time passes a
 * little so sockets can make progress. Returns the result and every jump made (the delays).
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"

/** Waits `ms` of real time, whatever clock the test runs under (for sockets and servers to act). */
export const realPause = (ms: number): Effect.Effect<void> =>
  Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

export const runDriven = <A, E>(
  effect: Effect.Effect<A, E>,
  options: {
    /** What the effect is, for the failure message (default "the driven effect"). */
    readonly what?: string
    /** Real time allowed before the test fails saying so (default 45 s, under vitest's 60 s). */
    readonly timeoutMs?: number
  } = {}
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly delays: ReadonlyArray<number> }> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    const delays: Array<number> = []
    const timeoutMs = options.timeoutMs ?? 45_000
    const until = Date.now() + timeoutMs
    while (Date.now() <= until) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return { exit: done.value, delays }
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isNonEmpty(sleeps)) {
        const now = yield* TestClock.currentTimeMillis
        const next = Math.min(...Chunk.toReadonlyArray(sleeps))
        delays.push(next - now)
        yield* TestClock.adjust(next - now)
      } else {
        yield* realPause(2)
      }
    }
    yield* Fiber.interrupt(fiber).pipe(Effect.disconnect)
    return yield* Effect.dieMessage(
      `${options.what ?? "the driven effect"} did not finish within ${timeoutMs} ms of real time ` +
        `(${delays.length} sleeps on the test clock skipped${delays.length > 0 ? `, the last of ${delays.at(-1)} ms` : ""}; ` +
        "none pending: it waits for I/O or for something that never happens)"
    )
  })

/**
 * Waits in real time until `condition` holds (for I/O to arrive), up to `timeoutMs`; then fails
 * saying that `what` did not happen.
 */
export const waitUntil = (
  condition: () => boolean,
  timeoutMs = 10_000,
  what = "the awaited condition"
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const until = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > until) return yield* Effect.dieMessage(`${what} did not happen within ${timeoutMs} ms`)
      yield* realPause(2)
    }
  })

/**
 * A clock whose time the test sets, while sleeping for real (so loopback I/O and short retry
 * pauses still work): `withTime(effect)` runs an effect with it.
 */
export const manualClock = (startMillis: number) => {
  let now = startMillis
  const real = Clock.make()
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration: Duration.Duration) => real.sleep(duration)
  }
  return {
    set: (millis: number) => {
      now = millis
    },
    advance: (duration: Duration.DurationInput) => {
      now += Duration.toMillis(Duration.decode(duration))
    },
    withTime: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withClock(effect, clock)
  }
}

/**
 * Waits in real time until some fiber sleeps on the test clock (a call reaching its backoff
 * after real I/O), up to `timeoutMs`; then fails saying that `what` did not happen.
 */
export const waitUntilSleeping = (timeoutMs: number, what: string): Effect.Effect<void> =>
  Effect.gen(function* () {
    const until = Date.now() + timeoutMs
    while (Chunk.isEmpty(yield* TestClock.sleeps())) {
      if (Date.now() > until) return yield* Effect.dieMessage(`${what} did not happen within ${timeoutMs} ms`)
      yield* realPause(2)
    }
  })

/**
 * The exit of a fiber that has no I/O left to do (it waits only on the test clock or on other
 * fibers): lets every other fiber run, then takes its exit, or fails saying that `what` did not
 * happen. Deterministic, where `Fiber.await` would hang until vitest's timeout.
 *
 * @example
 * yield* TestClock.adjust("30 seconds")
 * expect(Exit.isSuccess(yield* settled(fiber, "the acquire after its wait"))).toBe(true)
 */
export const settled = <A, E>(fiber: Fiber.Fiber<A, E>, what: string): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.gen(function* () {
    for (let round = 0; round < 200; round++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(
      `${what} did not happen: the fiber still waits once every other fiber has run`
    )
  })

/** A timer of real time (whatever clock the test runs under), cancelled when interrupted. */
const realTimer = (ms: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * A deadline of real time for an await that would otherwise hang until vitest's timeout (a
 * fiber that never ends, a socket that never closes): after `ms` the test fails with a defect
 * saying that `what` did not happen. The awaited effect is disconnected, so that even one that
 * cannot be interrupted does not hold the test past the deadline.
 *
 * @example
 * yield* Fiber.await(call).pipe(within(5_000, "the call ended after its timeout"))
 */
export const within =
  (ms: number, what: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.raceFirst(
      Effect.disconnect(effect),
      Effect.zipRight(realTimer(ms), Effect.dieMessage(`${what} did not happen within ${ms} ms`))
    )
