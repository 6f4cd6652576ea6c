/**
 * The `Credentials` service: where a client gets the identity it signs requests with.
 *
 * Each credential provider is a `Layer` producing this service (static, environment, shared
 * files, assume role, web identity, SSO, container, instance metadata, the default chain).
 * Secrets are `Redacted`, so they never appear in logs, errors or `JSON.stringify`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** An AWS identity. */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  /** When these credentials stop being valid; absent for long-term keys. */
  readonly expiration?: Date | undefined
  readonly accountId?: string | undefined
  /** Which provider produced them (for messages; never a secret). */
  readonly source?: string | undefined
}

/**
 * Why a provider gave no credentials: `"NotConfigured"` when it does not apply here (nothing
 * configures it: no variables, no profile, no role attached to the instance), and a chain moves on
 * to its next provider; `"Failed"` when something was configured and broke, and a chain stops.
 */
export type CredentialsErrorReason = "NotConfigured" | "Failed"

/** No credentials could be had: says which provider failed and why. */
export class CredentialsError extends Data.TaggedError("CredentialsError")<{
  readonly message: string
  /** The provider that failed (`environment`, `imds`, `chain`, ...). */
  readonly provider: string
  readonly cause?: unknown
  readonly reason: CredentialsErrorReason
  /** For `"NotConfigured"`: what the provider found, as a chain lists it (`AWS_ACCESS_KEY_ID is not set`). */
  readonly detail?: string | undefined
}> {
  constructor(args: {
    readonly message: string
    readonly provider: string
    readonly cause?: unknown
    /** Default `"Failed"`. */
    readonly reason?: CredentialsErrorReason | undefined
    readonly detail?: string | undefined
    /** @deprecated Use `reason: "NotConfigured"` (or {@link notConfigured}); removed in the next release. */
    readonly notLoaded?: boolean | undefined
  }) {
    const { notLoaded: flag, reason, ...fields } = args
    super({ ...fields, reason: reason ?? (flag === true ? "NotConfigured" : "Failed") })
  }

  /**
   * `true` for a provider that does not apply, else `undefined`.
   *
   * @deprecated Read `reason === "NotConfigured"`; removed in the next release.
   */
  get notLoaded(): true | undefined {
    return this.reason === "NotConfigured" ? true : undefined
  }
}

/** The message every "not configured" error starts with (the words every AWS SDK uses). */
export const notLoadedMessage = "the credential provider was not enabled"

/**
 * A provider that does not apply: `notConfigured("environment", "AWS_ACCESS_KEY_ID is not set")`.
 * A chain records the detail and tries its next provider.
 */
export const notConfigured = (provider: string, detail: string): CredentialsError =>
  new CredentialsError({
    provider,
    message: `${notLoadedMessage}: ${detail}`,
    reason: "NotConfigured",
    detail
  })

/** True for an error that lets a chain try its next provider (see {@link notConfigured}). */
export const isNotConfigured = (error: CredentialsError): boolean => error.reason === "NotConfigured"

/** @deprecated Renamed {@link notConfigured}; removed in the next release. */
export const notLoaded: (provider: string, reason: string) => CredentialsError = notConfigured

/** @deprecated Renamed {@link isNotConfigured}; removed in the next release. */
export const isNotLoaded: (error: CredentialsError) => boolean = isNotConfigured

/** True when the credentials carry an expiration at or before `nowMillis`. */
export const isExpired = (credentials: AwsCredentials, nowMillis: number): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() <= nowMillis

/**
 * The account id in an ARN (`arn:aws:sts::123456789012:assumed-role/r/s` → `123456789012`),
 * or undefined when the ARN has none.
 */
export const accountIdFromArn = (arn: string | undefined): string | undefined => {
  if (arn === undefined) return undefined
  const parts = arn.split(":")
  const account = parts[0] === "arn" && parts.length >= 6 ? parts[4] : undefined
  return account === undefined || account === "" ? undefined : account
}

/**
 * A provider from an effect that fetches credentials, without caching: `get` and `refresh` both
 * run it. Wrap it with `Cache.make` for refresh-before-expiry and single-flight.
 */
export const fromEffect = (fetch: Effect.Effect<AwsCredentials, CredentialsError>): CredentialsProvider => ({
  get: fetch,
  refresh: fetch
})

/** The service clients sign with. */
export interface CredentialsProvider {
  /** Current credentials: cached, refreshed before expiry, one refresh in flight at a time. */
  readonly get: Effect.Effect<AwsCredentials, CredentialsError>
  /**
   * Forces a refresh (used after a service rejects a token as expired). Providers whose
   * credentials cannot change return the same ones.
   */
  readonly refresh: Effect.Effect<AwsCredentials, CredentialsError>
  /** True for the anonymous provider: requests are sent unsigned. */
  readonly anonymous?: boolean
}

export class Credentials extends Context.Tag("effect-aws-sdk/Credentials")<
  Credentials,
  CredentialsProvider
>() {}

/** Builds credentials from plain strings (secrets are wrapped in `Redacted`). */
export const make = (input: {
  readonly accessKeyId: string
  readonly secretAccessKey: string | Redacted.Redacted<string>
  readonly sessionToken?: string | Redacted.Redacted<string> | undefined
  readonly expiration?: Date | undefined
  readonly accountId?: string | undefined
  readonly source?: string | undefined
}): AwsCredentials => ({
  accessKeyId: input.accessKeyId,
  secretAccessKey: Redacted.isRedacted(input.secretAccessKey)
    ? input.secretAccessKey
    : Redacted.make(input.secretAccessKey),
  sessionToken:
    input.sessionToken === undefined || Redacted.isRedacted(input.sessionToken)
      ? input.sessionToken
      : Redacted.make(input.sessionToken),
  expiration: input.expiration,
  accountId: input.accountId,
  source: input.source ?? "static"
})

/** A provider that always returns the same credentials. */
export const fromStatic = (credentials: AwsCredentials): CredentialsProvider => {
  const get = Effect.succeed(credentials)
  return { get, refresh: get }
}

/**
 * Static credentials as a layer: `Credentials.layerStatic({ accessKeyId, secretAccessKey })`.
 * The Go SDK's `credentials.NewStaticCredentials`.
 */
export const layerStatic = (input: Parameters<typeof make>[0]): Layer.Layer<Credentials> =>
  Layer.succeed(Credentials, fromStatic(make(input)))

/** Requests are sent unsigned (public buckets, presigned-free anonymous access). */
export const anonymous: CredentialsProvider = {
  get: Effect.fail(
    new CredentialsError({ message: "anonymous credentials sign nothing", provider: "anonymous" })
  ),
  refresh: Effect.fail(
    new CredentialsError({ message: "anonymous credentials sign nothing", provider: "anonymous" })
  ),
  anonymous: true
}

/** The anonymous provider as a layer (the Go SDK's `credentials.AnonymousCredentials`). */
export const layerAnonymous: Layer.Layer<Credentials> = Layer.succeed(Credentials, anonymous)
