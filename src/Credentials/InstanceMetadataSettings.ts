/**
 * The settings of the instance metadata provider, resolved as pure data: whether it is on,
 * whether the IMDSv1 fallback is allowed, and the endpoint (an explicit option, else
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the profile's `ec2_metadata_service_endpoint`, else
 * by mode: option, `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, `ec2_metadata_service_endpoint_mode`).
 * `InstanceMetadata` makes the provider that uses them.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { Section } from "../Session/ProfileSet.js"
import * as ProfileSettings from "../Session/ProfileSettings.js"
import * as SharedConfig from "../Session/SharedConfig.js"
import { CredentialsError } from "./Credentials.js"
import * as MetadataHttp from "./MetadataHttp.js"

const providerName = "imds"

/** The default endpoints, by mode. */
export const defaultEndpoints = {
  IPv4: "http://169.254.169.254",
  IPv6: "http://[fd00:ec2::254]"
} as const

/** How the endpoint is chosen when none is configured. */
export type EndpointMode = keyof typeof defaultEndpoints

/** The environment variables the provider reads. */
export const environmentVariables = [
  "AWS_EC2_METADATA_DISABLED",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
  "AWS_EC2_METADATA_V1_DISABLED"
] as const

/** An IMDS setting that is not valid (a bad endpoint URL or mode). */
export class ImdsConfigError extends Data.TaggedError("ImdsConfigError")<{
  /** Where the value came from: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `profile "dev"`, ... */
  readonly source: string
  readonly problem: string
}> {
  override get message(): string {
    return `invalid instance metadata setting in ${this.source}: ${this.problem}`
  }
}

/** The resolved settings of the provider. */
export interface ImdsSettings {
  /** The endpoint's base URL, without a trailing slash. */
  readonly endpoint: string
  readonly disabled: boolean
  readonly v1Disabled: boolean
}

/** What the settings are resolved from; explicit options win over the environment, which wins over the profile. */
export interface ImdsSettingsInput {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly profile?: Section | undefined
  /** An explicit endpoint (wins over everything). */
  readonly endpoint?: string | undefined
  /** An explicit mode (wins over the configured modes, not over a configured endpoint). */
  readonly endpointMode?: EndpointMode | undefined
  readonly disabled?: boolean | undefined
  readonly v1Disabled?: boolean | undefined
}

const nonEmpty = (s: string | undefined): string | undefined =>
  s === undefined || s.trim() === "" ? undefined : s.trim()

const parseMode = (text: string, source: string): Either.Either<EndpointMode, ImdsConfigError> => {
  const lower = text.toLowerCase()
  if (lower === "ipv4") return Either.right("IPv4")
  if (lower === "ipv6") return Either.right("IPv6")
  return Either.left(
    new ImdsConfigError({
      source,
      problem: `\`${text}\` is not a valid endpoint mode (expected IPv4 or IPv6)`
    })
  )
}

const checkEndpoint = (text: string, source: string): Either.Either<string, ImdsConfigError> =>
  Either.mapBoth(MetadataHttp.parseUrl(text), {
    onLeft: (problem) =>
      new ImdsConfigError({ source, problem: `${JSON.stringify(text)} is not a valid URI: ${problem}` }),
    onRight: () => text.replace(/\/+$/, "")
  })

/**
 * Resolves the endpoint and switches (a pure function of the inputs).
 *
 * @example
 * ```ts
 * resolveSettings({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" } })
 * // Right({ endpoint: "http://[fd00:ec2::254]", disabled: false, v1Disabled: false })
 * ```
 */
