/**
 * Credentials configured by a profile of the shared config and credentials files: static keys,
 * and the profile provider chain (assume role through `source_profile` chains of any length or
 * a `credential_source`, web identity, SSO, `credential_process`).
 *
 * Resolution is in two steps, as in the other AWS SDKs:
 *
 * 1. {@link resolveChain} (pure) walks from the selected profile through `source_profile` to a
 *    base provider, collecting the roles to assume on the way back. A profile with `role_arn`
 *    (and no `web_identity_token_file`) is a role to assume from its `source_profile` or
 *    `credential_source`; after the first profile, complete static keys win over everything
 *    else; a profile naming itself as its source uses its own static keys; a profile met twice
 *    is a loop. A base profile is, in this order: web identity (`web_identity_token_file` +
 *    `role_arn`), SSO (`sso_*` keys or `sso_session`), `credential_process`, static keys.
 * 2. The provider fetches the base credentials, then assumes each role in turn with STS.
 *
 * Keys are case-insensitive. A selected profile that holds no credential settings, or files
 * that define no profile, make the provider "not loaded" (a chain moves on); every other problem
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
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Transport } from "../Request/Transport.js"
import type { ProfileSet, Section } from "../Session/ProfileSet.js"
import * as ProfileSettings from "../Session/ProfileSettings.js"
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
  notLoaded
} from "./Credentials.js"
import * as Environment from "./Environment.js"
import { checkFields } from "./Fields.js"
import * as InstanceMetadata from "./InstanceMetadata.js"
import * as Process from "./Process.js"
import * as ServiceCalls from "./ServiceCalls.js"
import * as Sso from "./Sso.js"
import * as WebIdentity from "./WebIdentity.js"

const providerName = "profile"

// ---------------------------------------------------------------------------------------------
// The chain of a profile (pure)

/** Static keys from a profile. */
export interface AccessKeyBase {
  readonly _tag: "AccessKey"
  readonly profile: string
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  readonly accountId?: string | undefined
}

/** A `credential_source`: a provider the profile names. */
export interface NamedSourceBase {
  readonly _tag: "NamedSource"
  readonly profile: string
  readonly source: "Environment" | "Ec2InstanceMetadata" | "EcsContainer"
}

/** `web_identity_token_file` with `role_arn`. */
export interface WebIdentityBase {
  readonly _tag: "WebIdentityToken"
  readonly profile: string
  readonly roleArn: string
  readonly tokenFile: string
  readonly roleSessionName?: string | undefined
}

/** IAM Identity Center settings (account and role absent: the profile only yields a token). */
export interface SsoBase {
  readonly _tag: "Sso"
  readonly profile: string
  readonly ssoSession?: string | undefined
  readonly ssoRegion: string
  readonly ssoStartUrl: string
  readonly ssoAccountId?: string | undefined
  readonly ssoRoleName?: string | undefined
}

/** `credential_process`. */
export interface CredentialProcessBase {
  readonly _tag: "CredentialProcess"
  readonly profile: string
  readonly command: string
  /** The profile's `aws_account_id`, used when the process output has none. */
  readonly accountId?: string | undefined
}

/** Where the chain's first credentials come from. */
export type BaseProvider = AccessKeyBase | NamedSourceBase | WebIdentityBase | SsoBase | CredentialProcessBase

/** One role to assume, with the settings of the profile that names it. */
export interface AssumeRoleStep {
  readonly profile: string
  readonly roleArn: string
  readonly externalId?: string | undefined
  readonly roleSessionName?: string | undefined
  readonly durationSeconds?: number | undefined
  readonly mfaSerial?: string | undefined
}

/** A resolved profile: the base provider, then the roles to assume in order. */
export interface ProfileChain {
  readonly base: BaseProvider
  /** Applied first to last: `chain[0]` is assumed with the base credentials. */
  readonly chain: ReadonlyArray<AssumeRoleStep>
}

/** Why a profile does not resolve to a chain. */
export class ProfileChainError extends Data.TaggedError("ProfileChainError")<{
  readonly problem: string
  /** True when the profile simply configures no credentials (a chain moves on). */
  readonly notLoaded: boolean
}> {
  override get message(): string {
    return this.problem
  }
}

const problem = (text: string) => new ProfileChainError({ problem: text, notLoaded: false })
const nothingHere = (text: string) => new ProfileChainError({ problem: text, notLoaded: true })

/** A non-empty value of a key. */
const value = (section: Section, key: string): string | undefined => {
  const v = section.get(key)
  return v === undefined || v.trim() === "" ? undefined : v.trim()
}

