/**
 * The shared config and credentials files as an Effect service: located from the environment
 * (read through Effect's `Config`, so a `ConfigProvider` can supply it), read through
 * `@effect/platform`'s `FileSystem`, parsed once, with the selected profile.
 *
 * Missing files are not an error (they define nothing); a file that exists but cannot be read
 * fails with {@link ConfigFileReadError}, one that does not parse with `ConfigFileError`, both
 * naming the file.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "effect-aws-sdk"
 * const program = Effect.gen(function* () {
 *   const region = yield* SharedConfig.setting(ProfileSettings.Region) // Option<string>
 * }).pipe(Effect.provide(SharedConfig.layer()), Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import { FileSystem } from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type ConfigFileError, type FileText, parse } from "./ConfigFile.js"
import * as ConfiguredEndpoint from "./ConfiguredEndpoint.js"
import {
  type FileLocations,
  type LocationEnv,
  locationEnvNames,
  type Platform,
  platformOf,
  resolveFileLocations
} from "./FileLocation.js"
import type { ProfileSet, Section } from "./ProfileSet.js"
import * as ProfileSettings from "./ProfileSettings.js"

/** A shared config or credentials file that exists but could not be read. */
export class ConfigFileReadError extends Data.TaggedError("ConfigFileReadError")<{
  readonly path: string
  readonly cause: PlatformError
}> {
  override get message(): string {
    return `cannot read ${this.path}: ${this.cause.message}`
  }
}

/** Everything loading the shared config can fail with. */
export type SharedConfigError = ConfigFileError | ConfigFileReadError | ConfigError.ConfigError

/** How to load: each option overrides what the environment says. */
export interface SharedConfigOptions {
  /** The profile to select (default: `AWS_PROFILE`, else `default`). */
  readonly profile?: string | undefined
  /** The config file (default: `AWS_CONFIG_FILE`, else `~/.aws/config`). */
  readonly configFile?: string | undefined
  /** The credentials file (default: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`). */
  readonly credentialsFile?: string | undefined
  /** Home directory and path rules (default: from `process.platform`, else POSIX). */
  readonly platform?: Platform | undefined
}

/** The loaded files and the selected profile. */
export interface LoadedSharedConfig {
  /** Every profile, SSO session and services section of both files. */
  readonly profileSet: ProfileSet
  /** The selected profile's name. */
  readonly profileName: string
  /** The selected profile, when either file defines it. */
  readonly profile: Option.Option<Section>
  /** The config file's path (undefined when it needs a home directory and none is known). */
  readonly configFile: string | undefined
  /** The credentials file's path (as above). */
  readonly credentialsFile: string | undefined
}

/** The shared config service: the files as loaded once for a session. */
export class SharedConfig extends Context.Tag("effect-aws-sdk/SharedConfig")<
  SharedConfig,
  LoadedSharedConfig
>() {}

/**
 * Reads environment variables through Effect's `Config` (so the current `ConfigProvider` decides
 * where they come from); unset ones are undefined.
 */
export const readEnvironment = (
  names: ReadonlyArray<string>
): Effect.Effect<Readonly<Record<string, string | undefined>>, ConfigError.ConfigError> =>
  Effect.forEach(names, (name) =>
    Effect.map(Config.option(Config.string(name)), (value) => [name, Option.getOrUndefined(value)] as const)
  ).pipe(Effect.map((entries) => Object.fromEntries(entries)))

const currentPlatform = (): Platform =>
  typeof process === "undefined" ? "posix" : platformOf(process.platform)

/** The file and profile locations from the environment, with the options applied over them. */
export const locate = (
  options: SharedConfigOptions = {}
): Effect.Effect<FileLocations, ConfigError.ConfigError> =>
  Effect.map(readEnvironment(locationEnvNames), (env) => {
    const overridden: LocationEnv = {
      ...env,
      ...(options.configFile === undefined ? {} : { AWS_CONFIG_FILE: options.configFile }),
      ...(options.credentialsFile === undefined
        ? {}
        : { AWS_SHARED_CREDENTIALS_FILE: options.credentialsFile }),
      ...(options.profile === undefined ? {} : { AWS_PROFILE: options.profile })
    }
    return resolveFileLocations(overridden, options.platform ?? currentPlatform())
  })

