/**
 * A caching wrapper for any credentials provider.
 *
 * - Credentials are kept until shortly before they expire: a refresh starts `refreshWindow`
 *   (default 5 minutes) plus a random jitter (default up to 1 minute) before the expiration, or
 *   at half of their remaining lifetime when that is shorter. Credentials without an expiration
 *   are kept until a forced `refresh`.
 * - Exactly one refresh is in flight however many fibers ask: the first caller that finds the
 *   credentials due starts it in a fiber of the cache's own scope.
 * - A caller that holds valid (unexpired) credentials never waits for a refresh: it gets the
 *   cached ones while the refresh runs in the background. Only callers whose credentials are
 *   expired or absent (and `refresh`) wait for it.
 * - Every refresh has a deadline, `refreshTimeout` (default 30 seconds): a refresh still running
 *   then is abandoned (interrupted in the background) and fails with a `CredentialsError` saying
 *   it did not finish within that time; waiting callers get that error at the deadline at the
 *   latest. A refresh that failed or was abandoned is never joined again: the next caller that
 *   needs credentials starts a new one. The deadline bounds a whole refresh, whatever the
 *   provider's own timeouts are (raise it for a `credential_process` that prompts).
 * - A failed refresh while the old credentials are still valid keeps them, logs one warning, and
 *   is retried after `retryAfterFailure` (default 10 s). Expired credentials are never returned:
 *   once they are past their expiration a failed refresh fails the callers.
 * - Interrupting a waiting caller only stops that caller's wait: the refresh carries on for the
 *   others, and the cache keeps its result. Closing the cache's scope stops a refresh in flight.
 * - Time comes from Effect's `Clock` (and jitter from `Random`), so `TestClock` drives it.
 *
 * @example
 * ```ts
 * const cached = yield* Cache.make(yield* InstanceMetadata.make(), { refreshWindow: "10 minutes" })
 * const creds = yield* cached.get
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import * as SynchronizedRef from "effect/SynchronizedRef"
import {
  type AwsCredentials,
  Credentials,
  CredentialsError,
  type CredentialsProvider,
  isExpired
} from "./Credentials.js"

/** How the cache decides when to refresh. */
export interface CacheOptions {
  /** Refresh this long before the credentials expire (default 5 minutes). */
  readonly refreshWindow?: Duration.DurationInput | undefined
  /** Refresh up to this much earlier still, chosen at random per credentials (default 1 minute). */
  readonly jitter?: Duration.DurationInput | undefined
  /** After a failed refresh of still-valid credentials, try again after this long (default 10 s). */
  readonly retryAfterFailure?: Duration.DurationInput | undefined
  /**
   * The deadline of one refresh (default 30 seconds): a refresh still running then is abandoned
   * and fails with a `CredentialsError`; the next caller that needs credentials starts a new one.
   */
  readonly refreshTimeout?: Duration.DurationInput | undefined
}

/** The default deadline of one refresh. */
export const DEFAULT_REFRESH_TIMEOUT: Duration.Duration = Duration.seconds(30)

interface Entry {
  readonly credentials: AwsCredentials
  /** Epoch millis from which a `get` refreshes (Infinity: never by itself). */
  readonly refreshAt: number
}

/** A refresh in flight: its outcome, and the epoch millis at which it is abandoned. */
interface Inflight {
  readonly deferred: Deferred.Deferred<AwsCredentials, CredentialsError>
  readonly deadline: number
}

interface State {
  readonly entry: Entry | undefined
  readonly inflight: Inflight | undefined
}

const describeTime = (millis: number): string => new Date(millis).toISOString()

/**
 * Wraps a provider in a cache whose refreshes run in the current scope (closing it stops a
 * refresh in flight). The returned provider's `get` is the cached read; `refresh` forces a new
 * fetch (joining one already in flight) and fails if it fails.
 */
