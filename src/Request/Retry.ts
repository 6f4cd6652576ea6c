/**
 * Retry policies: what is retried, how long to wait, and how much retrying a client may do.
 *
 * - `Retry.standard()` (the default): at most 3 attempts, full-jitter exponential backoff from
 *   100 ms (500 ms after throttling) capped at 20 s, and a retry quota of 500 tokens per client
 *   (a retry costs 5, 10 after a timeout; a success gives back what its retries took, or 1). A
 *   server's `Retry-After` / `x-amz-retry-after` lengthens a wait, never beyond `maxRetryAfterMs`
 *   (default: `maxBackoffMs`, 20 s): a server cannot park a caller for a day.
 * - `Retry.adaptive()`: standard plus a client-side rate limiter that slows sending when the
 *   service throttles (a token bucket whose rate follows CUBIC), as in the other AWS SDKs.
 * - `Retry.none`: one attempt.
 * - `Retry.fromSchedule(schedule)`: any `Schedule` decides the delays and when to stop; what is
 *   retryable, the quota and the attempt limit still apply.
 *
 * Policies are values; set one on the session, a client, or a call (`Request.withRetry`).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"

export interface RetryPolicy {
  readonly mode: "standard" | "adaptive" | "none"
  /** Attempts in all, the first included. */
  readonly maxAttempts: number
  /** Base of the exponential backoff for ordinary retryable errors. */
  readonly baseDelayMs: number
  /** Base of the exponential backoff after throttling. */
  readonly throttlingBaseDelayMs: number
  readonly maxBackoffMs: number
  /**
   * The longest wait a server's `Retry-After` (or `x-amz-retry-after`) may ask for before a retry;
   * a longer one waits this long. Default: `maxBackoffMs` (20 s).
   */
  readonly maxRetryAfterMs: number
  /** Tokens in the client's retry quota (0 disables the quota). */
  readonly quotaCapacity: number
  /** When set, this schedule replaces the backoff: its delays are used, and its end stops retrying. */
  readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined
}

export interface StandardOptions {
  readonly maxAttempts?: number
  readonly baseDelayMs?: number
  readonly throttlingBaseDelayMs?: number
  readonly maxBackoffMs?: number
  /** Cap on the wait a server's `Retry-After` may ask for (default: `maxBackoffMs`). */
  readonly maxRetryAfterMs?: number
  readonly quotaCapacity?: number
}