export const resolveSettings = (input: ImdsSettingsInput): Either.Either<ImdsSettings, ImdsConfigError> =>
  Either.gen(function* () {
    const profileSource = input.profile?.describe() ?? "the profile"
    const disabled = input.disabled ?? nonEmpty(input.env.AWS_EC2_METADATA_DISABLED)?.toLowerCase() === "true"
    const envV1 = nonEmpty(input.env.AWS_EC2_METADATA_V1_DISABLED)
    const profileV1 = yield* Either.mapLeft(
      ProfileSettings.read(input.profile, ProfileSettings.Ec2MetadataV1Disabled),
      (e) => new ImdsConfigError({ source: profileSource, problem: e.problem })
    )
    const v1Disabled =
      input.v1Disabled ??
      (envV1 !== undefined ? envV1.toLowerCase() === "true" : Option.getOrElse(profileV1, () => false))

    if (input.endpoint !== undefined) {
      return { endpoint: yield* checkEndpoint(input.endpoint, "the endpoint option"), disabled, v1Disabled }
    }
    const envEndpoint = nonEmpty(input.env.AWS_EC2_METADATA_SERVICE_ENDPOINT)
    if (envEndpoint !== undefined) {
      return {
        endpoint: yield* checkEndpoint(envEndpoint, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
        disabled,
        v1Disabled
      }
    }
    const profileEndpoint = ProfileSettings.rawValue(
      input.profile,
      ProfileSettings.Ec2MetadataServiceEndpoint
    )
    if (profileEndpoint !== undefined) {
      return { endpoint: yield* checkEndpoint(profileEndpoint, profileSource), disabled, v1Disabled }
    }
    let mode: EndpointMode = "IPv4"
    if (input.endpointMode !== undefined) mode = input.endpointMode
    else {
      const envMode = nonEmpty(input.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE)
      const profileMode = ProfileSettings.rawValue(
        input.profile,
        ProfileSettings.Ec2MetadataServiceEndpointMode
      )
      if (envMode !== undefined) mode = yield* parseMode(envMode, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
      else if (profileMode !== undefined) mode = yield* parseMode(profileMode, profileSource)
    }
    return { endpoint: defaultEndpoints[mode], disabled, v1Disabled }
  })

/** The URL of the token request for some settings (what the endpoint suite compares). */

/** The path of the session token request. */
export const tokenPath = "/latest/api/token"

export const tokenUrl = (settings: ImdsSettings): string => `${settings.endpoint}${tokenPath}`

/** Options of the provider. Anything not given is read from the environment and the profile. */
export interface InstanceMetadataOptions {
  /** The endpoint URL (wins over `AWS_EC2_METADATA_SERVICE_ENDPOINT` and the profile). */
  readonly endpoint?: string | undefined
  readonly endpointMode?: EndpointMode | undefined
  /** Turn the provider off (default: `AWS_EC2_METADATA_DISABLED`). */
  readonly disabled?: boolean | undefined
  /** Refuse the IMDSv1 fallback (default: `AWS_EC2_METADATA_V1_DISABLED`, `ec2_metadata_v1_disabled`). */
  readonly v1Disabled?: boolean | undefined
  /** Connect and idle timeout of each request (default 1 second). */
  readonly timeout?: Duration.DurationInput | undefined
  /** The deadline of each request, its retry included (default 5 seconds). */
  readonly totalTimeout?: Duration.DurationInput | undefined
  /** Attempts per request (default 2: one retry). */
  readonly attempts?: number | undefined
  /** How long a session token is asked to live (default 6 hours). */
  readonly tokenTtl?: Duration.DurationInput | undefined
  /**
   * The shared config to read the profile settings from; loaded from the files (through
   * `FileSystem`) on first use when absent.
   */
  readonly sharedConfig?: SharedConfig.LoadedSharedConfig | undefined
}

/** Loads the settings: environment through `Config`, profile from the shared config. */
export const loadSettings = (
  options: InstanceMetadataOptions = {}
): Effect.Effect<ImdsSettings, CredentialsError, FileSystem> =>
  Effect.gen(function* () {
    const env = yield* SharedConfig.readEnvironment(environmentVariables)
    const shared =
      options.sharedConfig ??
      (options.endpoint !== undefined && options.v1Disabled !== undefined
        ? undefined
        : yield* SharedConfig.load())
    return yield* resolveSettings({
      env,
      profile: shared === undefined ? undefined : Option.getOrUndefined(shared.profile),
      endpoint: options.endpoint,
      endpointMode: options.endpointMode,
      disabled: options.disabled,
      v1Disabled: options.v1Disabled
    })
  }).pipe(
    Effect.mapError(
      (cause) => new CredentialsError({ provider: providerName, message: cause.message, cause })
    )
  )
