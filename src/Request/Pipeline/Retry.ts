/**
 * The retry stage: attempts until one succeeds or the policy gives up. The first attempt runs on
 * its own: the policy, the quota and the backoff are consulted only after a failure. Before the
 * policy, three failures are answered at once, each once a call: S3's redirect to the bucket's
 * region, a clock too far off (the offset learned from the server's `Date`), an expired token (the
 * credentials refreshed). Every retry sends the body again: one that cannot be (`Replay`) fails
 * the call with `BodyNotReplayable` instead.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { CallOptions, ServiceClient } from "../Client.js"
import * as ClockSkew from "../ClockSkew.js"
import { isServiceError } from "../Errors.js"
import * as Replay from "../Replay.js"
import * as Policy from "../Retry.js"
import type { BuiltRequest, Prepare } from "./Build.js"
import type { AttemptFailure, CallError, CallResult } from "./Outcome.js"
import type { OperationPlan } from "./Plan.js"
import * as Send from "./Send.js"
import * as Telemetry from "./Telemetry.js"

/** The retry policy set by `Request.withRetry` for the effects it wraps. */
export const currentRetryPolicy: FiberRef.FiberRef<Option.Option<Policy.RetryPolicy>> = FiberRef.unsafeMake(
  Option.none<Policy.RetryPolicy>()
)

interface LoopState {
  readonly attempt: number
  readonly costTaken: number
  readonly skewCorrected: boolean
  readonly tokenRefreshed: boolean
  readonly redirected: boolean
}

/**
 * The clock offset a clock-skew failure teaches, when it should be learned (see `ClockSkew`): the
 * response's `Date` is an HTTP date within `ClockSkew.MAX_CLOCK_OFFSET_MS` of ours, and for an
 * ambiguous authentication failure differs from the time signed with by more than the threshold.
 */
const serverTimeOffset = (
  failure: AttemptFailure,
  nowMs: number,
  currentOffsetMs: number
): number | undefined => {
  const offset = ClockSkew.offsetFromDate(failure.headers, nowMs)
  if (offset === undefined) return undefined
  const code = isServiceError(failure.error) ? failure.error.code : undefined
  return ClockSkew.shouldCorrect(code, offset, currentOffsetMs) ? offset : undefined
}

const policyFor = (client: ServiceClient, options: CallOptions | undefined) =>
  Effect.map(FiberRef.get(currentRetryPolicy), (fromFiber) => {
    const base = options?.retry ?? Option.getOrElse(fromFiber, () => client.config.retry.policy)
    return options?.maxAttempts === undefined ? base : Policy.withMaxAttempts(base, options.maxAttempts)
  })

