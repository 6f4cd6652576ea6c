/**
 * Credentials from IAM Identity Center (SSO): the access token `aws sso login` left in the SSO
 * cache, exchanged for role credentials with SSO `GetRoleCredentials`. The Go SDK's
 * `ssocreds.Provider`.
 *
 * - With an `[sso-session name]` (`sso_session` in the profile), the token is cached in
 *   `~/.aws/sso/cache/<sha1 of the session name>.json`, and is refreshed through SSO OIDC
 *   `CreateToken` (refresh token grant) when it is within 5 minutes of its expiry; the refreshed
 *   token is written back to the cache file. A failed refresh of a still-valid token keeps it.
 * - The legacy form (no session: `sso_start_url` and `sso_region` in the profile) uses
 *   `<sha1 of the start URL>.json` and is never refreshed.
 * - An expired token fails with a message that says to run `aws sso login`.
 *
 * Cache files are decoded with `effect/Schema`; tokens are `Redacted`.
 *
 * @since 0.1.0
 */

import type { FileSystem } from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash } from "#runtime/Crypto"
import { hexEncode, utf8Encode } from "../Protocols/Bytes.js"
import { homeDirectory, locationEnvNames, platformOf } from "../Session/FileLocation.js"
import { readEnvironment } from "../Session/SharedConfig.js"
import * as Cache from "./Cache.js"
import {
  type AwsCredentials,
  anonymous,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  make as makeCredentials
} from "./Credentials.js"
import * as Fields from "./Fields.js"
import * as Files from "./Files.js"
import { describeCallError, type SsoCalls, type SsoOidcCalls } from "./ServiceCalls.js"

const providerName = "sso"

/** What an SSO profile configures. */
export interface SsoConfig {
  /** The `[sso-session x]` name; absent for the legacy form. */
  readonly ssoSession?: string | undefined
  readonly ssoStartUrl: string
  /** The IAM Identity Center region (of the portal and OIDC endpoints). */
  readonly ssoRegion: string
  readonly ssoAccountId: string
  readonly ssoRoleName: string
}

/** Options of the SSO provider. */
export interface SsoOptions extends SsoConfig {
  readonly sso: SsoCalls
  /** Refreshes session tokens; without it a token is used until it expires. */
  readonly ssoOidc?: SsoOidcCalls | undefined
  /** The token cache directory (default `~/.aws/sso/cache`, home from `HOME` and friends). */
  readonly cacheDirectory?: string | undefined
  /** Refresh a session token this long before it expires (default 5 minutes). */
  readonly refreshWindow?: Duration.DurationInput | undefined
  /** Names the provider in messages (default `sso`). */
  readonly name?: string | undefined
}

/** The cache file's name for a session name or (legacy) start URL: its SHA-1 in hex, `.json`. */
export const cacheFileName = (key: string): string => {
  const sha1 = createHash("sha1")
  sha1.update(utf8Encode(key))
  return `${hexEncode(sha1.digest())}.json`
}

const isoDate = Fields.DateString

/** The token cache document (`aws sso login` writes it; other fields are kept when rewriting it). */
export const SsoCacheDocument = Schema.Struct({
  accessToken: Fields.BearerToken,
  expiresAt: isoDate,
  refreshToken: Schema.optional(Schema.String),
  clientId: Schema.optional(Schema.String),
  clientSecret: Schema.optional(Schema.String),
  registrationExpiresAt: Schema.optional(isoDate),
  region: Schema.optional(Schema.String),
  startUrl: Schema.optional(Schema.String)
})

/** An SSO access token from the cache. Secrets are `Redacted`. */
export interface SsoToken {
  readonly accessToken: Redacted.Redacted<string>
  readonly expiresAt: Date
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  readonly clientId?: string | undefined
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly registrationExpiresAt?: Date | undefined
  readonly region?: string | undefined
  readonly startUrl?: string | undefined
}

