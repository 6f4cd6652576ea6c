/**
 * The settings a profile can hold, each decoded from the file's text with `effect/Schema` into a
 * typed value: booleans (`true`/`false`, any case), integers, enumerations (any case, returned in
 * canonical spelling), and secrets as `Redacted` values that never print.
 *
 * Read one setting with {@link read} (undefined/empty values are `Option.none()`), or every known
 * setting of a profile at once with {@link readAll}. A value that does not decode fails with a
 * {@link ConfigValueError} naming the section and the key (and, unless it is a secret, the value).
 *
 * @example
 * ```ts
 * import { ProfileSettings } from "effect-aws-sdk/Session"
 * const attempts = ProfileSettings.read(profile, ProfileSettings.MaxAttempts)
 * // Either<Option<number>, ConfigValueError>
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Section } from "./ProfileSet.js"

/** A configuration value (in a file or the environment) that is not of the expected form. */
export class ConfigValueError extends Data.TaggedError("ConfigValueError")<{
  /** Where the value was read: `profile "dev"`, `the environment`, ... */
  readonly source: string
  /** The key (a sub-property as `s3.addressing_style`), or the environment variable's name. */
  readonly key: string
  readonly problem: string
}> {
  override get message(): string {
    return `invalid ${this.key} in ${this.source}: ${this.problem}`
  }
}

// ---------------------------------------------------------------------------------------------
// Value schemas (from the file's text)

/** `true` or `false` in any letter case. */
export const BooleanFromText: Schema.Schema<boolean, string> = Schema.transformOrFail(
  Schema.String,
  Schema.Boolean,
  {
    strict: true,
    decode: (text, _options, ast) => {
      const lower = text.toLowerCase()
      return lower === "true"
        ? ParseResult.succeed(true)
        : lower === "false"
          ? ParseResult.succeed(false)
          : ParseResult.fail(
              new ParseResult.Type(ast, text, `expected "true" or "false", got ${JSON.stringify(text)}`)
            )
    },
    encode: (value) => ParseResult.succeed(String(value))
  }
)

/** A whole number written in decimal digits (an optional sign, no spaces, exponents or fractions). */
export const IntegerFromText: Schema.Schema<number, string> = Schema.transformOrFail(
  Schema.String,
  Schema.Int,
  {
    strict: true,
    decode: (text, _options, ast) =>
      /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))
        ? ParseResult.succeed(Number(text))
        : ParseResult.fail(
            new ParseResult.Type(ast, text, `expected an integer, got ${JSON.stringify(text)}`)
          ),
    encode: (value) => ParseResult.succeed(String(value))
  }
)

/** An integer of at least 1. */
export const PositiveIntegerFromText: Schema.Schema<number, string> = IntegerFromText.pipe(
  Schema.filter((n) => n >= 1 || `expected an integer of at least 1, got ${n}`)
)

/**
 * One of a set of words, matched in any letter case and decoded to the spelling given here.
 *
 * @example
 * ```ts
 * const Mode = oneOf("standard", "adaptive") // "STANDARD" decodes to "standard"
 * ```
 */
export const oneOf = <const Words extends readonly [string, ...Array<string>]>(
  ...words: Words
): Schema.Schema<Words[number], string> =>
  Schema.transformOrFail(Schema.String, Schema.Literal(...words), {
    strict: true,
    decode: (text, _options, ast) => {
      const found = words.find((w) => w.toLowerCase() === text.toLowerCase())
      return found === undefined
        ? ParseResult.fail(
            new ParseResult.Type(
              ast,
              text,
              `expected one of ${words.map((w) => JSON.stringify(w)).join(", ")}, got ${JSON.stringify(text)}`
            )
          )
        : ParseResult.succeed(found as Words[number])
    },
    encode: (value) => ParseResult.succeed(value)
  })

/** A secret: the text wrapped in `Redacted`, so that it prints as `<redacted>`. */
export const SecretFromText: Schema.Schema<Redacted.Redacted<string>, string> = Schema.Redacted(Schema.String)

// ---------------------------------------------------------------------------------------------
// Settings

/** One setting: where it is in a profile and how its text decodes. */
export interface Setting<A> {
  /** The property key (lower case). */
  readonly key: string
  /** For a sub-property (`s3` → `addressing_style`), its key within the block. */
  readonly subKey?: string | undefined
  readonly schema: Schema.Schema<A, string>
  /** True for secrets: their values are never part of an error message. */
  readonly secret: boolean
}

/** The decoded type of a {@link Setting}. */
export type SettingType<S> = S extends Setting<infer A> ? A : never

const setting = <A>(
  key: string,
  schema: Schema.Schema<A, string>,
  options?: { readonly subKey?: string; readonly secret?: boolean }
): Setting<A> => ({ key, subKey: options?.subKey, schema, secret: options?.secret ?? false })

