import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Retry from "../../../src/Request/Retry.js"

describe("Retry policies", () => {
  it("standard: 3 attempts, backoff from 100 ms (500 ms throttled), capped at 20 s", () => {
    const p = Retry.standard()
    expect(p.maxAttempts).toBe(3)
    expect(Retry.backoffMs(p, 0, false, 0.999)).toBe(99)
    expect(Retry.backoffMs(p, 0, true, 0.999)).toBe(499)
    expect(Retry.backoffMs(p, 3, false, 0.999)).toBe(799)
    expect(Retry.backoffMs(p, 20, true, 0.999)).toBe(19_980)
    expect(Retry.backoffMs(p, 5, false, 0)).toBe(0)
    expect(() => Retry.standard({ maxAttempts: 0 })).toThrow(/positive integer/)
    expect(Retry.withMaxAttempts(p, 7).maxAttempts).toBe(7)
    expect(Retry.none.maxAttempts).toBe(1)
  })

  it("reads Retry-After (seconds or an http-date) and x-amz-retry-after (ms)", () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0)
    expect(Retry.retryAfterMs({ "retry-after": "3" }, now)).toBe(3000)
    expect(Retry.retryAfterMs({ "x-amz-retry-after": "1500" }, now)).toBe(1500)
    expect(Retry.retryAfterMs({ "retry-after": "Mon, 01 Jan 2024 00:00:10 GMT" }, now)).toBe(10_000)
    expect(Retry.retryAfterMs({ "retry-after": "soon" }, now)).toBeUndefined()
    expect(Retry.retryAfterMs({}, now)).toBeUndefined()
  })

  it("the quota: 5 a retry, 10 after a timeout, refunds on success, 1 for a first-try success", () => {
    const q = new Retry.RetryQuota(20)
    expect(q.acquire(Retry.TIMEOUT_RETRY_COST)).toBe(true)
    expect(q.acquire(Retry.RETRY_COST)).toBe(true)
    expect(q.tokens).toBe(5)
    expect(q.acquire(Retry.TIMEOUT_RETRY_COST)).toBe(false)
    expect(q.tokens).toBe(5)
    q.release(10)
    expect(q.tokens).toBe(15)
    q.release(0)
    expect(q.tokens).toBe(16)
    q.release(100)
    expect(q.tokens).toBe(20)
    const off = new Retry.RetryQuota(0)
    expect(off.acquire(1_000)).toBe(true)
  })
})

describe("adaptive rate limiter", () => {
  it.effect("stays off until throttled, then limits the send rate and recovers", () =>
    Effect.gen(function* () {
      const limiter = new Retry.RateLimiter(0)
      // not enabled: never waits
      for (let i = 0; i < 100; i++) yield* limiter.acquire
      expect(limiter.isEnabled).toBe(false)
      // 10 requests per second for 2 seconds, then a throttle
      for (let t = 0; t < 20; t++) limiter.update(t / 10, false)
      limiter.update(2, true)
      expect(limiter.isEnabled).toBe(true)
      const throttledRate = limiter.rate
      expect(throttledRate).toBeGreaterThan(0)
      // acquiring more tokens than the bucket holds must wait on the clock
      yield* TestClock.setTime(2000)
      const fiber = yield* Effect.fork(Effect.forEach(Array.from({ length: 10 }), () => limiter.acquire))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("30 seconds")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      // successes over time raise the rate again (CUBIC)
      for (let t = 0; t < 50; t++) limiter.update(3 + t / 5, false)
      expect(limiter.rate).toBeGreaterThan(throttledRate)
    })
  )
})

describe("fromSchedule", () => {
  it("keeps the schedule and a generous attempt limit", () => {
    const schedule = Schedule.spaced("10 millis")
    const p = Retry.fromSchedule(schedule, { maxAttempts: 4 })
    expect(p.schedule).toBe(schedule)
    expect(p.maxAttempts).toBe(4)
  })
})