/** Decodes a cache file's text; the error names the problem, never the values. */
export const decodeCacheFile = (
  text: string
): Either.Either<{ readonly token: SsoToken; readonly raw: Readonly<Record<string, unknown>> }, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left("the token cache file is not valid JSON")
  }
  return Either.mapBoth(Schema.decodeUnknownEither(SsoCacheDocument)(json, { errors: "all" }), {
    onLeft: (error) =>
      `the token cache file lacks accessToken or a valid expiresAt, or has a field of the wrong type or with characters a header cannot carry (${Fields.describeIssues(error).join("; ")})`,
    onRight: (doc) => ({
      raw: json as Record<string, unknown>,
      token: {
        accessToken: Redacted.make(doc.accessToken),
        expiresAt: doc.expiresAt,
        refreshToken: doc.refreshToken === undefined ? undefined : Redacted.make(doc.refreshToken),
        clientId: doc.clientId,
        clientSecret: doc.clientSecret === undefined ? undefined : Redacted.make(doc.clientSecret),
        registrationExpiresAt: doc.registrationExpiresAt,
        region: doc.region,
        startUrl: doc.startUrl
      }
    })
  })
}

/** `GetRoleCredentials`'s answer (expiration in epoch milliseconds). */
export const RoleCredentialsOutput = Schema.Struct({
  roleCredentials: Schema.Struct({
    accessKeyId: Fields.AccessKeyId,
    secretAccessKey: Fields.SecretAccessKey,
    sessionToken: Schema.optional(Fields.SessionToken),
    expiration: Fields.EpochMillis
  })
})

/** `CreateToken`'s answer. */
export const CreateTokenOutput = Schema.Struct({
  accessToken: Fields.BearerToken,
  expiresIn: Fields.Seconds,
  refreshToken: Schema.optional(Schema.String)
})

/** The cache directory: the option, else `<home>/.aws/sso/cache`. */
const cacheDirectoryOf = (options: SsoOptions): Effect.Effect<string, CredentialsError> =>
  options.cacheDirectory !== undefined
    ? Effect.succeed(options.cacheDirectory)
    : Effect.gen(function* () {
        const env = yield* Effect.mapError(
          readEnvironment(locationEnvNames),
          (e) =>
            new CredentialsError({
              provider: providerName,
              message: `cannot read the environment: ${e.message}`
            })
        )
        const platform = typeof process === "undefined" ? "posix" : platformOf(process.platform)
        const home = homeDirectory(env, platform)
        if (home === undefined) {
          return yield* Effect.fail(
            new CredentialsError({
              provider: providerName,
              message: "no home directory (HOME) to find the SSO cache in"
            })
          )
        }
        const sep = platform === "windows" ? "\\" : "/"
        return `${home.replace(/[\\/]+$/, "")}${sep}.aws${sep}sso${sep}cache`
      })

/** Exchanges the cached (and, when due, refreshed) token for role credentials. */
export const fetch = (options: SsoOptions): Effect.Effect<AwsCredentials, CredentialsError, FileSystem> =>
  Effect.gen(function* () {
    const name = options.name ?? providerName
    const fail = (message: string, cause?: unknown) =>
      new CredentialsError({ provider: name, message, cause })
    const login =
      options.ssoSession === undefined
        ? "run `aws sso login` to sign in again"
        : `run \`aws sso login --sso-session ${options.ssoSession}\` to sign in again`
    const directory = yield* cacheDirectoryOf(options)
    const sep = directory.includes("\\") && !directory.includes("/") ? "\\" : "/"
    const path = `${directory}${sep}${cacheFileName(options.ssoSession ?? options.ssoStartUrl)}`
    const text = yield* Effect.mapError(Files.readText(path), (e) =>
      fail(`cannot load the SSO token (${login}): ${e.message}`, e)
    )
    const cached = yield* Either.mapLeft(decodeCacheFile(text), (problem) =>
      fail(`${path}: ${problem} (${login})`)
    )
    const now = yield* Clock.currentTimeMillis
    let token = cached.token
    const windowMs = Duration.toMillis(Duration.decode(options.refreshWindow ?? Duration.minutes(5)))
    if (options.ssoSession !== undefined && token.expiresAt.getTime() - now < windowMs) {
      const refreshed = yield* Effect.either(refreshToken(options, token, cached.raw, path, now))
      if (Either.isRight(refreshed)) token = refreshed.right
      else if (token.expiresAt.getTime() > now) {
        yield* Effect.logWarning(
          `sso: refreshing the token of sso-session ${options.ssoSession} failed; using it until it expires at ${token.expiresAt.toISOString()}: ${refreshed.left}`
        )
      } else {
        return yield* Effect.fail(
          fail(
            `the SSO session token expired at ${token.expiresAt.toISOString()} and could not be refreshed (${refreshed.left}); ${login}`
          )
        )
      }
    }
    if (token.expiresAt.getTime() <= now) {
      return yield* Effect.fail(fail(`the SSO token expired at ${token.expiresAt.toISOString()}; ${login}`))
    }
    const output = yield* options.sso
      .getRoleCredentials(
        {
          roleName: options.ssoRoleName,
          accountId: options.ssoAccountId,
          accessToken: Redacted.value(token.accessToken)
        },
        { region: options.ssoRegion, credentials: anonymous }
      )
      .pipe(
        Effect.mapError((e) =>
          fail(`an error occurred while loading credentials from SSO: ${describeCallError(e)}`, e)
        )
      )
    const decoded = yield* Either.mapLeft(
      Schema.decodeUnknownEither(RoleCredentialsOutput)(output, { errors: "all" }),
      (error) =>
        fail(
          `the GetRoleCredentials response lacks roleCredentials with accessKeyId, secretAccessKey and expiration, or has one that is not usable (${Fields.describeIssues(error).join("; ")})`
        )
    )
    return makeCredentials({
      accessKeyId: decoded.roleCredentials.accessKeyId,
      secretAccessKey: decoded.roleCredentials.secretAccessKey,
      sessionToken: decoded.roleCredentials.sessionToken,
      expiration: new Date(decoded.roleCredentials.expiration),
      accountId: options.ssoAccountId,
      source: name
    })
  })

