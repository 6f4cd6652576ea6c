/**
 * Credentials from an OIDC web identity token (EKS service accounts, GitHub Actions, ...): STS
 * `AssumeRoleWithWebIdentity`, unsigned, with the token read from a file on every fetch (the
 * token is rotated by whoever writes it). The Go SDK's `stscreds.WebIdentityRoleProvider`.
 *
 * Configured by the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`,
 * `AWS_ROLE_SESSION_NAME`), see {@link makeFromEnvironment}, or by profile keys
 * (`web_identity_token_file`, `role_arn`, `role_session_name`) through the profile provider.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Transport } from "../Request/Transport.js"
import * as SharedConfig from "../Session/SharedConfig.js"
import { decodeStsOutput, defaultSessionName } from "./AssumeRole.js"
import * as Cache from "./Cache.js"
import {
  type AwsCredentials,
  anonymous,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  notConfigured
} from "./Credentials.js"
import * as Files from "./Files.js"
import * as ServiceCalls from "./ServiceCalls.js"

const providerName = "web-identity"

/** The environment variables of the environment form. */
export const environmentVariables = [
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_REGION",
  "AWS_DEFAULT_REGION"
] as const

/** What one `AssumeRoleWithWebIdentity` needs. */
export interface WebIdentityConfig {
  readonly roleArn: string
  /** The file holding the OIDC token. */
  readonly tokenFile: string
  readonly roleSessionName?: string | undefined
  readonly durationSeconds?: number | undefined
  readonly policy?: string | undefined
}

/** Options of the provider: the configuration and the STS calls to make. */
export interface WebIdentityOptions extends WebIdentityConfig {
  readonly sts: ServiceCalls.StsCalls
  /** The region of the STS endpoint. */
  readonly region: string
  /** Names the provider in messages (default `web-identity`). */
  readonly name?: string | undefined
}

/** Reads the token and exchanges it for credentials. */
export const fetch = (
  options: WebIdentityOptions
): Effect.Effect<AwsCredentials, CredentialsError, FileSystem> =>
  Effect.gen(function* () {
    const name = options.name ?? providerName
    const fail = (message: string, cause?: unknown) =>
      new CredentialsError({
        provider: name,
        message: `assuming ${options.roleArn} with a web identity: ${message}`,
        cause
      })
    const token = (yield* Effect.mapError(Files.readText(options.tokenFile), (e) =>
      fail(`cannot read the token file: ${e.message}`, e)
    )).trim()
    if (token === "") return yield* Effect.fail(fail(`the token file ${options.tokenFile} is empty`))
    const sessionName = options.roleSessionName ?? (yield* defaultSessionName("effect-aws-sdk-web-identity"))
    const output = yield* options.sts
      .assumeRoleWithWebIdentity(
        {
          RoleArn: options.roleArn,
          RoleSessionName: sessionName,
          WebIdentityToken: token,
          DurationSeconds: options.durationSeconds,
          Policy: options.policy
        },
        { region: options.region, credentials: anonymous }
      )
      .pipe(Effect.mapError((e) => fail(ServiceCalls.describeCallError(e), e)))
    return yield* Either.mapLeft(decodeStsOutput(output, name), (problem) => fail(problem))
  })

/** The provider for a given configuration, uncached. */
export const make = (options: WebIdentityOptions): Effect.Effect<CredentialsProvider, never, FileSystem> =>
  Effect.map(Effect.context<FileSystem>(), (context) => {
    const get = Effect.provide(fetch(options), context)
    return { get, refresh: get }
  })

/** The provider for a given configuration behind a cache, as a layer. */
export const layer = (options: WebIdentityOptions): Layer.Layer<Credentials, never, FileSystem> =>
  Cache.layer(make(options))

/** Options of the environment form. */
export interface FromEnvironmentOptions {
  /** The STS calls (default: the generated STS client, see `ServiceCalls.live`). */
  readonly sts?: ServiceCalls.StsCalls | undefined
  /** The STS region (default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, else `us-east-1`). */
  readonly region?: string | undefined
  /** The shared config to take the profile's region from (read from the files when absent). */
  readonly sharedConfig?: SharedConfig.LoadedSharedConfig | undefined
  /** Bounds of the STS call when it is made with the generated client (see `ServiceCalls.CallLimits`). */
  readonly callLimits?: ServiceCalls.CallLimits | undefined
}

/**
 * The environment form, uncached: "not configured" unless `AWS_WEB_IDENTITY_TOKEN_FILE` and
 * `AWS_ROLE_ARN` are both set. The variables are read on each fetch through the
 * `ConfigProvider` in place when it is made.
 */
export const makeFromEnvironment = (
  options: FromEnvironmentOptions = {}
): Effect.Effect<CredentialsProvider, never, FileSystem | Transport> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<FileSystem | Transport>()
    const configProvider = yield* Effect.configProviderWith((p: ConfigProvider.ConfigProvider) =>
      Effect.succeed(p)
    )
    const sts = yield* Effect.cached(
      options.sts === undefined
        ? Effect.map(ServiceCalls.live(options.callLimits), (calls) => calls.sts).pipe(
            Effect.provide(context)
          )
        : Effect.succeed(options.sts)
    )
    const get = Effect.gen(function* () {
      const env = yield* Effect.mapError(
        SharedConfig.readEnvironment(environmentVariables),
        (e) =>
          new CredentialsError({
            provider: providerName,
            message: `cannot read the environment: ${e.message}`
          })
      )
      const nonBlank = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim())
      const tokenFile = nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE)
      const roleArn = nonBlank(env.AWS_ROLE_ARN)
      if (tokenFile === undefined) {
        return yield* Effect.fail(notConfigured(providerName, "AWS_WEB_IDENTITY_TOKEN_FILE is not set"))
      }
      if (roleArn === undefined) {
        return yield* Effect.fail(
          notConfigured(providerName, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        )
      }
      const sharedConfig =
        options.sharedConfig ??
        (options.region === undefined
          ? Option.getOrUndefined(yield* Effect.option(SharedConfig.load()))
          : undefined)
      return yield* fetch({
        roleArn,
        tokenFile,
        roleSessionName: nonBlank(env.AWS_ROLE_SESSION_NAME),
        sts: yield* sts,
        region: ServiceCalls.stsRegion({ region: options.region, env, sharedConfig })
      })
    }).pipe(Effect.provide(context), Effect.withConfigProvider(configProvider))
    return { get, refresh: get }
  })

/** The environment form behind a cache, as a layer. */
export const layerFromEnvironment = (
  options: FromEnvironmentOptions = {}
): Layer.Layer<Credentials, never, FileSystem | Transport> => Cache.layer(makeFromEnvironment(options))