/** `region`: the AWS region. */
export const Region = setting("region", Schema.String)
/** `max_attempts`: total attempts per call, first included (at least 1). */
export const MaxAttempts = setting("max_attempts", PositiveIntegerFromText)
/** `retry_mode`: `legacy`, `standard` or `adaptive`. */
export const RetryMode = setting("retry_mode", oneOf("legacy", "standard", "adaptive"))
/** `use_fips_endpoint`: use FIPS endpoints. */
export const UseFipsEndpoint = setting("use_fips_endpoint", BooleanFromText)
/** `use_dualstack_endpoint`: use dual-stack (IPv4 + IPv6) endpoints. */
export const UseDualstackEndpoint = setting("use_dualstack_endpoint", BooleanFromText)
/** `endpoint_url`: one endpoint for every service (a `[services x]` block can set it per service). */
export const EndpointUrl = setting("endpoint_url", Schema.String)
/** `ignore_configured_endpoint_urls`: ignore `endpoint_url` from the environment and the files. */
export const IgnoreConfiguredEndpointUrls = setting("ignore_configured_endpoint_urls", BooleanFromText)
/** `services`: the name of the `[services x]` section this profile uses. */
export const Services = setting("services", Schema.String)
/** `credential_process`: a command that prints credentials as JSON. */
export const CredentialProcess = setting("credential_process", Schema.String)
/** `role_arn`: the role to assume. */
export const RoleArn = setting("role_arn", Schema.String)
/** `source_profile`: the profile whose credentials assume `role_arn`. */
export const SourceProfile = setting("source_profile", Schema.String)
/** `credential_source`: where the credentials that assume `role_arn` come from. */
export const CredentialSource = setting(
  "credential_source",
  oneOf("Environment", "Ec2InstanceMetadata", "EcsContainer")
)
/** `external_id`: passed to AssumeRole. */
export const ExternalId = setting("external_id", Schema.String)
/** `mfa_serial`: the MFA device whose token AssumeRole needs. */
export const MfaSerial = setting("mfa_serial", Schema.String)
/** `role_session_name`: the session name for AssumeRole. */
export const RoleSessionName = setting("role_session_name", Schema.String)
/** `duration_seconds`: how long assumed-role credentials last. */
export const DurationSeconds = setting("duration_seconds", PositiveIntegerFromText)
/** `web_identity_token_file`: the OIDC token file for AssumeRoleWithWebIdentity. */
export const WebIdentityTokenFile = setting("web_identity_token_file", Schema.String)
/** `sso_session`: the name of the `[sso-session x]` section. */
export const SsoSession = setting("sso_session", Schema.String)
/** `sso_start_url`: the IAM Identity Center start URL. */
export const SsoStartUrl = setting("sso_start_url", Schema.String)
/** `sso_region`: the IAM Identity Center region. */
export const SsoRegion = setting("sso_region", Schema.String)
/** `sso_account_id`: the account to get role credentials for. */
export const SsoAccountId = setting("sso_account_id", Schema.String)
/** `sso_role_name`: the role to get credentials for. */
export const SsoRoleName = setting("sso_role_name", Schema.String)
/** `sso_registration_scopes`: scopes of an `[sso-session x]` registration. */
export const SsoRegistrationScopes = setting("sso_registration_scopes", Schema.String)
/** `aws_access_key_id`: a static access key. */
export const AwsAccessKeyId = setting("aws_access_key_id", Schema.String)
/** `aws_secret_access_key`: the static secret key, as a `Redacted`. */
export const AwsSecretAccessKey = setting("aws_secret_access_key", SecretFromText, { secret: true })
/** `aws_session_token`: the session token of temporary credentials, as a `Redacted`. */
export const AwsSessionToken = setting("aws_session_token", SecretFromText, { secret: true })
/** `ec2_metadata_service_endpoint`: the instance metadata service endpoint. */
export const Ec2MetadataServiceEndpoint = setting("ec2_metadata_service_endpoint", Schema.String)
/** `ec2_metadata_service_endpoint_mode`: `IPv4` or `IPv6`. */
export const Ec2MetadataServiceEndpointMode = setting(
  "ec2_metadata_service_endpoint_mode",
  oneOf("IPv4", "IPv6")
)
/** `ec2_metadata_v1_disabled`: refuse the IMDSv1 fallback. */
export const Ec2MetadataV1Disabled = setting("ec2_metadata_v1_disabled", BooleanFromText)
/** `sts_regional_endpoints`: `legacy` (global endpoint) or `regional`. */
export const StsRegionalEndpoints = setting("sts_regional_endpoints", oneOf("legacy", "regional"))
/** `s3` → `addressing_style`: `auto`, `virtual` or `path`. */
export const S3AddressingStyle = setting("s3", oneOf("auto", "virtual", "path"), {
  subKey: "addressing_style"
})
/** `s3` → `use_arn_region`: let an access point ARN's region override the client's. */
export const S3UseArnRegion = setting("s3", BooleanFromText, { subKey: "use_arn_region" })
/** `s3` → `use_accelerate_endpoint`: use S3 Transfer Acceleration. */
export const S3UseAccelerateEndpoint = setting("s3", BooleanFromText, { subKey: "use_accelerate_endpoint" })
/** `request_checksum_calculation`: `when_supported` or `when_required`. */
export const RequestChecksumCalculation = setting(
  "request_checksum_calculation",
  oneOf("when_supported", "when_required")
)
/** `response_checksum_validation`: `when_supported` or `when_required`. */
export const ResponseChecksumValidation = setting(
  "response_checksum_validation",
  oneOf("when_supported", "when_required")
)

