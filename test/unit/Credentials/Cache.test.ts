import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
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

/** True when the fiber has finished after letting every other fiber run. */
const finished = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.map(Effect.zipRight(settle, Fiber.poll(fiber)), (exit) => exit._tag === "Some")

describe("Cache", () => {
  it.scoped("fetches once, then serves the cached credentials", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* scripted
      const cache = yield* Cache.make(provider, noJitter)
      const a = yield* cache.get
      const b = yield* cache.get
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
      const results = yield* Effect.forEach(fibers, Fiber.join)
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
      const results = yield* Effect.forEach(fibers, Fiber.join)
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
      expect(warnings[0]).toContain("the service is down")
      expect(warnings[0]).toContain("keeping the cached ones")
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
      const exit = yield* Effect.exit(cache.get)
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
      const exit = yield* Fiber.await(waiter)
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
      expect((yield* Fiber.join(waiter)).accessKeyId).toBe("AKID2")
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
      expect((yield* Fiber.join(second)).accessKeyId).toBe("AKID1")
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
      const exit = yield* Effect.exit(cache.get)
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
      yield* cache.get
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
            expect(exit.cause.error.message).toContain("did not finish within 20000 ms")
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
})
