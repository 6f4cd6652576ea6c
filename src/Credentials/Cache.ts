/**
 * A caching wrapper for any credentials provider.
 *
 * - Credentials are kept until shortly before they expire: a refresh starts `refreshWindow`
 *   (default 5 minutes) plus a random jitter (default up to 1 minute) before the expiration, or
 *   at half of their remaining lifetime when that is shorter. Credentials without an expiration
 *   are kept until a forced `refresh`.
 * - Exactly one refresh is in flight however many fibers ask: the first caller that finds the
 *   credentials due starts it in a fiber of the cache's own scope, every other caller waits for
 *   that same result.
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
}

interface Entry {
  readonly credentials: AwsCredentials
  /** Epoch millis from which a `get` refreshes (Infinity: never by itself). */
  readonly refreshAt: number
}

interface State {
  readonly entry: Entry | undefined
  readonly inflight: Deferred.Deferred<AwsCredentials, CredentialsError> | undefined
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
    const state = yield* SynchronizedRef.make<State>({ entry: undefined, inflight: undefined })

    const refreshAtOf = (credentials: AwsCredentials, now: number): Effect.Effect<number> => {
      if (credentials.expiration === undefined) return Effect.succeed(Number.POSITIVE_INFINITY)
      const expiresAt = credentials.expiration.getTime()
      return Effect.map(Random.nextIntBetween(0, jitterMs + 1), (jitter) => {
        const lead = Math.min(windowMs + jitter, (expiresAt - now) / 2)
        return expiresAt - lead
      })
    }

    /** Fetches and rejects credentials that are already expired. */
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
      )

    /** Records the outcome of a refresh, then hands it to every waiter. */
    const finish = (
      deferred: Deferred.Deferred<AwsCredentials, CredentialsError>,
      exit: Exit.Exit<AwsCredentials, CredentialsError>
    ): Effect.Effect<void> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (Exit.isSuccess(exit)) {
          const refreshAt = yield* refreshAtOf(exit.value, now)
          yield* SynchronizedRef.set(state, {
            entry: { credentials: exit.value, refreshAt },
            inflight: undefined
          })
        } else {
          const warning = yield* SynchronizedRef.modify(state, (s): readonly [string | undefined, State] => {
            const old = s.entry
            if (old === undefined || isExpired(old.credentials, now) || Exit.isInterrupted(exit)) {
              return [undefined, { entry: old, inflight: undefined }]
            }
            const expiresAt = old.credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY
            const retryAt = Math.min(now + retryMs, expiresAt)
            const failure = exit.cause._tag === "Fail" ? exit.cause.error.message : "unexpected failure"
            const until = Number.isFinite(expiresAt) ? ` until they expire at ${describeTime(expiresAt)}` : ""
            return [
              `refreshing credentials failed; keeping the cached ones${until}: ${failure}`,
              { entry: { credentials: old.credentials, refreshAt: retryAt }, inflight: undefined }
            ]
          })
          if (warning !== undefined) yield* Effect.logWarning(warning)
        }
        yield* Deferred.done(deferred, exit)
      })

    /** The refresh in flight, or a new one started in the cache's scope. */
    const startOrJoin = (
      forced: boolean
    ): Effect.Effect<Deferred.Deferred<AwsCredentials, CredentialsError>> =>
      Effect.uninterruptible(
        SynchronizedRef.modifyEffect(state, (s) => {
          if (s.inflight !== undefined) return Effect.succeed([s.inflight, s] as const)
          return Effect.gen(function* () {
            const deferred = yield* Deferred.make<AwsCredentials, CredentialsError>()
            yield* Effect.forkIn(fetch(forced).pipe(Effect.onExit((exit) => finish(deferred, exit))), scope)
            return [deferred, { entry: s.entry, inflight: deferred }] as const
          })
        })
      )

    /** After a failed refresh: the cached credentials if they are still valid, else the failure. */
    const fallback = (error: CredentialsError): Effect.Effect<AwsCredentials, CredentialsError> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const { entry } = yield* SynchronizedRef.get(state)
        if (entry !== undefined && !isExpired(entry.credentials, now)) return entry.credentials
        return yield* Effect.fail(error)
      })

    /** Waits for a refresh; fails if what it produced expired during the wait. */
    const await_ = (deferred: Deferred.Deferred<AwsCredentials, CredentialsError>) =>
      Effect.flatMap(Deferred.await(deferred), (credentials) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          isExpired(credentials, now)
            ? Effect.fail(
                new CredentialsError({
                  provider: credentials.source ?? "cache",
                  message: "the refreshed credentials expired before they could be used"
                })
              )
            : Effect.succeed(credentials)
        )
      )

    const get: Effect.Effect<AwsCredentials, CredentialsError> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const { entry } = yield* SynchronizedRef.get(state)
      if (entry !== undefined && now < entry.refreshAt && !isExpired(entry.credentials, now)) {
        return entry.credentials
      }
      const deferred = yield* startOrJoin(false)
      return yield* Effect.catchAll(await_(deferred), fallback)
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