const staticKeys = (section: Section): Either.Either<AccessKeyBase, ProfileChainError> | undefined => {
  const accessKeyId = value(section, "aws_access_key_id")
  const secret = Either.getOrUndefined(ProfileSettings.read(section, ProfileSettings.AwsSecretAccessKey))
  const secretAccessKey = secret === undefined ? undefined : Option.getOrUndefined(secret)
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined
  if (accessKeyId === undefined) {
    return Either.left(
      problem(`profile missing aws_access_key_id (profile \`${section.name}\` sets aws_secret_access_key)`)
    )
  }
  if (secretAccessKey === undefined) {
    return Either.left(
      problem(`profile missing aws_secret_access_key (profile \`${section.name}\` sets aws_access_key_id)`)
    )
  }
  const token = Either.getOrUndefined(ProfileSettings.read(section, ProfileSettings.AwsSessionToken))
  const sessionToken = token === undefined ? undefined : Option.getOrUndefined(token)
  const unusable = checkFields(
    {
      accessKeyId,
      secretAccessKey: Redacted.value(secretAccessKey),
      sessionToken: sessionToken === undefined ? undefined : Redacted.value(sessionToken)
    },
    {
      accessKeyId: "aws_access_key_id",
      secretAccessKey: "aws_secret_access_key",
      sessionToken: "aws_session_token"
    }
  )
  if (unusable !== undefined) return Either.left(problem(`profile \`${section.name}\`: ${unusable}`))
  return Either.right({
    _tag: "AccessKey",
    profile: section.name,
    accessKeyId,
    secretAccessKey,
    sessionToken,
    accountId: value(section, "aws_account_id")
  })
}

const ssoKeys = ["sso_session", "sso_account_id", "sso_role_name", "sso_start_url", "sso_region"] as const

const ssoBase = (
  set: ProfileSet,
  section: Section
): Either.Either<SsoBase, ProfileChainError> | undefined => {
  if (ssoKeys.every((k) => value(section, k) === undefined)) return undefined
  const name = section.name
  const accountId = value(section, "sso_account_id")
  const roleName = value(section, "sso_role_name")
  if (roleName !== undefined && accountId === undefined) {
    return Either.left(
      problem(`if \`sso_role_name\` is set, then \`sso_account_id\` must also be set (profile \`${name}\`)`)
    )
  }
  if (accountId !== undefined && roleName === undefined) {
    return Either.left(
      problem(`if \`sso_account_id\` is set, then \`sso_role_name\` must also be set (profile \`${name}\`)`)
    )
  }
  const sessionName = value(section, "sso_session")
  if (sessionName !== undefined) {
    const session = set.ssoSessions.get(sessionName)
    if (session === undefined) {
      return Either.left(
        problem(`sso-session named \`${sessionName}\` (referenced by profile \`${name}\`) was not found`)
      )
    }
    const fromSession = (key: "sso_region" | "sso_start_url"): Either.Either<string, ProfileChainError> => {
      const inSession = value(session, key)
      const inProfile = value(section, key)
      if (inProfile !== undefined && inProfile !== inSession) {
        return Either.left(
          problem(
            `\`${key}\` can only be specified in the [sso-session] config when a session name is given (profile \`${name}\` sets it to ${JSON.stringify(inProfile)}, sso-session \`${sessionName}\` ${inSession === undefined ? "does not set it" : `to ${JSON.stringify(inSession)}`})`
          )
        )
      }
      return inSession === undefined
        ? Either.left(problem(`sso-session \`${sessionName}\` does not set \`${key}\``))
        : Either.right(inSession)
    }
    return Either.gen(function* () {
      const ssoRegion = yield* fromSession("sso_region")
      const ssoStartUrl = yield* fromSession("sso_start_url")
      return {
        _tag: "Sso",
        profile: name,
        ssoSession: sessionName,
        ssoRegion,
        ssoStartUrl,
        ssoAccountId: accountId,
        ssoRoleName: roleName
      } as const
    })
  }
  const ssoRegion = value(section, "sso_region")
  const ssoStartUrl = value(section, "sso_start_url")
  const missing = [
    ssoStartUrl === undefined ? "sso_start_url" : undefined,
    ssoRegion === undefined ? "sso_region" : undefined,
    accountId === undefined ? "sso_account_id" : undefined,
    roleName === undefined ? "sso_role_name" : undefined
  ].filter((k) => k !== undefined)
  if (ssoStartUrl === undefined || ssoRegion === undefined || missing.length > 0) {
    return Either.left(
      problem(
        `profile \`${name}\` configures SSO without an sso_session, so it needs ${missing.map((k) => `\`${k}\``).join(", ")}`
      )
    )
  }
  return Either.right({
    _tag: "Sso",
    profile: name,
    ssoRegion,
    ssoStartUrl,
    ssoAccountId: accountId,
    ssoRoleName: roleName
  })
}

/** The base provider a profile defines (web identity, SSO, process, static keys, in that order). */
const baseProvider = (set: ProfileSet, section: Section): Either.Either<BaseProvider, ProfileChainError> => {
  const tokenFile = value(section, "web_identity_token_file")
  if (tokenFile !== undefined) {
    const roleArn = value(section, "role_arn")
    if (roleArn === undefined) {
      return Either.left(
        problem(
          `\`web_identity_token_file\` was specified but \`role_arn\` was missing (profile \`${section.name}\`)`
        )
      )
    }
    return Either.right({
      _tag: "WebIdentityToken",
      profile: section.name,
      roleArn,
      tokenFile,
      roleSessionName: value(section, "role_session_name")
    })
  }
  const sso = ssoBase(set, section)
  if (sso !== undefined) return sso
  const command = value(section, "credential_process")
  if (command !== undefined) {
    return Either.right({
      _tag: "CredentialProcess",
      profile: section.name,
      command,
      accountId: value(section, "aws_account_id")
    })
  }
  return (
    staticKeys(section) ??
    Either.left(nothingHere(`profile \`${section.name}\` did not contain credential information`))
  )
}

