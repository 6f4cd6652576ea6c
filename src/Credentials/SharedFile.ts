/**
 * Credentials configured by a profile of the shared config and credentials files: static keys,
 * and the profile provider chain (assume role through `source_profile` chains of any length or
 * a `credential_source`, web identity, SSO, `credential_process`).
 *
 * Resolution is in two steps, as in the other AWS SDKs:
 *
 * 1. `ProfileChain.resolveChain` (pure) walks from the selected profile through `source_profile`
 *    to a base provider, collecting the roles to assume on the way back (see that module).
 * 2. The provider here fetches the base credentials, then assumes each role in turn with STS.
 *
 * Keys are case-insensitive. A selected profile that holds no credential settings, or files
 * that define no profile, make the provider "not configured" (a chain moves on); every other problem
 * (a missing source profile, a loop, partial keys, an unparsable file, a failing base provider)
 * stops a chain with a message that says what is wrong.
 *
 * @example
 * ```ts
 * const provider = yield* SharedFile.make({ profile: "dev" })
 * ```
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Transport } from "../Request/Transport.js"
import * as SharedConfig from "../Session/SharedConfig.js"
import * as AssumeRole from "./AssumeRole.js"
import * as Cache from "./Cache.js"
import * as Container from "./Container.js"
import {
  type AwsCredentials,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  fromStatic,
  make as makeCredentials,
  notConfigured
} from "./Credentials.js"
import * as Environment from "./Environment.js"
import * as InstanceMetadata from "./InstanceMetadata.js"
import * as Process from "./Process.js"
import { type BaseProvider, resolveChain } from "./ProfileChain.js"
import * as ServiceCalls from "./ServiceCalls.js"
import * as Sso from "./Sso.js"
import * as WebIdentity from "./WebIdentity.js"

export {
  type AccessKeyBase,
  type AssumeRoleStep,
  type BaseProvider,
  type CredentialProcessBase,
  type NamedSourceBase,
  type ProfileChain,
  ProfileChainError,
  resolveChain,
  type SsoBase,
  type WebIdentityBase
} from "./ProfileChain.js"

const providerName = "profile"

/** Options of the profile provider. */
export interface SharedFileOptions {
  /** The profile (default: `AWS_PROFILE`, else `default`). */
  readonly profile?: string | undefined
  /** The files as already loaded (a session's); otherwise they are read on every fetch. */
  readonly sharedConfig?: SharedConfig.LoadedSharedConfig | undefined
  /** The STS / SSO / SSO OIDC calls (default: the generated clients, `ServiceCalls.live`). */
  readonly calls?: Partial<ServiceCalls.ServiceCalls> | undefined
  /** The STS region (default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, else `us-east-1`). */
  readonly region?: string | undefined
  /** Gives the current MFA code for a profile's `mfa_serial`. */
  readonly mfaToken?: ((serialNumber: string) => Effect.Effect<string, CredentialsError>) | undefined
  /** Settings of `credential_source = Ec2InstanceMetadata`. */
  readonly instanceMetadata?: InstanceMetadata.InstanceMetadataOptions | undefined
  /** Settings of `credential_source = EcsContainer`. */
  readonly container?: Container.ContainerOptions | undefined
  /** The `credential_process` time limit (default 1 minute). */
  readonly processTimeout?: Duration.DurationInput | undefined
  /** Bounds of the STS / SSO / SSO OIDC calls made with the generated clients (see `ServiceCalls.CallLimits`). */
  readonly callLimits?: ServiceCalls.CallLimits | undefined
}

const loadFailure = (cause: SharedConfig.SharedConfigError): CredentialsError =>
  new CredentialsError({
    provider: providerName,
    message:
      cause._tag === "ConfigFileError"
        ? `could not parse profile file: ${cause.message}`
        : `could not load the shared config: ${cause.message}`,
    cause
  })

/**
 * The profile provider, uncached (see {@link layer}). The `FileSystem`, `Transport` and
 * `ConfigProvider` in place when it is made are the ones every fetch uses.
 */