/**
 * Refreshes a session token through SSO OIDC and writes it back to the cache file (a failed
 * write is logged, the new token used anyway). Fails with the reason it could not refresh.
 */
const refreshToken = (
  options: SsoOptions,
  token: SsoToken,
  raw: Readonly<Record<string, unknown>>,
  path: string,
  now: number
): Effect.Effect<SsoToken, string, FileSystem> =>
  Effect.gen(function* () {
    if (options.ssoOidc === undefined) return yield* Effect.fail("no SSO OIDC client to refresh it with")
    if (
      token.refreshToken === undefined ||
      token.clientId === undefined ||
      token.clientSecret === undefined
    ) {
      return yield* Effect.fail("the cache holds no refresh token and client registration")
    }
    if (token.registrationExpiresAt !== undefined && token.registrationExpiresAt.getTime() <= now) {
      return yield* Effect.fail("the client registration has expired")
    }
    const output = yield* options.ssoOidc
      .createToken(
        {
          clientId: token.clientId,
          clientSecret: Redacted.value(token.clientSecret),
          grantType: "refresh_token",
          refreshToken: Redacted.value(token.refreshToken)
        },
        { region: options.ssoRegion, credentials: anonymous }
      )
      .pipe(Effect.mapError((e) => `CreateToken failed: ${describeCallError(e)}`))
    const decoded = yield* Either.mapLeft(
      Schema.decodeUnknownEither(CreateTokenOutput)(output, { errors: "all" }),
      (error) =>
        `the CreateToken response lacks accessToken or expiresIn, or has one that is not usable (${Fields.describeIssues(error).join("; ")})`
    )
    const expiresAt = new Date(now + decoded.expiresIn * 1000)
    if (Number.isNaN(expiresAt.getTime())) {
      return yield* Effect.fail(
        `the CreateToken response's expiresIn (${decoded.expiresIn} s) is not a usable duration`
      )
    }
    const refreshed: SsoToken = {
      ...token,
      accessToken: Redacted.make(decoded.accessToken),
      expiresAt,
      refreshToken:
        decoded.refreshToken === undefined ? token.refreshToken : Redacted.make(decoded.refreshToken)
    }
    const document = {
      ...raw,
      accessToken: decoded.accessToken,
      expiresAt: refreshed.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(refreshed.refreshToken === undefined
        ? {}
        : { refreshToken: Redacted.value(refreshed.refreshToken) })
    }
    yield* Files.writeText(path, JSON.stringify(document, null, 2)).pipe(
      Effect.catchAll((e) => Effect.logWarning(`sso: the refreshed token could not be saved: ${e.message}`))
    )
    return refreshed
  })

/** The SSO provider, uncached. */
export const make = (options: SsoOptions): Effect.Effect<CredentialsProvider, never, FileSystem> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<FileSystem>()
    const configProvider = yield* Effect.configProviderWith((p: ConfigProvider.ConfigProvider) =>
      Effect.succeed(p)
    )
    const get = fetch(options).pipe(Effect.provide(context), Effect.withConfigProvider(configProvider))
    return { get, refresh: get }
  })

/** The SSO provider behind a cache, as a layer. */
export const layer = (options: SsoOptions): Layer.Layer<Credentials, never, FileSystem> =>
  Cache.layer(make(options))
