/**
 * The chain of providers a profile of the shared config and credentials files configures, as
 * pure data: {@link resolveChain} walks from the selected profile through `source_profile` to a
 * base provider, collecting the roles to assume on the way back. `SharedFile` makes the provider
 * that fetches what this resolves.
 *
 * The rules are the other AWS SDKs': a profile with `role_arn` (and no `web_identity_token_file`)
 * is a role to assume from its `source_profile` or `credential_source`; after the first profile,
 * complete static keys win over everything else; a profile naming itself as its source uses its
 * own static keys; a profile met twice is a loop. A base profile is, in this order: web identity
 * (`web_identity_token_file` + `role_arn`), SSO (`sso_*` keys or `sso_session`),
 * `credential_process`, static keys. Keys are case-insensitive.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { ProfileSet, Section } from "../Session/ProfileSet.js"
import * as ProfileSettings from "../Session/ProfileSettings.js"
import type { CredentialsErrorReason } from "./Credentials.js"
import { checkFields } from "./Fields.js"

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

/**
 * Why a profile does not resolve to a chain: `reason` is `"NotConfigured"` when the profile simply
 * configures no credentials (a chain moves on), `"Failed"` when what it configures is wrong.
 */
export class ProfileChainError extends Data.TaggedError("ProfileChainError")<{
  readonly problem: string
  readonly reason: CredentialsErrorReason
}> {
  override get message(): string {
    return this.problem
  }

  /**
   * True when the profile configures no credentials.
   * @deprecated Read `reason === "NotConfigured"`; removed in the next release.
   */
  get notLoaded(): boolean {
    return this.reason === "NotConfigured"
  }
}

const problem = (text: string) => new ProfileChainError({ problem: text, reason: "Failed" })
const nothingHere = (text: string) => new ProfileChainError({ problem: text, reason: "NotConfigured" })

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