export const make = (
  options: SharedFileOptions = {}
): Effect.Effect<CredentialsProvider, never, FileSystem | Transport> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<FileSystem | Transport>()
    const configProvider = yield* Effect.configProviderWith((p: ConfigProvider.ConfigProvider) =>
      Effect.succeed(p)
    )
    const imds = yield* InstanceMetadata.make({
      ...options.instanceMetadata,
      sharedConfig: options.sharedConfig
    })
    const container = yield* Container.make(options.container)
    const environment = yield* Environment.make

    const fetch = Effect.gen(function* () {
      const loaded =
        options.sharedConfig ??
        (yield* Effect.mapError(SharedConfig.load({ profile: options.profile }), loadFailure))
      const selected = options.profile ?? loaded.profileName
      const resolved = resolveChain(loaded.profileSet, selected)
      if (Either.isLeft(resolved)) {
        return yield* Effect.fail(
          resolved.left.reason === "NotConfigured"
            ? notConfigured(providerName, resolved.left.problem)
            : new CredentialsError({ provider: providerName, message: resolved.left.problem })
        )
      }
      const { base, chain } = resolved.right
      const env = yield* Effect.orElseSucceed(
        SharedConfig.readEnvironment(["AWS_REGION", "AWS_DEFAULT_REGION"]),
        () => ({})
      )
      const selectedConfig =
        options.profile === undefined || options.profile === loaded.profileName
          ? loaded
          : {
              ...loaded,
              profileName: selected,
              profile: Option.fromNullable(loaded.profileSet.profiles.get(selected))
            }
      const region = ServiceCalls.stsRegion({ region: options.region, env, sharedConfig: selectedConfig })
      const calls = yield* callsFor(options, selectedConfig)
      const wrap = (e: CredentialsError) =>
        new CredentialsError({
          provider: providerName,
          message: `profile \`${selected}\`: ${e.message}`,
          cause: e
        })

      let credentials: AwsCredentials = yield* Effect.mapError(
        baseCredentials(base, { environment, imds, container, calls, region, options }),
        wrap
      )
      for (const step of chain) {
        credentials = yield* Effect.mapError(
          AssumeRole.fetch({
            roleArn: step.roleArn,
            source: fromStatic(credentials),
            sts: calls.sts,
            region,
            roleSessionName: step.roleSessionName,
            externalId: step.externalId,
            durationSeconds: step.durationSeconds,
            mfaSerial: step.mfaSerial,
            mfaToken: options.mfaToken
          }),
          wrap
        )
      }
      return credentials
    }).pipe(Effect.provide(context), Effect.withConfigProvider(configProvider))

    return { get: fetch, refresh: fetch }
  })

/** The calls to make: the options', the rest from the generated clients. */
const callsFor = (
  options: SharedFileOptions,
  sharedConfig: SharedConfig.LoadedSharedConfig
): Effect.Effect<ServiceCalls.ServiceCalls, never, FileSystem | Transport> => {
  const given = options.calls
  if (given?.sts !== undefined && given.sso !== undefined && given.ssoOidc !== undefined) {
    return Effect.succeed({ sts: given.sts, sso: given.sso, ssoOidc: given.ssoOidc })
  }
  return Effect.map(ServiceCalls.live({ ...options.callLimits, sharedConfig }), (live) => ({
    ...live,
    ...given
  }))
}

interface BaseDeps {
  readonly environment: CredentialsProvider
  readonly imds: CredentialsProvider
  readonly container: CredentialsProvider
  readonly calls: ServiceCalls.ServiceCalls
  readonly region: string
  readonly options: SharedFileOptions
}

const baseCredentials = (
  base: BaseProvider,
  deps: BaseDeps
): Effect.Effect<AwsCredentials, CredentialsError, FileSystem> => {
  switch (base._tag) {
    case "AccessKey":
      return Effect.succeed(
        makeCredentials({
          accessKeyId: base.accessKeyId,
          secretAccessKey: base.secretAccessKey,
          sessionToken: base.sessionToken,
          accountId: base.accountId,
          source: providerName
        })
      )
    case "NamedSource":
      return base.source === "Environment"
        ? deps.environment.get
        : base.source === "Ec2InstanceMetadata"
          ? deps.imds.get
          : deps.container.get
    case "WebIdentityToken":
      return WebIdentity.fetch({
        roleArn: base.roleArn,
        tokenFile: base.tokenFile,
        roleSessionName: base.roleSessionName,
        sts: deps.calls.sts,
        region: deps.region
      })
    case "Sso":
      if (base.ssoAccountId === undefined || base.ssoRoleName === undefined) {
        return Effect.fail(
          new CredentialsError({
            provider: "sso",
            message: `the selected profile will resolve an access token instead of credentials: profile \`${base.profile}\` uses sso-session \`${base.ssoSession ?? ""}\` without sso_account_id and sso_role_name, which credentials need`
          })
        )
      }
      return Sso.fetch({
        ssoSession: base.ssoSession,
        ssoStartUrl: base.ssoStartUrl,
        ssoRegion: base.ssoRegion,
        ssoAccountId: base.ssoAccountId,
        ssoRoleName: base.ssoRoleName,
        sso: deps.calls.sso,
        ssoOidc: deps.calls.ssoOidc
      })
    case "CredentialProcess":
      return Effect.mapError(
        Process.run(base.command, { accountId: base.accountId, timeout: deps.options.processTimeout }),
        Process.toCredentialsError
      )
  }
}

/**
 * The profile provider behind a cache, as a layer. The cache's refresh deadline leaves a
 * `credential_process` its whole time limit (`Process.cacheDeadlineFor`: the limit plus 5 s).
 */
export const layer = (
  options: SharedFileOptions & { readonly cache?: Cache.CacheOptions | undefined } = {}
): Layer.Layer<Credentials, never, FileSystem | Transport> =>
  Cache.layer(make(options), {
    refreshTimeout: Process.cacheDeadlineFor(options.processTimeout),
    ...options.cache
  })