const make = (mode: RetryPolicy["mode"], options: StandardOptions): RetryPolicy => {
  const maxAttempts = options.maxAttempts ?? 3
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`)
  }
  const maxBackoffMs = options.maxBackoffMs ?? 20_000
  const maxRetryAfterMs = options.maxRetryAfterMs ?? maxBackoffMs
  if (!(maxRetryAfterMs >= 0 && maxRetryAfterMs <= Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`maxRetryAfterMs must be a number of milliseconds from 0, got ${maxRetryAfterMs}`)
  }
  return {
    mode,
    maxAttempts,
    baseDelayMs: options.baseDelayMs ?? 100,
    throttlingBaseDelayMs: options.throttlingBaseDelayMs ?? 500,
    maxBackoffMs,
    maxRetryAfterMs,
    quotaCapacity: options.quotaCapacity ?? 500
  }
}

/** The standard policy (the default of every client). */
export const standard = (options: StandardOptions = {}): RetryPolicy => make("standard", options)

/** Standard retries plus client-side rate limiting when the service throttles. */
export const adaptive = (options: StandardOptions = {}): RetryPolicy => make("adaptive", options)

/** No retries. */
export const none: RetryPolicy = make("none", { maxAttempts: 1 })

/**
 * Retries retryable errors on a user `Schedule` (its input is the error). At most `maxAttempts`
 * attempts in all (default: as many as the schedule allows, up to 100).
 *
 * @example
 * Retry.fromSchedule(Schedule.exponential("50 millis").pipe(Schedule.intersect(Schedule.recurs(5))))
 */
export const fromSchedule = (
  schedule: Schedule.Schedule<unknown, unknown>,
  options: { readonly maxAttempts?: number; readonly quotaCapacity?: number } = {}
): RetryPolicy => ({
  ...make("standard", {
    maxAttempts: options.maxAttempts ?? 100,
    quotaCapacity: options.quotaCapacity ?? 500
  }),
  schedule
})

/** The same policy with another attempt limit (`AWS_MAX_ATTEMPTS`, `max_attempts`). */
export const withMaxAttempts = (policy: RetryPolicy, maxAttempts: number): RetryPolicy => ({
  ...make(policy.mode, { ...policy, maxAttempts }),
  schedule: policy.schedule
})

/** Full-jitter exponential backoff: random in [0, min(max, base * 2^retry)). */
export const backoffMs = (policy: RetryPolicy, retry: number, throttled: boolean, random: number): number => {
  const base = throttled ? policy.throttlingBaseDelayMs : policy.baseDelayMs
  return Math.floor(random * Math.min(policy.maxBackoffMs, base * 2 ** retry))
}

/** Retry-After (seconds or an http-date) / x-amz-retry-after (ms), in ms, when the response gave one. */
export const retryAfterMs = (
  headers: Readonly<Record<string, string>> | undefined,
  nowMs: number
): number | undefined => {
  if (headers === undefined) return undefined
  const amz = headers["x-amz-retry-after"]?.trim()
  if (amz !== undefined && /^\d+$/.test(amz)) return Number(amz)
  const value = headers["retry-after"]?.trim()
  if (value === undefined) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/**
 * The wait before a retry: the backoff, or what the server's Retry-After asked for when that is
 * longer, but never longer than the policy's `maxRetryAfterMs`.
 */
export const retryDelayMs = (
  policy: RetryPolicy,
  backoffMs: number,
  retryAfterMs: number | undefined
): number =>
  retryAfterMs === undefined ? backoffMs : Math.min(policy.maxRetryAfterMs, Math.max(retryAfterMs, backoffMs))

// ---------------------------------------------------------------------------------------------
// Retry quota (per client).

export const RETRY_COST = 5
export const TIMEOUT_RETRY_COST = 10
const NO_RETRY_INCREMENT = 1

/** The client's retry budget. Retries draw tokens; successes give them back. */
export class RetryQuota {
  private available: number
  constructor(readonly capacity: number) {
    this.available = capacity
  }

  /** Tokens left. */
  get tokens(): number {
    return this.available
  }

  /** Takes the cost of one retry; false (nothing taken) when the quota is exhausted. */
  acquire(cost: number): boolean {
    if (this.capacity === 0) return true
    if (cost > this.available) return false
    this.available -= cost
    return true
  }

  /** A call succeeded: give back what its retries took, or 1 if it needed none. */
  release(retryCostTaken: number): void {
    if (this.capacity === 0) return
    this.available = Math.min(
      this.capacity,
      this.available + (retryCostTaken > 0 ? retryCostTaken : NO_RETRY_INCREMENT)
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Adaptive mode: the client-side rate limiter of the AWS SDKs (token bucket + CUBIC).

const MIN_FILL_RATE = 0.5
const MIN_CAPACITY = 1
const SMOOTH = 0.8
const BETA = 0.7
const SCALE_CONSTANT = 0.4

/**
 * Limits the send rate once the service has throttled. Times come from Effect's `Clock`
 * (seconds as fractions), so tests drive it with `TestClock`.
 */
export class RateLimiter {
  private fillRate = 0
  private maxCapacity = 0
  private currentCapacity = 0
  private lastTimestamp: number | undefined
  private enabled = false
  private lastMaxRate = 0
  private lastThrottleTime: number
  private timeWindow = 0
  private measuredTxRate = 0
  private lastTxRateBucket: number
  private requestCount = 0

  constructor(now: number) {
    this.lastThrottleTime = now
    this.lastTxRateBucket = Math.floor(now)
  }

  /** Waits, if needed, until a request may be sent. */
  readonly acquire: Effect.Effect<void> = Effect.suspend(() => {
    if (!this.enabled) return Effect.void
    return Effect.flatMap(nowSeconds, (now) => {
      this.refill(now)
      if (this.currentCapacity >= 1) {
        this.currentCapacity -= 1
        return Effect.void
      }
      const waitSeconds = (1 - this.currentCapacity) / this.fillRate
      return Effect.sleep(Duration.millis(Math.ceil(waitSeconds * 1000))).pipe(Effect.andThen(this.acquire))
    })
  })

  /** Records a response: `throttled` when the service throttled this request. */
  update(now: number, throttled: boolean): void {
    this.updateMeasuredRate(now)
    let rate: number
    if (throttled) {
      const rateToUse = this.enabled ? Math.min(this.measuredTxRate, this.fillRate) : this.measuredTxRate
      this.lastMaxRate = rateToUse
      this.timeWindow = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE_CONSTANT)
      rate = rateToUse * BETA
      this.lastThrottleTime = now
      this.enabled = true
    } else {
      this.timeWindow = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE_CONSTANT)
      rate = SCALE_CONSTANT * (now - this.lastThrottleTime - this.timeWindow) ** 3 + this.lastMaxRate
    }
    this.updateRate(now, Math.min(rate, 2 * this.measuredTxRate))
  }

  /** The current send rate in requests per second (for tests and metrics). */
  get rate(): number {
    return this.fillRate
  }

  get isEnabled(): boolean {
    return this.enabled
  }

  private refill(now: number): void {
    if (this.lastTimestamp === undefined) {
      this.lastTimestamp = now
      return
    }
    const fill = (now - this.lastTimestamp) * this.fillRate
    this.currentCapacity = Math.min(this.maxCapacity, this.currentCapacity + fill)
    this.lastTimestamp = now
  }

  private updateRate(now: number, newRate: number): void {
    this.refill(now)
    this.fillRate = Math.max(newRate, MIN_FILL_RATE)
    this.maxCapacity = Math.max(newRate, MIN_CAPACITY)
    this.currentCapacity = Math.min(this.currentCapacity, this.maxCapacity)
  }

  private updateMeasuredRate(now: number): void {
    const bucket = Math.floor(now * 2) / 2
    this.requestCount++
    if (bucket > this.lastTxRateBucket) {
      const current = this.requestCount / (bucket - this.lastTxRateBucket)
      this.measuredTxRate = current * SMOOTH + this.measuredTxRate * (1 - SMOOTH)
      this.requestCount = 0
      this.lastTxRateBucket = bucket
    }
  }
}

/** Seconds (with fraction) from Effect's clock. */
export const nowSeconds: Effect.Effect<number> = Effect.clockWith((clock) =>
  Effect.map(clock.currentTimeMillis, (ms) => ms / 1000)
)