export const make = (
  provider: CredentialsProvider,
  options: CacheOptions = {}
): Effect.Effect<CredentialsProvider, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const windowMs = Duration.toMillis(Duration.decode(options.refreshWindow ?? Duration.minutes(5)))
    const jitterMs = Math.max(
      0,
      Math.floor(Duration.toMillis(Duration.decode(options.jitter ?? Duration.minutes(1))))
    )
    const retryMs = Duration.toMillis(Duration.decode(options.retryAfterFailure ?? Duration.seconds(10)))
    const timeoutMs = Math.max(
      1,
      Math.floor(Duration.toMillis(Duration.decode(options.refreshTimeout ?? DEFAULT_REFRESH_TIMEOUT)))
    )
    const state = yield* SynchronizedRef.make<State>({ entry: undefined, inflight: undefined })

    const refreshAtOf = (credentials: AwsCredentials, now: number): Effect.Effect<number> => {
      if (credentials.expiration === undefined) return Effect.succeed(Number.POSITIVE_INFINITY)
      const expiresAt = credentials.expiration.getTime()
      return Effect.map(Random.nextIntBetween(0, jitterMs + 1), (jitter) => {
        const lead = Math.min(windowMs + jitter, (expiresAt - now) / 2)
        return expiresAt - lead
      })
    }

    const deadlineError = () =>
      new CredentialsError({
        provider: "cache",
        message: `the credentials refresh did not finish within ${timeoutMs} ms (refreshTimeout): abandoned; the next caller that needs credentials starts a new one`
      })

    /**
     * Fetches and rejects credentials that are already expired. At the deadline the fetch is
     * abandoned: interrupted in the background (`disconnect`), so that even a fetch that does not
     * stop at once cannot hold the refresh past it.
     */
    const fetch = (forced: boolean): Effect.Effect<AwsCredentials, CredentialsError> =>
      Effect.flatMap(forced ? provider.refresh : provider.get, (credentials) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          isExpired(credentials, now)
            ? Effect.fail(
                new CredentialsError({
                  provider: credentials.source ?? "cache",
                  message: `the provider returned credentials that expired at ${describeTime(
                    credentials.expiration?.getTime() ?? now
                  )}`
                })
              )
            : Effect.succeed(credentials)
        )
      ).pipe(
        Effect.disconnect,
        Effect.timeoutFail({ duration: Duration.millis(timeoutMs), onTimeout: deadlineError })
      )

    /** Records the outcome of a refresh, then hands it to every waiter. */
    const finish = (
      inflight: Inflight,
      exit: Exit.Exit<AwsCredentials, CredentialsError>
    ): Effect.Effect<void> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        // Only this refresh's own slot is cleared: a newer refresh may have replaced it.
        const cleared = (s: State) => (s.inflight === inflight ? undefined : s.inflight)
        if (Exit.isSuccess(exit)) {
          const refreshAt = yield* refreshAtOf(exit.value, now)
          yield* SynchronizedRef.update(state, (s) => ({
            entry: { credentials: exit.value, refreshAt },
            inflight: cleared(s)
          }))
        } else {
          const warning = yield* SynchronizedRef.modify(state, (s): readonly [string | undefined, State] => {
            const old = s.entry
            if (old === undefined || isExpired(old.credentials, now) || Exit.isInterrupted(exit)) {
              return [undefined, { entry: old, inflight: cleared(s) }]
            }
            const expiresAt = old.credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY
            const retryAt = Math.min(now + retryMs, expiresAt)
            const failure = exit.cause._tag === "Fail" ? exit.cause.error.message : "unexpected failure"
            const until = Number.isFinite(expiresAt) ? ` until they expire at ${describeTime(expiresAt)}` : ""
            return [
              `refreshing credentials failed; keeping the cached ones${until}: ${failure}`,
              { entry: { credentials: old.credentials, refreshAt: retryAt }, inflight: cleared(s) }
            ]
          })
          if (warning !== undefined) yield* Effect.logWarning(warning)
        }
        yield* Deferred.done(inflight.deferred, exit)
      })

    /**
     * The refresh in flight, or a new one started in the cache's scope. A refresh past its
     * deadline is dead (its fiber abandons it at the deadline): never joined, replaced.
     */
    const startOrJoin = (forced: boolean): Effect.Effect<Inflight> =>
      Effect.uninterruptible(
        SynchronizedRef.modifyEffect(state, (s) =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            if (s.inflight !== undefined && now < s.inflight.deadline) return [s.inflight, s] as const
            const inflight: Inflight = {
              deferred: yield* Deferred.make<AwsCredentials, CredentialsError>(),
              deadline: now + timeoutMs
            }
            // interruptible: the fork would inherit this region's uninterruptibility
            yield* Effect.forkIn(
              Effect.interruptible(fetch(forced)).pipe(Effect.onExit((exit) => finish(inflight, exit))),
              scope
            )
            return [inflight, { entry: s.entry, inflight }] as const
          })
        )
      )

    /** After a failed refresh: the cached credentials if they are still valid, else the failure. */
    const fallback = (error: CredentialsError): Effect.Effect<AwsCredentials, CredentialsError> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const { entry } = yield* SynchronizedRef.get(state)
        if (entry !== undefined && !isExpired(entry.credentials, now)) return entry.credentials
        return yield* Effect.fail(error)
      })

    /**
     * Waits for a refresh, at most until its deadline; fails if what it produced expired during
     * the wait.
     */
    const await_ = (inflight: Inflight) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const credentials = yield* Deferred.await(inflight.deferred).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(Math.max(0, inflight.deadline - now)),
            onTimeout: deadlineError
          })
        )
        const after = yield* Clock.currentTimeMillis
        if (isExpired(credentials, after)) {
          return yield* Effect.fail(
            new CredentialsError({
              provider: credentials.source ?? "cache",
              message: "the refreshed credentials expired before they could be used"
            })
          )
        }
        return credentials
      })

    const get: Effect.Effect<AwsCredentials, CredentialsError> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const { entry } = yield* SynchronizedRef.get(state)
      if (entry !== undefined && !isExpired(entry.credentials, now)) {
        // Valid credentials are served at once; when they are due, a refresh runs meanwhile.
        if (now >= entry.refreshAt) yield* startOrJoin(false)
        return entry.credentials
      }
      const inflight = yield* startOrJoin(false)
      return yield* Effect.catchAll(await_(inflight), fallback)
    })

    const refresh: Effect.Effect<AwsCredentials, CredentialsError> = Effect.flatMap(startOrJoin(true), await_)

    return provider.anonymous === true ? { get, refresh, anonymous: true } : { get, refresh }
  })

/**
 * A cached provider as a layer: `Cache.layer(InstanceMetadata.make())`. The cache (and any
 * refresh in flight) lives as long as the layer.
 */
export const layer = <E, R>(
  provider: Effect.Effect<CredentialsProvider, E, R>,
  options?: CacheOptions
): Layer.Layer<Credentials, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(
    Credentials,
    Effect.flatMap(provider, (p) => make(p, options))
  )
