import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Retry from "../../../src/Request/Retry.js"
import { settled } from "../../support/Clock.js"

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
      expect(Exit.isSuccess(yield* settled(fiber, "the 10 acquires after 30 s of waits"))).toBe(true)
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

// Found by mutation testing (mutation/README.md): each value below at its default, each precedence
// with both sources set, each check of the header parsing with a value it must reject.
describe("Retry defaults and header parsing, value by value", () => {
  it("every default of standard(), adaptive(), none and fromSchedule()", () => {
    const standard = Retry.standard()
    expect(standard).toEqual({
      mode: "standard",
      maxAttempts: 3,
      baseDelayMs: 100,
      throttlingBaseDelayMs: 500,
      maxBackoffMs: 20_000,
      maxRetryAfterMs: 20_000,
      quotaCapacity: 500
    })
    expect(Retry.adaptive()).toEqual({ ...standard, mode: "adaptive" })
    expect(Retry.none).toEqual({ ...standard, mode: "none", maxAttempts: 1 })
    const schedule = Schedule.spaced("10 millis")
    expect(Retry.fromSchedule(schedule)).toEqual({ ...standard, maxAttempts: 100, schedule })
    expect(Retry.fromSchedule(schedule, { quotaCapacity: 7 }).quotaCapacity).toBe(7)
  })

  it("options replace the defaults one by one", () => {
    const p = Retry.adaptive({
      maxAttempts: 5,
      baseDelayMs: 10,
      throttlingBaseDelayMs: 20,
      maxBackoffMs: 30,
      maxRetryAfterMs: 25,
      quotaCapacity: 40
    })
    expect(p).toEqual({
      mode: "adaptive",
      maxAttempts: 5,
      baseDelayMs: 10,
      throttlingBaseDelayMs: 20,
      maxBackoffMs: 30,
      maxRetryAfterMs: 25,
      quotaCapacity: 40
    })
    // the cap applies to the throttled base too
    expect(Retry.backoffMs(p, 3, true, 0.5)).toBe(15)
  })

  it("maxAttempts: 1 is the least, and it must be an integer", () => {
    expect(Retry.standard({ maxAttempts: 1 }).maxAttempts).toBe(1)
    expect(() => Retry.standard({ maxAttempts: 1.5 })).toThrow(
      "maxAttempts must be a positive integer, got 1.5"
    )
    expect(() => Retry.adaptive({ maxAttempts: -1 })).toThrow(RangeError)
    expect(() => Retry.withMaxAttempts(Retry.standard(), 0)).toThrow(RangeError)
  })

  it("withMaxAttempts keeps the mode, the delays, the quota and the schedule", () => {
    const schedule = Schedule.spaced("10 millis")
    const p = Retry.withMaxAttempts(Retry.fromSchedule(schedule, { quotaCapacity: 9 }), 2)
    expect(p).toEqual({ ...Retry.standard({ quotaCapacity: 9 }), maxAttempts: 2, schedule })
    const adaptive = Retry.withMaxAttempts(Retry.adaptive({ baseDelayMs: 1 }), 4)
    expect(adaptive).toMatchObject({ mode: "adaptive", baseDelayMs: 1, maxAttempts: 4 })
  })

  it("Retry-After: white space around the value, x-amz-retry-after first, whole numbers only", () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0)
    expect(Retry.retryAfterMs(undefined, now)).toBeUndefined()
    expect(Retry.retryAfterMs({ "retry-after": " 3 " }, now)).toBe(3000)
    expect(Retry.retryAfterMs({ "retry-after": "120" }, now)).toBe(120_000)
    expect(Retry.retryAfterMs({ "x-amz-retry-after": " 1500 " }, now)).toBe(1500)
    // both set: the millisecond header wins
    expect(Retry.retryAfterMs({ "x-amz-retry-after": "1500", "retry-after": "3" }, now)).toBe(1500)
    // an x-amz-retry-after that is not a number of ms leaves Retry-After to decide
    expect(Retry.retryAfterMs({ "x-amz-retry-after": "soon", "retry-after": "2" }, now)).toBe(2000)
    expect(Retry.retryAfterMs({ "x-amz-retry-after": "1500ms" }, now)).toBeUndefined()
    expect(Retry.retryAfterMs({ "x-amz-retry-after": "ms1500" }, now)).toBeUndefined()
    expect(Retry.retryAfterMs({ "retry-after": "3abc" }, now)).toBeUndefined()
    expect(Retry.retryAfterMs({ "retry-after": "abc3" }, now)).toBeUndefined()
    // a date already past waits nothing
    expect(Retry.retryAfterMs({ "retry-after": "Sun, 31 Dec 2023 23:59:00 GMT" }, now)).toBe(0)
  })

  it("the quota: a retry may take the last tokens; a quota of 0 never counts", () => {
    const q = new Retry.RetryQuota(10)
    expect(q.acquire(10)).toBe(true)
    expect(q.tokens).toBe(0)
    expect(q.acquire(1)).toBe(false)
    const off = new Retry.RetryQuota(0)
    off.release(5)
    expect(off.tokens).toBe(0)
    expect(off.acquire(5)).toBe(true)
    expect(off.tokens).toBe(0)
  })
})

