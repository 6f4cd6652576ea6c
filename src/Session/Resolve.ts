/**
 * Session settings resolved from explicit options, the environment (through Effect's `Config`) and
 * the selected profile of the shared config files, in that order of precedence. Kept apart from
 * `Session.ts` so that a program that builds its session explicitly does not load the settings
 * schemas.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Credentials } from "../Credentials/Credentials.js"
import * as Retry from "../Request/Retry.js"
import { Transport } from "../Request/Transport.js"
import type { Section } from "./ProfileSet.js"
import * as ProfileSettings from "./ProfileSettings.js"
import {
  type CommonSettings,
  retryBudget,
  Session,
  type SessionConfig,
  type SessionConfigError
} from "./Session.js"
import * as SharedConfig from "./SharedConfig.js"

/** What may be set in code; anything left out comes from the environment, then the profile. */
export interface SessionOptions extends CommonSettings {
  readonly maxAttempts?: number | undefined
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
  "AWS_STS_REGIONAL_ENDPOINTS",
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
      retry: retryBudget(policy),
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
      stsRegionalEndpoints:
        options.stsRegionalEndpoints ??
        (yield* setting("AWS_STS_REGIONAL_ENDPOINTS", ProfileSettings.StsRegionalEndpoints)),
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
      maxResponseBytes: options.maxResponseBytes,
      replayBufferBytes: options.replayBufferBytes,
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
