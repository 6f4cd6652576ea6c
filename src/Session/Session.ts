/**
 * The `Session` service: what every client made from it shares — region, credentials (one cache),
 * retry policy and retry quota, transport (one connection pool), endpoint settings.
 *
 * The Go SDK's `session.Session`. `Session.layer()` resolves everything once from options, the
 * environment and the shared config files; `Session.layerWith(config)` takes it all explicitly.
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Credentials, type CredentialsProvider } from "../Credentials/Credentials.js"
import * as Retry from "../Request/Retry.js"
import { Transport, type TransportService } from "../Request/Transport.js"
import type { Section } from "./ProfileSet.js"
import * as ProfileSettings from "./ProfileSettings.js"
import * as SharedConfig from "./SharedConfig.js"

/** Settings S3 clients read (the Go SDK's `aws.Config` S3 fields). */
export interface S3Settings {
  /** Always address buckets in the path (`http://host/bucket/key`); needed for most S3 look-alikes. */
  readonly forcePathStyle?: boolean | undefined
  readonly useAccelerateEndpoint?: boolean | undefined
  readonly useArnRegion?: boolean | undefined
  readonly disableMultiRegionAccessPoints?: boolean | undefined
  readonly useGlobalEndpoint?: boolean | undefined
}

/** When to compute request checksums, and when to validate response checksums. */
export type ChecksumMode = "when_supported" | "when_required"

/** Everything a session decides for the clients made from it. */
export interface SessionConfig {
  readonly region: string | undefined
  readonly credentials: CredentialsProvider
  readonly retry: RetryPolicyConfig
  readonly transport: TransportService
  /** An endpoint URL for every service (`AWS_ENDPOINT_URL`, `endpoint_url`), if configured. */
  readonly endpoint?: string | undefined
  /**
   * The endpoint URL configured for one service (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`,
   * `[services x]` sections, `endpoint_url`), by service id; none means the SDK resolves it.
   */
  readonly serviceEndpoint?:
    | ((serviceId: string) => Effect.Effect<string | undefined, SessionConfigError>)
    | undefined
  readonly useFipsEndpoint: boolean
  readonly useDualstackEndpoint: boolean
  readonly s3: S3Settings
  readonly requestChecksumCalculation: ChecksumMode
  readonly responseChecksumValidation: ChecksumMode
  readonly connectTimeoutMs?: number | undefined
  readonly idleTimeoutMs?: number | undefined
  /** The account id for account-based endpoints (`AWS::Auth::AccountId`), if known. */
  readonly accountId?: string | undefined
  /** The application name sent in the User-Agent (`sdk_ua_app_id`). */
  readonly appId?: string | undefined
}

/** A setting in the environment or a profile that cannot be read or decoded. */
export type SessionConfigError = ConfigError.ConfigError | ProfileSettings.ConfigValueError

/** The session's retry policy and the quota its clients share. */
export interface RetryPolicyConfig {
  readonly policy: Retry.RetryPolicy
  readonly quota: Retry.RetryQuota
}

export class Session extends Context.Tag("effect-aws-sdk/Session")<Session, SessionConfig>() {}

/** A retry policy with a fresh quota sized for it. */
export const retryConfig = (policy: Retry.RetryPolicy): RetryPolicyConfig => ({
  policy,
  quota: new Retry.RetryQuota(policy.quotaCapacity)
})

/** What `layerWith` needs; everything but credentials and transport has a default. */
export interface ExplicitSessionOptions {
  readonly region?: string | undefined
  readonly credentials: CredentialsProvider
  readonly transport: TransportService
  readonly retry?: Retry.RetryPolicy | undefined
  readonly endpoint?: string | undefined
  readonly useFipsEndpoint?: boolean | undefined
  readonly useDualstackEndpoint?: boolean | undefined
  readonly s3?: S3Settings | undefined
  readonly requestChecksumCalculation?: ChecksumMode | undefined
  readonly responseChecksumValidation?: ChecksumMode | undefined
  readonly connectTimeoutMs?: number | undefined
  readonly idleTimeoutMs?: number | undefined
  readonly accountId?: string | undefined
  readonly appId?: string | undefined
}

/** A session from explicit settings only: nothing is read from the environment or files. */
export const make = (options: ExplicitSessionOptions): SessionConfig => ({
  region: options.region,
  credentials: options.credentials,
  transport: options.transport,
  retry: retryConfig(options.retry ?? Retry.standard()),
  endpoint: options.endpoint,
  useFipsEndpoint: options.useFipsEndpoint ?? false,
  useDualstackEndpoint: options.useDualstackEndpoint ?? false,
  s3: options.s3 ?? {},
  requestChecksumCalculation: options.requestChecksumCalculation ?? "when_supported",
  responseChecksumValidation: options.responseChecksumValidation ?? "when_supported",
  connectTimeoutMs: options.connectTimeoutMs,
  idleTimeoutMs: options.idleTimeoutMs,
  accountId: options.accountId,
  appId: options.appId
})

/** `make` as a layer. */
export const layerWith = (options: ExplicitSessionOptions): Layer.Layer<Session> =>
  Layer.succeed(Session, make(options))

// ---------------------------------------------------------------------------------------------
// Resolution from options, the environment and the shared config files.

/** What may be set in code; anything left out comes from the environment, then the profile. */
export interface SessionOptions {
  readonly region?: string | undefined
  readonly retry?: Retry.RetryPolicy | undefined
  readonly maxAttempts?: number | undefined
  /** An endpoint URL for every client of the session (otherwise from the configured endpoints). */
  readonly endpoint?: string | undefined
  readonly useFipsEndpoint?: boolean | undefined
  readonly useDualstackEndpoint?: boolean | undefined
  readonly s3?: S3Settings | undefined
  readonly requestChecksumCalculation?: ChecksumMode | undefined
  readonly responseChecksumValidation?: ChecksumMode | undefined
  readonly connectTimeoutMs?: number | undefined
  readonly idleTimeoutMs?: number | undefined
  readonly appId?: string | undefined
}