/** Every known setting, by the name {@link readAll} gives it. */
export const settings = {
  region: Region,
  maxAttempts: MaxAttempts,
  retryMode: RetryMode,
  useFipsEndpoint: UseFipsEndpoint,
  useDualstackEndpoint: UseDualstackEndpoint,
  endpointUrl: EndpointUrl,
  ignoreConfiguredEndpointUrls: IgnoreConfiguredEndpointUrls,
  services: Services,
  credentialProcess: CredentialProcess,
  roleArn: RoleArn,
  sourceProfile: SourceProfile,
  credentialSource: CredentialSource,
  externalId: ExternalId,
  mfaSerial: MfaSerial,
  roleSessionName: RoleSessionName,
  durationSeconds: DurationSeconds,
  webIdentityTokenFile: WebIdentityTokenFile,
  ssoSession: SsoSession,
  ssoStartUrl: SsoStartUrl,
  ssoRegion: SsoRegion,
  ssoAccountId: SsoAccountId,
  ssoRoleName: SsoRoleName,
  ssoRegistrationScopes: SsoRegistrationScopes,
  awsAccessKeyId: AwsAccessKeyId,
  awsSecretAccessKey: AwsSecretAccessKey,
  awsSessionToken: AwsSessionToken,
  ec2MetadataServiceEndpoint: Ec2MetadataServiceEndpoint,
  ec2MetadataServiceEndpointMode: Ec2MetadataServiceEndpointMode,
  ec2MetadataV1Disabled: Ec2MetadataV1Disabled,
  stsRegionalEndpoints: StsRegionalEndpoints,
  s3AddressingStyle: S3AddressingStyle,
  s3UseArnRegion: S3UseArnRegion,
  s3UseAccelerateEndpoint: S3UseAccelerateEndpoint,
  requestChecksumCalculation: RequestChecksumCalculation,
  responseChecksumValidation: ResponseChecksumValidation
} as const

/** Every known setting of one profile, decoded; absent and empty values are left out. */
export type ProfileSettings = {
  readonly [K in keyof typeof settings]?: SettingType<(typeof settings)[K]>
}

/** The name of a setting in messages: `max_attempts`, `s3.addressing_style`. */
export const settingName = <A>(s: Setting<A>): string =>
  s.subKey === undefined ? s.key : `${s.key}.${s.subKey}`

/**
 * Decodes one value of a setting read from `source` (a section's description, or
 * `the environment` with the variable's name as `key`); `key` defaults to the setting's name.
 */
export const decodeValue = <A>(
  s: Setting<A>,
  text: string,
  source: string,
  key: string = settingName(s)
): Either.Either<A, ConfigValueError> =>
  Either.mapLeft(Schema.decodeEither(s.schema)(text), (error) => {
    const detail = ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? "invalid value"
    return new ConfigValueError({ source, key, problem: s.secret ? "invalid value" : detail })
  })

/** The raw text of a setting in a section, or undefined when absent or empty. */
export const rawValue = <A>(section: Section | undefined, s: Setting<A>): string | undefined => {
  if (section === undefined) return undefined
  const value = s.subKey === undefined ? section.get(s.key) : section.subProperty(s.key, s.subKey)
  return value === undefined || value === "" ? undefined : value
}

/**
 * One setting of a section (a profile, usually): none when the section or the key is absent or the
 * value is empty, a {@link ConfigValueError} when the value does not decode.
 */
export const read = <A>(
  section: Section | undefined,
  s: Setting<A>
): Either.Either<Option.Option<A>, ConfigValueError> => {
  const text = rawValue(section, s)
  return text === undefined || section === undefined
    ? Either.right(Option.none())
    : Either.map(decodeValue(s, text, section.describe()), Option.some)
}

/** Every known setting of a section, decoded; the first value that does not decode fails it all. */
export const readAll = (section: Section | undefined): Either.Either<ProfileSettings, ConfigValueError> => {
  const out: Record<string, unknown> = {}
  for (const [name, s] of Object.entries(settings) as Array<[string, Setting<unknown>]>) {
    const value = read(section, s)
    if (Either.isLeft(value)) return Either.left(value.left)
    if (Option.isSome(value.right)) out[name] = value.right.value
  }
  return Either.right(out as ProfileSettings)
}