/** The stage: the call's attempts under its retry policy, each in its span when `traced`. */
export const retry = (
  client: ServiceClient,
  plan: OperationPlan,
  firstBuilt: BuiltRequest,
  options: CallOptions | undefined,
  traced: boolean,
  prepare: Prepare
): Effect.Effect<CallResult, CallError, Scope.Scope> => {
  const quota = client.config.retry.quota
  const limiter = client.state.rateLimiter
  const provider = client.config.credentials
  const anonymous = plan.unsigned || provider.anonymous === true
  const streaming = plan.streamingOutput
  const toFailure = (error: CallError): AttemptFailure => ({ error, retry: undefined })
  const fetch = (refresh: boolean): Send.CredentialsFetch =>
    anonymous
      ? Effect.succeed(undefined)
      : Effect.mapError(refresh ? provider.refresh : provider.get, toFailure)
  let built = firstBuilt
  const replay = Replay.make(firstBuilt.request, client.config.replayBufferBytes)
  let refresh = false
  let driver: Schedule.ScheduleDriver<unknown, unknown> | undefined

  const attempt = (n: number): Effect.Effect<CallResult, AttemptFailure, Scope.Scope> => {
    const credentials = fetch(refresh)
    refresh = false
    const sent = replay === undefined ? built : { ...built, request: replay.forAttempt(built.request) }
    const run = Send.send(client, plan, sent, credentials, streaming)
    const limited = limiter === undefined ? run : Effect.zipRight(limiter.acquire, run)
    return traced ? Telemetry.attemptSpan(limited, plan, n) : limited
  }

  const succeeded =
    (state: LoopState) =>
    (result: CallResult): Effect.Effect<CallResult> => {
      quota.release(state.costTaken)
      const done = { output: result.output, response: { ...result.response, attempts: state.attempt } }
      if (limiter === undefined) return Effect.succeed(done)
      return Effect.map(Policy.nowSeconds, (now) => {
        limiter.update(now, false)
        return done
      })
    }

  const failed = (
    state: LoopState,
    failure: AttemptFailure
  ): Effect.Effect<CallResult, CallError, Scope.Scope> =>
    Effect.gen(function* () {
      const nowMs = yield* Clock.currentTimeMillis
      if (limiter && failure.retry !== undefined) limiter.update(nowMs / 1000, failure.retry === "throttling")
      yield* Effect.logDebug(`${plan.spanName} attempt ${state.attempt} failed: ${failure.error._tag}`)
      // Every retry below sends the body again: one that cannot be fails the call instead.
      const refusal = () => replay?.refusal(plan.name, failure.error)
      const again = (retried: LoopState) => {
        const refused = refusal()
        return refused === undefined ? next(retried) : Effect.fail(refused)
      }
      // Redirect to the bucket's region (S3), once.
      if (failure.redirectRegion !== undefined && !state.redirected) {
        const region = failure.redirectRegion
        const redirected = prepare(
          { ...client, config: { ...client.config, region } },
          plan,
          built.input,
          options
        )
        if (Either.isRight(redirected)) {
          built = redirected.right
          return yield* again({ ...state, attempt: state.attempt + 1, redirected: true })
        }
      }
      // A clock too far off: learn the offset from the server's Date and try again at once.
      if (failure.retry === "clockSkew") {
        const offset = serverTimeOffset(failure, nowMs, client.state.clockOffsetMs)
        if (state.skewCorrected || offset === undefined) return yield* Effect.fail(failure.error)
        client.state.clockOffsetMs = offset
        return yield* again({ ...state, attempt: state.attempt + 1, skewCorrected: true })
      }
      // An expired session token: refresh the credentials once and try again at once.
      if (failure.retry === "expiredToken") {
        if (state.tokenRefreshed || anonymous) return yield* Effect.fail(failure.error)
        refresh = true
        return yield* again({ ...state, attempt: state.attempt + 1, tokenRefreshed: true })
      }
      const policy = yield* policyFor(client, options)
      if (failure.retry === undefined || policy.mode === "none" || state.attempt >= policy.maxAttempts) {
        return yield* Effect.fail(failure.error)
      }
      const refused = refusal()
      if (refused !== undefined) return yield* Effect.fail(refused)
      const cost = failure.retry === "timeout" ? Policy.TIMEOUT_RETRY_COST : Policy.RETRY_COST
      if (!quota.acquire(cost)) return yield* Effect.fail(failure.error)
      if (policy.schedule) {
        driver ??= yield* Schedule.driver(policy.schedule)
        const wait = yield* Effect.either(driver.next(failure.error))
        if (Either.isLeft(wait)) return yield* Effect.fail(failure.error)
      } else {
        const random = yield* Effect.randomWith((r) => r.next)
        const backoff = Policy.backoffMs(policy, state.attempt - 1, failure.retry === "throttling", random)
        const delay = Policy.retryDelayMs(policy, backoff, Policy.retryAfterMs(failure.headers, nowMs))
        yield* Effect.sleep(Duration.millis(delay))
      }
      return yield* next({ ...state, attempt: state.attempt + 1, costTaken: state.costTaken + cost })
    })

  const next = (state: LoopState): Effect.Effect<CallResult, CallError, Scope.Scope> =>
    Effect.matchEffect(attempt(state.attempt), {
      onSuccess: succeeded(state),
      onFailure: (failure) => failed(state, failure)
    })

  return next({ attempt: 1, costTaken: 0, skewCorrected: false, tokenRefreshed: false, redirected: false })
}