/** A file's text, or none when it does not exist. */
const readIfPresent = (
  fs: FileSystem,
  path: string | undefined
): Effect.Effect<FileText | undefined, ConfigFileReadError> =>
  path === undefined
    ? Effect.succeed(undefined)
    : fs.readFileString(path).pipe(
        Effect.map((contents): FileText | undefined => ({ path, contents })),
        Effect.catchIf(
          (error) => error._tag === "SystemError" && error.reason === "NotFound",
          () => Effect.succeed(undefined)
        ),
        Effect.mapError((cause) => new ConfigFileReadError({ path, cause }))
      )

/**
 * Locates, reads and parses the shared config and credentials files, and selects the profile.
 *
 * @example
 * ```ts
 * const loaded = yield* SharedConfig.load({ profile: "dev" })
 * Option.map(loaded.profile, (p) => p.get("region"))
 * ```
 */
export const load = (
  options: SharedConfigOptions = {}
): Effect.Effect<LoadedSharedConfig, SharedConfigError, FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem
    const located = yield* locate(options)
    const [config, credentials] = yield* Effect.all(
      [readIfPresent(fs, located.configFile), readIfPresent(fs, located.credentialsFile)],
      { concurrency: 2 }
    )
    const profileSet = yield* parse({ config, credentials })
    return {
      profileSet,
      profileName: located.profile,
      profile: Option.fromNullable(profileSet.profiles.get(located.profile)),
      configFile: located.configFile,
      credentialsFile: located.credentialsFile
    }
  })

/** The {@link SharedConfig} service, loaded once from the files (see {@link load}). */
export const layer = (
  options: SharedConfigOptions = {}
): Layer.Layer<SharedConfig, SharedConfigError, FileSystem> => Layer.effect(SharedConfig, load(options))

/** The loaded config of a set already in hand, read from no file (tests, programs without files). */
export const fromProfileSet = (profileSet: ProfileSet, profileName = "default"): LoadedSharedConfig => ({
  profileSet,
  profileName,
  profile: Option.fromNullable(profileSet.profiles.get(profileName)),
  configFile: undefined,
  credentialsFile: undefined
})

/** The {@link SharedConfig} service from a set already in hand (tests, programs without files). */
export const layerFromProfileSet = (
  profileSet: ProfileSet,
  profileName = "default"
): Layer.Layer<SharedConfig> => Layer.succeed(SharedConfig, fromProfileSet(profileSet, profileName))

/** A named profile of the loaded files (the selected one when no name is given). */
export const profile = (name?: string): Effect.Effect<Option.Option<Section>, never, SharedConfig> =>
  Effect.map(SharedConfig, (loaded) =>
    name === undefined ? loaded.profile : Option.fromNullable(loaded.profileSet.profiles.get(name))
  )

/**
 * One setting of the selected profile (or of the named one), decoded.
 *
 * @example
 * ```ts
 * const attempts = yield* SharedConfig.setting(ProfileSettings.MaxAttempts) // Option<number>
 * ```
 */
export const setting = <A>(
  s: ProfileSettings.Setting<A>,
  profileName?: string
): Effect.Effect<Option.Option<A>, ProfileSettings.ConfigValueError, SharedConfig> =>
  Effect.flatMap(profile(profileName), (p) => ProfileSettings.read(Option.getOrUndefined(p), s))

/** Every known setting of the selected profile (or of the named one), decoded. */
export const settings = (
  profileName?: string
): Effect.Effect<ProfileSettings.ProfileSettings, ProfileSettings.ConfigValueError, SharedConfig> =>
  Effect.flatMap(profile(profileName), (p) => ProfileSettings.readAll(Option.getOrUndefined(p)))

/**
 * The configured endpoint URL for a service (see `ConfiguredEndpoint.resolve`), with the
 * environment read through `Config` and the files from the {@link SharedConfig} service.
 */
export const configuredEndpointUrl = (
  serviceId: string,
  client?: ConfiguredEndpoint.ClientEndpointConfig
): Effect.Effect<
  Option.Option<ConfiguredEndpoint.ConfiguredEndpointUrl>,
  ProfileSettings.ConfigValueError | ConfigError.ConfigError,
  SharedConfig
> =>
  Effect.gen(function* () {
    const loaded = yield* SharedConfig
    const env = yield* readEnvironment(ConfiguredEndpoint.endpointEnvNames(serviceId))
    return yield* ConfiguredEndpoint.resolve({
      serviceId,
      env,
      profile: Option.getOrUndefined(loaded.profile),
      profileSet: loaded.profileSet,
      client
    })
  })
