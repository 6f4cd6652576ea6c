import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Cache from "../../../src/Credentials/Cache.js"
import {
  type AwsCredentials,
  CredentialsError,
  type CredentialsProvider,
  make as makeCredentials
} from "../../../src/Credentials/Credentials.js"
import { settled } from "../../support/Clock.js"

const minutes = (n: number) => n * 60_000

/** A provider whose fetches are counted, and each answers what `next` says at that moment. */
const scripted = Effect.gen(function* () {
  const calls = yield* Ref.make(0)
  const next = yield* Ref.make<(n: number, now: number) => Effect.Effect<AwsCredentials, CredentialsError>>(
    (n, now) =>
      Effect.succeed(
        makeCredentials({
          accessKeyId: `AKID${n}`,
          secretAccessKey: `secret${n}`,
          expiration: new Date(now + minutes(60)),
          source: "test"
        })
      )
  )
  const fetch = Effect.gen(function* () {
    const n = yield* Ref.updateAndGet(calls, (c) => c + 1)
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    const f = yield* Ref.get(next)
    return yield* f(n, now)
  })
  const provider: CredentialsProvider = { get: fetch, refresh: fetch }
  return { provider, calls, next }
})

const failing = (message: string) => () => Effect.fail(new CredentialsError({ provider: "test", message }))