// The adaptive limiter's numbers, as the other AWS SDKs compute them: the measured send rate is
// smoothed per half-second bucket (0.8 new, 0.2 old); a throttle sets the rate to 0.7 times the
// measured rate (the lower of it and the current rate once enabled); after it the rate follows
// 0.4 * (t - t_throttle - W)^3 + max_rate with W = cbrt(max_rate * 0.3 / 0.4), never more than twice
// the measured rate, never under 0.5 a second.
describe("adaptive rate limiter, value by value", () => {
  const driven = () => {
    const limiter = new Retry.RateLimiter(0)
    // 4 requests a second for 2 seconds
    const before: Array<number> = []
    for (let i = 0; i < 8; i++) {
      limiter.update(i / 4, false)
      before.push(limiter.rate)
    }
    return { limiter, before }
  }

  it("the measured rate, the throttled rate and the cubic recovery", () => {
    const { limiter, before } = driven()
    // not yet throttled: cubic from 0 capped at twice the measured rate, floored at 0.5
    expect(before.slice(0, 5)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5])
    expect(before[5]).toBeCloseTo(0.78125, 10)
    expect(before[6]).toBeCloseTo(1.35, 10)
    expect(before[7]).toBeCloseTo(2.14375, 10)
    expect(limiter.isEnabled).toBe(false)
    // throttled at t = 2: the measured rate was 4.0064 a second
    limiter.update(2, true)
    expect(limiter.isEnabled).toBe(true)
    expect(limiter.rate).toBeCloseTo(0.7 * 4.0064, 10)
    const recovery = [2.5, 3, 4, 5, 6].map((t) => {
      limiter.update(t, false)
      return limiter.rate
    })
    // t = 2.5: W = cbrt(4.0064 * 0.3 / 0.4); 0.4 * (0.5 - W)^3 + 4.0064
    const w = Math.cbrt((4.0064 * 0.3) / 0.4)
    expect(recovery[0]).toBeCloseTo(0.4 * (0.5 - w) ** 3 + 4.0064, 10)
    expect(recovery[1]).toBeCloseTo(3.9716203532151098, 10)
    // one request a second from then on: twice the falling measured rate caps the cubic
    expect(recovery[2]).toBeCloseTo(2.4321024, 10)
    expect(recovery[3]).toBeCloseTo(2.08642048, 10)
    expect(recovery[4]).toBeCloseTo(2.017284096, 10)
    // throttled again while enabled: 0.7 times the lower of the measured and the current rate
    limiter.update(6.2, true)
    expect(limiter.rate).toBeCloseTo(0.7060494336, 10)
  })

  it.effect(
    "acquire: one token a request, the bucket holds a second's worth, the wait is to the millisecond",
    () =>
      Effect.gen(function* () {
        const { limiter } = driven()
        limiter.update(2, true)
        const rate = limiter.rate
        yield* TestClock.setTime(2000)
        // the bucket held 1.69375 tokens (filled at the rates before the throttle): the first request
        // goes at once, the next waits for the missing 0.30625 token at `rate` a second, to the ms
        const first = yield* Effect.fork(limiter.acquire)
        yield* Effect.yieldNow()
        expect(Option.isSome(yield* Fiber.poll(first))).toBe(true)
        const wait = Math.ceil((0.30625 / rate) * 1000)
        expect(wait).toBe(110)
        const second = yield* Effect.fork(limiter.acquire)
        yield* TestClock.adjust(wait - 1)
        expect(Option.isNone(yield* Fiber.poll(second))).toBe(true)
        yield* TestClock.adjust(1)
        expect(Exit.isSuccess(yield* settled(second, `the second acquire after its ${wait} ms wait`))).toBe(
          true
        )
        // after a long pause the bucket holds `rate` tokens (2.8): two requests at once, not three
        yield* TestClock.adjust("10 seconds")
        yield* limiter.acquire
        yield* limiter.acquire
        const third = yield* Effect.fork(limiter.acquire)
        yield* Effect.yieldNow()
        expect(Option.isNone(yield* Fiber.poll(third))).toBe(true)
        yield* TestClock.adjust("1 second")
        expect(Exit.isSuccess(yield* settled(third, "the third acquire after a 1-second wait"))).toBe(true)
      })
  )

  it.effect("acquire: a full bucket of exactly one token (rates under 1 a second) sends at once", () =>
    Effect.gen(function* () {
      const { limiter } = driven()
      for (const t of [2, 2.5, 3, 4, 5, 6]) limiter.update(t, t === 2)
      limiter.update(6.2, true)
      expect(limiter.rate).toBeLessThan(1)
      // long after: the bucket is full, and holds one token
      yield* TestClock.setTime(60_000)
      const fiber = yield* Effect.fork(limiter.acquire)
      yield* Effect.yieldNow()
      expect(Option.isSome(yield* Fiber.poll(fiber))).toBe(true)
    })
  )
})