const envNames = [
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_MAX_ATTEMPTS",
  "AWS_RETRY_MODE",
  "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT",
  "AWS_S3_USE_ARN_REGION",
  "AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS",
  "AWS_REQUEST_CHECKSUM_CALCULATION",
  "AWS_RESPONSE_CHECKSUM_VALIDATION",
  "AWS_SDK_UA_APP_ID",
  "AWS_ACCOUNT_ID"
] as const

type Env = Readonly<Record<string, string | undefined>>

/** The value of a setting: from the environment variable if set, else from the profile. */
const fromEnvOrProfile = <A>(
  env: Env,
  name: string,
  setting: ProfileSettings.Setting<A>,
  profile: Section | undefined
): Either.Either<A | undefined, ProfileSettings.ConfigValueError> => {
  const raw = env[name]
  if (raw !== undefined && raw.trim() !== "") {
    return ProfileSettings.decodeValue(setting, raw.trim(), "the environment", name)
  }
  return Either.map(ProfileSettings.read(profile, setting), Option.getOrUndefined)
}

const retryOf = (mode: string | undefined, maxAttempts: number | undefined): Retry.RetryPolicy => {
  const options = maxAttempts === undefined ? {} : { maxAttempts }
  return mode === "adaptive" ? Retry.adaptive(options) : Retry.standard(options)
}

/**
 * Resolves a session's settings: explicit options win over the environment (read through
 * Effect's `Config`), the environment over the selected profile of the shared config files.
 * Credentials and the transport come from the context.
 */
export const resolve = (
  options: SessionOptions = {}
): Effect.Effect<SessionConfig, SessionConfigError, Credentials | Transport | SharedConfig.SharedConfig> =>
  Effect.gen(function* () {
    const credentials = yield* Credentials
    const transport = yield* Transport
    const loaded = yield* SharedConfig.SharedConfig
    const env = yield* SharedConfig.readEnvironment(envNames)
    const section = Option.getOrUndefined(loaded.profile)
    const profile = yield* ProfileSettings.readAll(section)
    const setting = <A>(name: string, s: ProfileSettings.Setting<A>) =>
      fromEnvOrProfile(env, name, s, section)
    const region =
      options.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? profile.region
    const maxAttempts =
      options.maxAttempts ?? (yield* setting("AWS_MAX_ATTEMPTS", ProfileSettings.MaxAttempts))
    const retryMode = yield* setting("AWS_RETRY_MODE", ProfileSettings.RetryMode)
    const basePolicy = options.retry ?? retryOf(retryMode, maxAttempts)
    const policy =
      options.retry !== undefined && maxAttempts !== undefined
        ? Retry.withMaxAttempts(basePolicy, maxAttempts)
        : basePolicy
    const addressing = profile.s3AddressingStyle
    const useArnRegion = yield* setting("AWS_S3_USE_ARN_REGION", ProfileSettings.S3UseArnRegion)
    const provider = yield* Effect.configProviderWith(Effect.succeed)
    const serviceEndpoint = (serviceId: string) =>
      SharedConfig.configuredEndpointUrl(serviceId, { endpointUrl: options.endpoint }).pipe(
        Effect.map((found) => Option.getOrUndefined(Option.map(found, (e) => e.url))),
        Effect.provideService(SharedConfig.SharedConfig, loaded),
        Effect.withConfigProvider(provider)
      )
    return {
      region,
      credentials,
      transport,
      retry: retryConfig(policy),
      endpoint: options.endpoint,
      serviceEndpoint,
      useFipsEndpoint:
        options.useFipsEndpoint ??
        (yield* setting("AWS_USE_FIPS_ENDPOINT", ProfileSettings.UseFipsEndpoint)) ??
        false,
      useDualstackEndpoint:
        options.useDualstackEndpoint ??
        (yield* setting("AWS_USE_DUALSTACK_ENDPOINT", ProfileSettings.UseDualstackEndpoint)) ??
        false,
      s3: {
        forcePathStyle: addressing === "path" ? true : undefined,
        useAccelerateEndpoint: profile.s3UseAccelerateEndpoint,
        useArnRegion,
        disableMultiRegionAccessPoints:
          env.AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS?.toLowerCase() === "true",
        ...options.s3
      },
      requestChecksumCalculation:
        options.requestChecksumCalculation ??
        (yield* setting("AWS_REQUEST_CHECKSUM_CALCULATION", ProfileSettings.RequestChecksumCalculation)) ??
        "when_supported",
      responseChecksumValidation:
        options.responseChecksumValidation ??
        (yield* setting("AWS_RESPONSE_CHECKSUM_VALIDATION", ProfileSettings.ResponseChecksumValidation)) ??
        "when_supported",
      connectTimeoutMs: options.connectTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      accountId: nonEmpty(env.AWS_ACCOUNT_ID),
      appId: options.appId ?? nonEmpty(env.AWS_SDK_UA_APP_ID)
    }
  })

const nonEmpty = (s: string | undefined): string | undefined =>
  s === undefined || s.trim() === "" ? undefined : s.trim()

/**
 * The session as a layer over explicit `Credentials`, `Transport` and `SharedConfig` layers:
 * the building block of `layer` for programs that bring their own.
 */
export const layerFrom = (
  options?: SessionOptions
): Layer.Layer<Session, SessionConfigError, Credentials | Transport | SharedConfig.SharedConfig> =>
  Layer.effect(Session, resolve(options))