const credentialSources = ["Environment", "Ec2InstanceMetadata", "EcsContainer"] as const

const assumeRoleStep = (section: Section): Either.Either<AssumeRoleStep, ProfileChainError> =>
  Either.gen(function* () {
    const duration = yield* Either.mapLeft(
      ProfileSettings.read(section, ProfileSettings.DurationSeconds),
      (e) => problem(e.message)
    )
    return {
      profile: section.name,
      roleArn: value(section, "role_arn") ?? "",
      externalId: value(section, "external_id"),
      roleSessionName: value(section, "role_session_name"),
      durationSeconds: Option.getOrUndefined(duration),
      mfaSerial: value(section, "mfa_serial")
    }
  })

/**
 * Resolves the chain of providers a profile configures (the cross-SDK rules; see the module
 * documentation).
 *
 * @example
 * ```ts
 * resolveChain(profileSet, "dev")
 * // Right({ base: { _tag: "AccessKey", profile: "base", ... }, chain: [{ roleArn: "arn:...:role/dev", ... }] })
 * ```
 */
export const resolveChain = (
  set: ProfileSet,
  selected: string
): Either.Either<ProfileChain, ProfileChainError> => {
  if (set.profiles.size === 0) {
    return Either.left(nothingHere("No profiles were defined in the shared config and credentials files"))
  }
  if (!set.profiles.has(selected)) {
    return Either.left(
      selected === "default"
        ? nothingHere("the profile `default` is not defined")
        : problem(
            `the selected profile \`${selected}\` is not defined in the shared config or credentials file`
          )
    )
  }
  const visited: Array<string> = []
  const roles: Array<AssumeRoleStep> = []
  let name = selected
  for (;;) {
    const section = set.profiles.get(name)
    if (section === undefined) {
      return Either.left(
        problem(
          `could not find source profile ${name} referenced from ${visited.at(-1) ?? "the root profile"}`
        )
      )
    }
    if (visited.includes(name)) {
      return Either.left(problem(`profile formed an infinite loop: ${[...visited, name].join(" -> ")}`))
    }
    visited.push(name)
    if (visited.length > 1) {
      const keys = staticKeys(section)
      if (keys !== undefined && Either.isRight(keys))
        return Either.right({ base: keys.right, chain: roles.reverse() })
    }
    const roleArn = value(section, "role_arn")
    const isRole = roleArn !== undefined && value(section, "web_identity_token_file") === undefined
    if (!isRole) {
      const base = baseProvider(set, section)
      if (Either.isLeft(base)) {
        return Either.left(
          visited.length === 1
            ? base.left
            : problem(`could not load source profile ${section.name}: ${base.left.problem}`)
        )
      }
      return Either.right({ base: base.right, chain: roles.reverse() })
    }
    const source = value(section, "source_profile")
    const credentialSource = value(section, "credential_source")
    if (source !== undefined && credentialSource !== undefined) {
      return Either.left(
        problem(`profile contained both source_profile and credential_source (profile \`${name}\`)`)
      )
    }
    if (source === undefined && credentialSource === undefined) {
      return Either.left(
        problem(
          `profile must contain \`source_profile\` or \`credential_source\` alongside role_arn (profile \`${name}\`)`
        )
      )
    }
    const step = assumeRoleStep(section)
    if (Either.isLeft(step)) return Either.left(step.left)
    roles.push(step.right)
    if (credentialSource !== undefined) {
      const known = credentialSources.find((s) => s.toLowerCase() === credentialSource.toLowerCase())
      if (known === undefined) {
        return Either.left(
          problem(
            `credential_source \`${credentialSource}\` is not supported (expected Environment, Ec2InstanceMetadata or EcsContainer) in profile \`${name}\``
          )
        )
      }
      return Either.right({
        base: { _tag: "NamedSource", profile: name, source: known },
        chain: roles.reverse()
      })
    }
    if (source === name) {
      const keys = staticKeys(section)
      if (keys === undefined) {
        return Either.left(
          problem(`profile \`${name}\` names itself as source_profile but holds no static keys`)
        )
      }
      if (Either.isLeft(keys)) return Either.left(keys.left)
      return Either.right({ base: keys.right, chain: roles.reverse() })
    }
    name = source as string
  }
}

// ---------------------------------------------------------------------------------------------
// The provider

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
          resolved.left.notLoaded
            ? notLoaded(providerName, resolved.left.problem)
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