/** Log lines written while the effect runs. */
const captureLogs = Effect.gen(function* () {
  const lines = yield* Ref.make<Array<string>>([])
  const logger = Logger.make(({ message, logLevel }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    Effect.runSync(Ref.update(lines, (l) => [...l, `${logLevel.label} ${text}`]))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

const noJitter = { jitter: 0, refreshWindow: "5 minutes" } as const

/** Yields until every fiber is suspended (waiting), so a test knows they all joined the refresh. */
const allSuspended = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.gen(function* () {
    for (let round = 0; round < 100; round++) {
      const statuses = yield* Effect.forEach(fibers, Fiber.status)
      if (statuses.every((s) => s._tag === "Suspended")) return
      yield* Effect.yieldNow()
    }
    throw new Error("fibers did not all suspend")
  })

/** Lets the cache's background refresh run to its end (it runs when the test fiber yields). */
const settle = Effect.repeatN(Effect.yieldNow(), 50)

/** The fiber's result once every other fiber has run; a failure naming `what` if it still waits. */
const joined = <A, E>(fiber: Fiber.Fiber<A, E>, what: string): Effect.Effect<A, E> =>
  Effect.flatMap(settled(fiber, what), (exit) => exit)

/** Runs `effect` in a fiber and takes its result once every other fiber has run (see `joined`). */
const answered = <A, E>(effect: Effect.Effect<A, E>, what: string): Effect.Effect<A, E> =>
  Effect.flatMap(Effect.fork(effect), (fiber) => joined(fiber, what))

/** Like `answered`, the exit of `effect` (a failure included) once every other fiber has run. */
const exitOf = <A, E>(effect: Effect.Effect<A, E>, what: string): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.flatMap(Effect.fork(effect), (fiber) => settled(fiber, what))

/** True when the fiber has finished after letting every other fiber run. */
const finished = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.map(Effect.zipRight(settle, Fiber.poll(fiber)), (exit) => exit._tag === "Some")

/** The credentials without a `source` when `drop` (the cache then names itself). */
const withoutSource = (credentials: AwsCredentials, drop: boolean): AwsCredentials => {
  if (!drop) return credentials
  const { source: _, ...rest } = credentials
  return rest
}

interface Sleeper {
  readonly startedAt: number
  readonly wakeAt: number
  readonly wake: Effect.Effect<boolean>
}

/**
 * A clock the test moves by hand: `setTime` changes the time without running any timer (timers
 * that are due but late, as on a busy event loop); `wake` runs the timers it picks. With `tick`,
 * each read of the time returns a time `tick` ms later than the one before.
 */
const manualClock = (options: { readonly tick?: number } = {}) => {
  let now = 0
  const sleepers: Array<Sleeper> = []
  const read = () => {
    const t = now
    now += options.tick ?? 0
    return t
  }
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: read,
    currentTimeMillis: Effect.sync(read),
    unsafeCurrentTimeNanos: () => BigInt(read()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(read()) * 1_000_000n),
    sleep: (duration) =>
      Effect.flatMap(Deferred.make<void>(), (deferred) => {
        sleepers.push({
          startedAt: now,
          wakeAt: now + Duration.toMillis(duration),
          wake: Deferred.succeed(deferred, undefined)
        })
        return Deferred.await(deferred)
      })
  }
  return {
    ...clock,
    setTime: (t: number) => {
      now = t
    },
    wake: (pick: (sleeper: Sleeper) => boolean) => {
      const picked = sleepers.filter(pick)
      if (picked.length === 0) throw new Error("no timer matches: none was started as the test expects")
      for (const sleeper of picked) {
        sleepers.splice(sleepers.indexOf(sleeper), 1)
        Effect.runSync(sleeper.wake)
      }
    }
  }
}

describe("Cache", () => {
  it.scoped("fetches once, then serves the cached credentials", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* scripted
      const cache = yield* Cache.make(provider, noJitter)
      // no clock moves here: a first get that does not answer at once is a refresh whose result
      // never reached its callers (it would otherwise hang until vitest's timeout)
      const a = yield* answered(cache.get, "the first get's answer from its refresh")
      const b = yield* answered(cache.get, "the second get's answer from the cache")
      expect(a.accessKeyId).toBe("AKID1")
      expect(b).toBe(a)
      expect(yield* Ref.get(calls)).toBe(1)
    })
  )

  it.scoped("refreshes inside the window before expiry, not before it", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* scripted
      const cache = yield* Cache.make(provider, noJitter)
      yield* cache.get
      yield* TestClock.adjust(minutes(54))
      expect((yield* cache.get).accessKeyId).toBe("AKID1")
      expect(yield* Ref.get(calls)).toBe(1)
      yield* TestClock.adjust(minutes(2)) // 4 minutes left: inside the 5-minute window
      expect((yield* cache.get).accessKeyId).toBe("AKID1") // still valid: served while the refresh runs
      yield* settle
      expect(yield* Ref.get(calls)).toBe(2)
      expect((yield* cache.get).accessKeyId).toBe("AKID2")
    })
  )

  it.scoped("jitter moves the refresh earlier, never past the window's start", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* scripted
      const cache = yield* Cache.make(provider, { refreshWindow: "5 minutes", jitter: "1 minute" })
      yield* cache.get
      yield* TestClock.adjust(minutes(53) + 59_000) // 6 min 1 s left: before any jittered start
      yield* cache.get
      expect(yield* Ref.get(calls)).toBe(1)
      yield* TestClock.adjust(minutes(1) + 2_000) // 4 min 59 s left: inside the window whatever the jitter
      yield* cache.get
      yield* settle
      expect(yield* Ref.get(calls)).toBe(2)
    })
  )

  it.scoped("by default refreshes 5 minutes (plus up to 1 minute of jitter) before expiry", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* scripted
      const cache = yield* Cache.make(provider)
      yield* cache.get
      yield* TestClock.adjust(minutes(53) + 59_000) // 6 min 1 s left: before the default window and jitter
      yield* cache.get
      yield* settle
      expect(yield* Ref.get(calls)).toBe(1)
      yield* TestClock.adjust(minutes(1) + 2_000) // 4 min 59 s left: inside the default window
      yield* cache.get
      yield* settle
      expect(yield* Ref.get(calls)).toBe(2)
      expect(Duration.toMillis(Cache.DEFAULT_REFRESH_TIMEOUT)).toBe(30_000)
    })
  )

  it.scoped("runs a single refresh for 1,000 concurrent callers", () =>
    Effect.gen(function* () {
      const { provider, calls, next } = yield* scripted
      const gate = yield* Deferred.make<void>()
      const original = yield* Ref.get(next)
      yield* Ref.set(next, (n, now) => Effect.zipRight(Deferred.await(gate), original(n, now)))
      const cache = yield* Cache.make(provider, noJitter)
      const fibers = yield* Effect.forEach(Array.from({ length: 1000 }), () => Effect.fork(cache.get))
      yield* allSuspended(fibers)
      expect(yield* Ref.get(calls)).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      const results = yield* Effect.forEach(fibers, (f) =>
        joined(f, "every caller's answer once the refresh is let through")
      )
      expect(yield* Ref.get(calls)).toBe(1)
      expect(new Set(results.map((r) => r.accessKeyId))).toEqual(new Set(["AKID1"]))
    })
  )

  it.scoped("a forced refresh is single-flight too and replaces the cached credentials", () =>
    Effect.gen(function* () {
      const { provider, calls, next } = yield* scripted
      const cache = yield* Cache.make(provider, noJitter)
      yield* cache.get
      const gate = yield* Deferred.make<void>()
      const original = yield* Ref.get(next)
      yield* Ref.set(next, (n, now) => Effect.zipRight(Deferred.await(gate), original(n, now)))
      const fibers = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(cache.refresh))
      yield* allSuspended(fibers)
      yield* Deferred.succeed(gate, undefined)
      const results = yield* Effect.forEach(fibers, (f) =>
        joined(f, "every forced refresh's answer once it is let through")
      )
      expect(yield* Ref.get(calls)).toBe(2)
      expect(results.every((r) => r.accessKeyId === "AKID2")).toBe(true)
      expect((yield* cache.get).accessKeyId).toBe("AKID2")
    })
  )

  it.scoped("keeps still-valid credentials when a refresh fails, warns once, retries later", () =>
    Effect.gen(function* () {
      const { lines, layer } = yield* captureLogs
      yield* Effect.gen(function* () {
        const { provider, calls, next } = yield* scripted
        const cache = yield* Cache.make(provider, { ...noJitter, retryAfterFailure: "10 seconds" })
        yield* cache.get
        yield* Ref.set(next, failing("the service is down"))
        yield* TestClock.adjust(minutes(56))
        expect((yield* cache.get).accessKeyId).toBe("AKID1")
        yield* settle
        expect((yield* cache.get).accessKeyId).toBe("AKID1")
        yield* settle
        expect(yield* Ref.get(calls)).toBe(2) // the second get did not try again at once
        yield* TestClock.adjust(11_000)
        expect((yield* cache.get).accessKeyId).toBe("AKID1")
        yield* settle
        expect(yield* Ref.get(calls)).toBe(3)
      }).pipe(Effect.provide(layer))
      const warnings = (yield* Ref.get(lines)).filter((l) => l.startsWith("WARN"))
      expect(warnings).toHaveLength(2)
      expect(warnings[0]).toBe(
        "WARN refreshing credentials failed; keeping the cached ones until they expire at 1970-01-01T01:00:00.000Z: the service is down"
      )
      expect(warnings.join("\n")).not.toContain("secret1")
    })
  )

  it.scoped("fails when the refresh fails and the cached credentials have expired", () =>
    Effect.gen(function* () {
      const { provider, next } = yield* scripted
      const cache = yield* Cache.make(provider, noJitter)
      yield* cache.get
      yield* Ref.set(next, failing("the service is down"))
      yield* TestClock.adjust(minutes(61))
      const exit = yield* exitOf(cache.get, "the answer of a get whose refresh fails")
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error.message).toContain("the service is down")
      }
    })
  )

  it.scoped("never returns credentials that expire while a caller waits for a failing refresh", () =>
    Effect.gen(function* () {
      const { provider, next } = yield* scripted
      const cache = yield* Cache.make(provider, { ...noJitter, refreshTimeout: "1 hour" })
      yield* cache.get
      const gate = yield* Deferred.make<void>()
      yield* Ref.set(next, () =>
        Effect.zipRight(
          Deferred.await(gate),
          Effect.fail(new CredentialsError({ provider: "test", message: "timed out" }))
        )
      )
      yield* TestClock.adjust(minutes(57)) // in the window, still valid: served, the refresh starts
      expect((yield* cache.get).accessKeyId).toBe("AKID1")
      yield* TestClock.adjust(minutes(4)) // the cached credentials expire while the refresh runs
      const waiter = yield* Effect.fork(cache.get)
      yield* allSuspended([waiter])
      yield* Deferred.succeed(gate, undefined)
      const exit = yield* settled(waiter, "the waiter's answer once the failing refresh ends")
      expect(Exit.isFailure(exit)).toBe(true)
    })
  )

  it.scoped("returns the new credentials when the refresh a caller waits for succeeds after expiry", () =>
    Effect.gen(function* () {
      const { provider, next } = yield* scripted
      const cache = yield* Cache.make(provider, { ...noJitter, refreshTimeout: "1 hour" })
      yield* cache.get
      const gate = yield* Deferred.make<void>()
      const original = yield* Ref.get(next)
      yield* Ref.set(next, (n) =>
        Effect.zipRight(
          Deferred.await(gate),
          Effect.flatMap(
            Effect.clockWith((c) => c.currentTimeMillis),
            (now) => original(n, now)
          )
        )
      )
      yield* TestClock.adjust(minutes(57))
      expect((yield* cache.get).accessKeyId).toBe("AKID1")
      yield* TestClock.adjust(minutes(4))
      const waiter = yield* Effect.fork(cache.get)
      yield* allSuspended([waiter])
      yield* Deferred.succeed(gate, undefined)
      expect((yield* joined(waiter, "the waiter's answer once the refresh ends")).accessKeyId).toBe("AKID2")
    })
  )

  it.scoped("interrupting a waiting caller neither cancels the refresh nor poisons the cache", () =>
    Effect.gen(function* () {
      const { provider, calls, next } = yield* scripted
      const gate = yield* Deferred.make<void>()
      const original = yield* Ref.get(next)
      yield* Ref.set(next, (n, now) => Effect.zipRight(Deferred.await(gate), original(n, now)))
      const cache = yield* Cache.make(provider, noJitter)
      const first = yield* Effect.fork(cache.get) // starts the refresh
      yield* allSuspended([first])
      const second = yield* Effect.fork(cache.get)
      yield* allSuspended([second])
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, undefined)
      expect(
        (yield* joined(second, "the second caller's answer after the first was interrupted")).accessKeyId
      ).toBe("AKID1")
      expect((yield* cache.get).accessKeyId).toBe("AKID1")
      expect(yield* Ref.get(calls)).toBe(1)
    })
  )

  it.scoped("interrupting the only caller still lets the refresh land in the cache", () =>
    Effect.gen(function* () {
      const { provider, calls, next } = yield* scripted
      const gate = yield* Deferred.make<void>()
      const original = yield* Ref.get(next)
      yield* Ref.set(next, (n, now) => Effect.zipRight(Deferred.await(gate), original(n, now)))
      const cache = yield* Cache.make(provider, noJitter)
      const only = yield* Effect.fork(cache.get)
      yield* allSuspended([only])
      yield* Fiber.interrupt(only)
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.yieldNow()
      expect((yield* cache.get).accessKeyId).toBe("AKID1")
      expect(yield* Ref.get(calls)).toBe(1)
    })
  )

  it.scoped("rejects credentials that are already expired when fetched", () =>
    Effect.gen(function* () {
      const { provider, next } = yield* scripted
      yield* Ref.set(next, (n, now) =>
        Effect.succeed(
          makeCredentials({ accessKeyId: `AKID${n}`, secretAccessKey: "s", expiration: new Date(now - 1) })
        )
      )
      const cache = yield* Cache.make(provider, noJitter)
      const exit = yield* exitOf(cache.get, "the answer of a get whose refresh fails")
      expect(Exit.isFailure(exit)).toBe(true)
    })
  )

  it.scoped("keeps credentials without an expiration until a forced refresh", () =>
    Effect.gen(function* () {
      const { provider, calls, next } = yield* scripted
      yield* Ref.set(next, (n) =>
        Effect.succeed(makeCredentials({ accessKeyId: `AKID${n}`, secretAccessKey: "s" }))
      )
      const cache = yield* Cache.make(provider, noJitter)
      yield* answered(cache.get, "the first get's answer (credentials without an expiration)")
      yield* TestClock.adjust(minutes(60 * 24 * 365))
      expect((yield* cache.get).accessKeyId).toBe("AKID1")
      expect((yield* cache.refresh).accessKeyId).toBe("AKID2")
      expect(yield* Ref.get(calls)).toBe(2)
    })
  )

  it.scoped("short-lived credentials are refreshed at half their remaining life", () =>
    Effect.gen(function* () {
      const { provider, calls, next } = yield* scripted
      yield* Ref.set(next, (n, now) =>
        Effect.succeed(
          makeCredentials({
            accessKeyId: `AKID${n}`,
            secretAccessKey: "s",
            expiration: new Date(now + minutes(6))
          })
        )
      )
      const cache = yield* Cache.make(provider, { refreshWindow: "5 minutes", jitter: "1 minute" })
      yield* cache.get
      yield* TestClock.adjust(minutes(2))
      yield* cache.get
      expect(yield* Ref.get(calls)).toBe(1)
      yield* TestClock.adjust(minutes(1) + 1)
      yield* cache.get
      yield* settle
      expect(yield* Ref.get(calls)).toBe(2)
    })
  )

  describe("a hung refresh (defect 4)", () => {
    /** AKID1 for an hour, then every fetch hangs until `recover` makes them answer again. */
    const hangsAfterFirst = Effect.gen(function* () {
      const script = yield* scripted
      const original = yield* Ref.get(script.next)
      const recovered = yield* Ref.make(false)
      yield* Ref.set(script.next, (n, now) =>
        n === 1
          ? original(n, now)
          : Effect.flatMap(Ref.get(recovered), (ok) => (ok ? original(n, now) : Effect.never))
      )
      return { ...script, recover: Ref.set(recovered, true) }
    })

    it.scoped("callers holding valid credentials never wait for it", () =>
      Effect.gen(function* () {
        const { provider, calls } = yield* hangsAfterFirst
        const cache = yield* Cache.make(provider, noJitter)
        yield* cache.get
        yield* TestClock.adjust(minutes(56)) // due, still valid for 4 minutes
        const callers = yield* Effect.forEach(Array.from({ length: 100 }), () => Effect.fork(cache.get))
        for (const caller of callers) {
          expect(yield* finished(caller)).toBe(true)
          expect((yield* Fiber.join(caller)).accessKeyId).toBe("AKID1")
        }
        expect(yield* Ref.get(calls)).toBe(2) // one refresh started, in the background
      })
    )

    it.scoped(
      "a waiting caller gets a CredentialsError at the deadline; the next caller starts a new refresh",
      () =>
        Effect.gen(function* () {
          const { provider, calls, recover } = yield* hangsAfterFirst
          const cache = yield* Cache.make(provider, { ...noJitter, refreshTimeout: "20 seconds" })
          yield* cache.get
          yield* TestClock.adjust(minutes(61)) // expired: callers must wait
          const waiter = yield* Effect.fork(cache.get)
          yield* allSuspended([waiter])
          yield* TestClock.adjust(19_999)
          expect(yield* finished(waiter)).toBe(false)
          yield* TestClock.adjust(1)
          expect(yield* finished(waiter)).toBe(true)
          const exit = yield* Fiber.await(waiter)
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
            expect(exit.cause.error).toBeInstanceOf(CredentialsError)
            expect(exit.cause.error.provider).toBe("cache")
            expect(exit.cause.error.message).toBe(
              "the credentials refresh did not finish within 20000 ms (refreshTimeout): abandoned; the next caller that needs credentials starts a new one"
            )
          }
          // The endpoint recovers: the next caller does not join the dead refresh.
          yield* recover
          const after = yield* Effect.fork(cache.get)
          expect(yield* finished(after)).toBe(true)
          expect((yield* Fiber.join(after)).accessKeyId).toBe("AKID3")
          expect(yield* Ref.get(calls)).toBe(3)
        })
    )

    it.scoped("a background refresh abandoned at its deadline is retried, not joined", () =>
      Effect.gen(function* () {
        const { lines, layer } = yield* captureLogs
        yield* Effect.gen(function* () {
          const { provider, calls, recover } = yield* hangsAfterFirst
          const cache = yield* Cache.make(provider, { ...noJitter, retryAfterFailure: "10 seconds" })
          yield* cache.get
          yield* TestClock.adjust(minutes(56))
          expect((yield* cache.get).accessKeyId).toBe("AKID1") // starts refresh 2, which hangs
          yield* settle
          yield* TestClock.adjust(Cache.DEFAULT_REFRESH_TIMEOUT)
          yield* settle
          yield* recover
          yield* TestClock.adjust(10_000) // retryAfterFailure
          expect((yield* cache.get).accessKeyId).toBe("AKID1") // starts refresh 3
          yield* settle
          expect(yield* Ref.get(calls)).toBe(3)
          expect((yield* cache.get).accessKeyId).toBe("AKID3")
        }).pipe(Effect.provide(layer))
        const warnings = (yield* Ref.get(lines)).filter((l) => l.startsWith("WARN"))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain("did not finish within 30000 ms")
      })
    )

    it.effect("closing the cache's scope interrupts a hung refresh", () =>
      Effect.gen(function* () {
        const stopped = yield* Deferred.make<void>()
        const provider: CredentialsProvider = {
          get: Effect.onInterrupt(Effect.never, () => Deferred.succeed(stopped, undefined)),
          refresh: Effect.never
        }
        const scope = yield* Scope.make()
        const cache = yield* Scope.extend(Cache.make(provider, noJitter), scope)
        const caller = yield* Effect.fork(cache.get)
        yield* allSuspended([caller])
        yield* Scope.close(scope, Exit.void)
        expect(yield* Deferred.isDone(stopped)).toBe(true)
        yield* Fiber.interrupt(caller)
      })
    )

    it.scoped("a forced refresh waits at most until the deadline", () =>
      Effect.gen(function* () {
        const { provider } = yield* hangsAfterFirst
        const cache = yield* Cache.make(provider, { ...noJitter, refreshTimeout: "5 seconds" })
        yield* cache.get
        const forced = yield* Effect.fork(cache.refresh)
        yield* allSuspended([forced])
        yield* TestClock.adjust(5_000)
        expect(yield* finished(forced)).toBe(true)
        expect(Exit.isFailure(yield* Fiber.await(forced))).toBe(true)
        expect((yield* cache.get).accessKeyId).toBe("AKID1") // still valid: kept
      })
    )
  })
  describe("defaults, bounds and messages (issue 26)", () => {
    /** The jitter drawn at its largest (`Random.fixed` clamps to the top of the range). */
    const largestJitter = Effect.withRandom(Random.fixed([1e15]))
    const noDraw = Effect.withRandom(Random.fixed([0]))

    /** Gets at `at` ms after the first fetch, lets the refresh run, returns the fetch count. */
    const fetchesAfterGetAt = (cache: CredentialsProvider, calls: Ref.Ref<number>, at: number) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(at)
        yield* cache.get
        yield* settle
        return yield* Ref.get(calls)
      })

    it.scoped("the default window is 5 minutes exactly (jitter drawn as 0)", () =>
      Effect.gen(function* () {
        const { provider, calls } = yield* scripted
        const cache = yield* Cache.make(provider)
        yield* cache.get
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(55) - 1)).toBe(1)
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(55))).toBe(2)
      }).pipe(noDraw)
    )

    it.scoped("the default jitter reaches 1 minute exactly: due 6 minutes before expiry at the most", () =>
      Effect.gen(function* () {
        const { provider, calls } = yield* scripted
        const cache = yield* Cache.make(provider)
        yield* cache.get
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(54) - 1)).toBe(1)
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(54))).toBe(2)
      }).pipe(largestJitter)
    )

    it.scoped("a given jitter is drawn up to its whole length, inclusive", () =>
      Effect.gen(function* () {
        const { provider, calls } = yield* scripted
        const cache = yield* Cache.make(provider, { refreshWindow: "2 minutes", jitter: "3 minutes" })
        yield* cache.get
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(55) - 1)).toBe(1)
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(55))).toBe(2)
      }).pipe(largestJitter)
    )

    it.scoped("short-lived credentials are due at exactly half their remaining life", () =>
      Effect.gen(function* () {
        const { provider, calls, next } = yield* scripted
        yield* TestClock.setTime(minutes(10)) // a clock not at 0: the half is of (expiry - now)
        yield* Ref.set(next, (n, now) =>
          Effect.succeed(
            makeCredentials({
              accessKeyId: `AKID${n}`,
              secretAccessKey: "s",
              expiration: new Date(now + minutes(6))
            })
          )
        )
        const cache = yield* Cache.make(provider, { refreshWindow: "5 minutes", jitter: "1 minute" })
        yield* cache.get
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(13) - 1)).toBe(1)
        expect(yield* fetchesAfterGetAt(cache, calls, minutes(13))).toBe(2)
      }).pipe(largestJitter)
    )

    it.scoped(
      "after a failed refresh, retries after 10 seconds by default; credentials without an expiration",
      () =>
        Effect.gen(function* () {
          const { lines, layer } = yield* captureLogs
          yield* Effect.gen(function* () {
            const { provider, calls, next } = yield* scripted
            yield* Ref.set(next, (n) =>
              Effect.succeed(makeCredentials({ accessKeyId: `AKID${n}`, secretAccessKey: "s" }))
            )
            const cache = yield* Cache.make(provider)
            yield* cache.get
            const original = yield* Ref.get(next)
            yield* Ref.set(next, failing("the service is down"))
            const forced = yield* Effect.fork(cache.refresh)
            expect(Exit.isFailure(yield* settled(forced, "the failure of the forced refresh"))).toBe(true)
            expect(yield* Ref.get(calls)).toBe(2)
            yield* Ref.set(next, original)
            expect(yield* fetchesAfterGetAt(cache, calls, 9_999)).toBe(2)
            expect(yield* fetchesAfterGetAt(cache, calls, 10_000)).toBe(3)
            expect((yield* cache.get).accessKeyId).toBe("AKID3")
          }).pipe(Effect.provide(layer))
          expect((yield* Ref.get(lines)).filter((l) => l.startsWith("WARN"))).toEqual([
            "WARN refreshing credentials failed; keeping the cached ones: the service is down"
          ])
        })
    )

    it.scoped("a refresh that dies keeps the cached credentials and says it failed unexpectedly", () =>
      Effect.gen(function* () {
        const { lines, layer } = yield* captureLogs
        yield* Effect.gen(function* () {
          const { provider, next } = yield* scripted
          const cache = yield* Cache.make(provider, noJitter)
          yield* cache.get
          yield* Ref.set(next, () => Effect.die(new Error("a bug in the provider")))
          yield* TestClock.adjust(minutes(56))
          expect((yield* cache.get).accessKeyId).toBe("AKID1")
          yield* settle
          expect((yield* cache.get).accessKeyId).toBe("AKID1")
        }).pipe(Effect.provide(layer))
        expect((yield* Ref.get(lines)).filter((l) => l.startsWith("WARN"))).toEqual([
          "WARN refreshing credentials failed; keeping the cached ones until they expire at 1970-01-01T01:00:00.000Z: unexpected failure"
        ])
      })
    )

    it.scoped("a failure with nothing valid cached logs no warning (the caller gets the error)", () =>
      Effect.gen(function* () {
        const { lines, layer } = yield* captureLogs
        yield* Effect.gen(function* () {
          const { provider, next } = yield* scripted
          const cache = yield* Cache.make(provider, noJitter)
          const original = yield* Ref.get(next)
          yield* Ref.set(next, failing("the service is down"))
          expect(Exit.isFailure(yield* exitOf(cache.get, "the answer of a get whose refresh fails"))).toBe(
            true
          )
          yield* Ref.set(next, original)
          yield* cache.get
          yield* Ref.set(next, failing("still down"))
          yield* TestClock.adjust(minutes(61))
          expect(Exit.isFailure(yield* exitOf(cache.get, "the answer of a get whose refresh fails"))).toBe(
            true
          )
        }).pipe(Effect.provide(layer))
        expect((yield* Ref.get(lines)).filter((l) => l.startsWith("WARN"))).toEqual([])
      })
    )

    it.scoped("a provider that interrupts itself leaves the cached credentials in place", () =>
      Effect.gen(function* () {
        const { provider, calls, next } = yield* scripted
        const cache = yield* Cache.make(provider, noJitter)
        yield* cache.get
        const original = yield* Ref.get(next)
        yield* Ref.set(next, () => Effect.interrupt)
        const forced = yield* exitOf(cache.refresh, "the answer of a forced refresh")
        expect(Exit.isFailure(forced)).toBe(true)
        yield* Ref.set(next, original)
        expect((yield* cache.get).accessKeyId).toBe("AKID1")
        expect(yield* Ref.get(calls)).toBe(2)
      })
    )

    it.scoped("expired credentials from the provider: an error naming the provider and the expiry", () =>
      Effect.gen(function* () {
        const { provider, next } = yield* scripted
        yield* TestClock.setTime(Date.UTC(2026, 0, 2, 3, 4, 5))
        yield* Ref.set(next, (n, now) =>
          Effect.succeed(
            withoutSource(
              makeCredentials({
                accessKeyId: `AKID${n}`,
                secretAccessKey: "s",
                expiration: new Date(now - 1000),
                source: "process"
              }),
              n !== 1
            )
          )
        )
        const cache = yield* Cache.make(provider, noJitter)
        const named = yield* Effect.flip(answered(cache.get, "the answer of a get whose refresh fails"))
        expect(named.provider).toBe("process")
        expect(named.message).toBe(
          "the provider returned credentials that expired at 2026-01-02T03:04:04.000Z"
        )
        const unnamed = yield* Effect.flip(answered(cache.get, "the answer of a get whose refresh fails"))
        expect(unnamed.provider).toBe("cache")
        expect(unnamed.message).toBe(
          "the provider returned credentials that expired at 2026-01-02T03:04:04.000Z"
        )
      })
    )

    it.scoped("a due refresh in the background uses the provider's get; a forced one its refresh", () =>
      Effect.gen(function* () {
        const used = yield* Ref.make<Array<string>>([])
        const fetch = (how: string) =>
          Effect.flatMap(
            Ref.updateAndGet(used, (u) => [...u, how]),
            (u) =>
              Effect.map(Clock.currentTimeMillis, (now) =>
                makeCredentials({
                  accessKeyId: `AKID${u.length}`,
                  secretAccessKey: "s",
                  expiration: new Date(now + minutes(60))
                })
              )
          )
        const cache = yield* Cache.make({ get: fetch("get"), refresh: fetch("refresh") }, noJitter)
        yield* cache.get
        yield* TestClock.adjust(minutes(56))
        yield* cache.get
        yield* settle
        yield* cache.refresh
        expect(yield* Ref.get(used)).toEqual(["get", "get", "refresh"])
      })
    )

    it.scoped("the cache of an anonymous provider is anonymous; of any other, not", () =>
      Effect.gen(function* () {
        const { provider } = yield* scripted
        const anonymous = yield* Cache.make({ ...provider, anonymous: true }, noJitter)
        expect(anonymous.anonymous).toBe(true)
        expect((yield* anonymous.get).accessKeyId).toBe("AKID1")
        const signed = yield* Cache.make(provider, noJitter)
        expect(signed.anonymous).toBeUndefined()
        const notAnonymous = yield* Cache.make({ ...provider, anonymous: false }, noJitter)
        expect(notAnonymous.anonymous).toBeUndefined()
      })
    )

    it.effect("credentials that expire while the caller wakes up are not returned", () =>
      Effect.gen(function* () {
        const clock = manualClock({ tick: 1 }) // each read of the clock is 1 ms later: a slow machine
        yield* Effect.gen(function* () {
          const provider: CredentialsProvider = {
            get: Effect.map(Clock.currentTimeMillis, (now) =>
              // valid when the cache checks them (the next read), expired by the caller's
              makeCredentials({
                accessKeyId: "AKID1",
                secretAccessKey: "s",
                expiration: new Date(now + 2),
                source: "imds"
              })
            ),
            refresh: Effect.never
          }
          const cache = yield* Cache.make(provider, noJitter)
          const error = yield* Effect.flip(answered(cache.get, "the answer of a get whose refresh fails"))
          expect(error.provider).toBe("imds")
          expect(error.message).toBe("the refreshed credentials expired before they could be used")
          // credentials that do not say where they come from: the cache names itself
          const unnamed = yield* Cache.make(
            { ...provider, get: Effect.map(provider.get, (c) => withoutSource(c, true)) },
            noJitter
          )
          expect(
            (yield* Effect.flip(answered(unnamed.get, "the answer of a get whose refresh fails"))).provider
          ).toBe("cache")
        }).pipe(Effect.scoped, Effect.withClock(clock))
      })
    )

    /** Refresh 1 hangs; refresh 2 waits for `gate`, then gives AKID2. */
    const hangThenGated = Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const calls = yield* Ref.make(0)
      const provider: CredentialsProvider = {
        get: Effect.flatMap(
          Ref.updateAndGet(calls, (n) => n + 1),
          (n) =>
            n === 1
              ? Effect.never
              : Effect.as(
                  Deferred.await(gate),
                  makeCredentials({
                    accessKeyId: `AKID${n}`,
                    secretAccessKey: "s",
                    expiration: new Date(minutes(60))
                  })
                )
        ),
        refresh: Effect.never
      }
      return { provider, calls, open: Deferred.succeed(gate, undefined) }
    })

    it.effect(
      "a refresh whose timer runs late is not joined past its deadline, nor clears its successor",
      () =>
        Effect.gen(function* () {
          const clock = manualClock()
          yield* Effect.gen(function* () {
            const { provider, calls, open } = yield* hangThenGated
            const cache = yield* Cache.make(provider, noJitter) // refreshTimeout 30 s by default
            const starter = yield* Effect.fork(cache.get) // refresh 1 at 0 ms: deadline 30,000 ms
            yield* allSuspended([starter])
            // 30,000 ms: refresh 1's timer is due but has not run yet (a busy event loop)
            clock.setTime(30_000)
            const late = yield* Effect.fork(cache.get)
            yield* allSuspended([late])
            expect(yield* Ref.get(calls)).toBe(2) // refresh 1 is dead: refresh 2 started, 1 not joined
            // refresh 1's timer runs now: refresh 2 stays the one in flight
            clock.wake((sleeper) => sleeper.startedAt === 0)
            yield* settle
            expect(Exit.isFailure(yield* settled(starter, "the starter's failure at its late timer"))).toBe(
              true
            )
            const another = yield* Effect.fork(cache.get)
            yield* allSuspended([another])
            expect(yield* Ref.get(calls)).toBe(2) // joined refresh 2
            yield* open
            expect((yield* joined(late, "the late caller's answer from refresh 2")).accessKeyId).toBe("AKID2")
            expect((yield* joined(another, "the next caller's answer from refresh 2")).accessKeyId).toBe(
              "AKID2"
            )
          }).pipe(Effect.scoped, Effect.withClock(clock))
        })
    )

    it.effect(
      "a caller whose own timer ends its wait gets credentials another refresh cached meanwhile",
      () =>
        Effect.gen(function* () {
          const clock = manualClock()
          yield* Effect.gen(function* () {
            const { provider, calls, open } = yield* hangThenGated
            const cache = yield* Cache.make(provider, noJitter)
            const starter = yield* Effect.fork(cache.get) // refresh 1 at 0 ms: deadline 30,000 ms
            yield* allSuspended([starter])
            clock.setTime(10_000)
            const joiner = yield* Effect.fork(cache.get) // joins refresh 1: waits until its deadline
            yield* allSuspended([joiner])
            clock.setTime(30_000)
            const late = yield* Effect.fork(cache.get) // refresh 2
            yield* allSuspended([late])
            yield* open
            expect((yield* joined(late, "the late caller's answer from refresh 2")).accessKeyId).toBe("AKID2")
            expect(yield* Ref.get(calls)).toBe(2)
            // the joiner's own timer, due at refresh 1's deadline (20 s after it joined), runs first
            clock.wake((sleeper) => sleeper.startedAt === 10_000 && sleeper.wakeAt === 30_000)
            expect(yield* finished(joiner)).toBe(true)
            expect((yield* Fiber.join(joiner)).accessKeyId).toBe("AKID2")
          }).pipe(Effect.scoped, Effect.withClock(clock))
        })
    )
  })
})
