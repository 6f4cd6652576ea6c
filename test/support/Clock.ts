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
  effect: Effect.Effect<A, E>
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly delays: ReadonlyArray<number> }> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    const delays: Array<number> = []
    for (let i = 0; i < 10_000; i++) {
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
    return yield* Effect.dieMessage("the driven effect did not finish")
  })

/** Waits in real time until `condition` holds (for I/O to arrive), up to `timeoutMs`. */
export const waitUntil = (condition: () => boolean, timeoutMs = 3000): Effect.Effect<void> =>
  Effect.gen(function* () {
    const until = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > until) return yield* Effect.dieMessage("condition not reached in time")
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
