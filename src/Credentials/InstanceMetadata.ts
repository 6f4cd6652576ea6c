/**
 * Credentials of the IAM role attached to an EC2 instance, from the instance metadata service
 * (IMDS). The Go SDK's `ec2rolecreds.EC2RoleProvider`.
 *
 * - IMDSv2: a session token is requested first (`PUT /latest/api/token` with
 *   `x-aws-ec2-metadata-token-ttl-seconds`), kept until shortly before its TTL ends, and sent
 *   with every read (`x-aws-ec2-metadata-token`); a 401 drops it and fetches a new one once.
 * - Then the role name (`GET /latest/meta-data/iam/security-credentials/`) and the role's
 *   credentials (`.../<role>`), decoded with `effect/Schema`.
 * - IMDSv1 fallback: when the token request answers 404 or 405, or no answer arrives in time
 *   (a container behind a hop limit of 1), reads go without a token, unless
 *   `ec2_metadata_v1_disabled` / `AWS_EC2_METADATA_V1_DISABLED` forbids it. A 403 means IMDS is
 *   disabled on the instance: no fallback.
 * - `AWS_EC2_METADATA_DISABLED=true` turns the provider off ("not configured"); so do an unreachable
 *   endpoint and an instance without a role, so that a chain moves on.
 * - Endpoint: an explicit option, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the profile's
 *   `ec2_metadata_service_endpoint`, else by mode (option, `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`,
 *   `ec2_metadata_service_endpoint_mode`): `http://169.254.169.254` for IPv4 (the default),
 *   `http://[fd00:ec2::254]` for IPv6.
 * - Each request has a 1-second connect and idle timeout (`timeout`) and is retried once on a
 *   network error, timeout or 5xx; a request, its retry included, must be answered in full within
 *   5 seconds (`totalTimeout`), however slowly the answer trickles in; an answer over 64 KiB is
 *   refused.
 * - Static stability: credentials IMDS returns already expired, or the last ones when IMDS
 *   fails later, are used for 5 to 10 more minutes with a logged warning, as the other AWS SDKs
 *   do, so that an IMDS outage does not stop a running program.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "effect-aws-sdk"
 * const live = InstanceMetadata.layer().pipe(
 *   Layer.provide(NodeTransport.layer()),
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
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
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { Transport } from "../Request/Transport.js"
import * as Cache from "./Cache.js"
import {
  type AwsCredentials,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  isExpired,
  notConfigured
} from "./Credentials.js"
import * as Fields from "./Fields.js"
import {
  type ImdsSettings,
  type InstanceMetadataOptions,
  loadSettings,
  tokenPath
} from "./InstanceMetadataSettings.js"
import * as MetadataHttp from "./MetadataHttp.js"

export {
  defaultEndpoints,
  type EndpointMode,
  environmentVariables,
  ImdsConfigError,
  type ImdsSettings,
  type ImdsSettingsInput,
  type InstanceMetadataOptions,
  loadSettings,
  resolveSettings,
  tokenUrl
} from "./InstanceMetadataSettings.js"

const providerName = "imds"
const rolePath = "/latest/meta-data/iam/security-credentials/"

/** A role's credentials document as IMDS serves it. */
export const ImdsCredentialsDocument = Schema.Struct({
  Code: Schema.optional(Schema.String),
  Message: Schema.optional(Schema.String),
  Type: Schema.optional(Schema.String),
  AccessKeyId: Fields.AccessKeyId,
  SecretAccessKey: Fields.SecretAccessKey,
  Token: Schema.optional(Fields.SessionToken),
  Expiration: Fields.DateString,
  AccountId: Schema.optional(Schema.String)
})

const ErrorEnvelope = Schema.Struct({
  Code: Schema.optional(Schema.String),
  Message: Schema.optional(Schema.String)
})

/** Decodes a credentials document; errors name the fields, never the values. */
export const decodeCredentials = (body: string): Either.Either<AwsCredentials, string> =>
  Either.flatMap(Fields.parseJson(body), (json) => {
    const envelope = Schema.decodeUnknownEither(ErrorEnvelope)(json)
    if (Either.isRight(envelope) && envelope.right.Code !== undefined && envelope.right.Code !== "Success") {
      return Either.left(
        `IMDS answered ${envelope.right.Code}: ${envelope.right.Message ?? "no message"}${
          envelope.right.Code === "AssumeRoleUnauthorizedAccess"
            ? " (does the role trust ec2.amazonaws.com?)"
            : ""
        }`
      )
    }
    return Fields.decodeMetadataDocument(
      ImdsCredentialsDocument,
      json,
      "AccessKeyId, SecretAccessKey or a valid Expiration",
      providerName
    )
  })

interface Token {
  readonly value: string
  /** Epoch millis after which it is not used any more. */
  readonly usableUntil: number
}

/** The outcome of asking for a token: one, or "read without" (the IMDSv1 fallback). */
type TokenOutcome = { readonly _tag: "Token"; readonly token: Token } | { readonly _tag: "V1" }

const failure = (message: string, cause?: unknown) =>
  new CredentialsError({ provider: providerName, message: `instance metadata: ${message}`, cause })

const extensionBase = Duration.toMillis(Duration.minutes(5))

/** An IAM role name: what IMDS may name before it is put in a path and in messages. */
const validRoleName = /^[\w+=,.@-]{1,64}$/

/**
 * The instance metadata provider, uncached (wrap it with `Cache`, or use {@link layer}). Settings
 * are resolved on the first fetch with the `ConfigProvider` and `FileSystem` in place when the
 * provider is made.
 */
export const make = (
  options: InstanceMetadataOptions = {}
): Effect.Effect<CredentialsProvider, never, Transport | FileSystem> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const context = yield* Effect.context<FileSystem>()
    const configProvider = yield* Effect.configProviderWith((p: ConfigProvider.ConfigProvider) =>
      Effect.succeed(p)
    )
    const settingsOnce = yield* Effect.cached(
      loadSettings(options).pipe(Effect.provide(context), Effect.withConfigProvider(configProvider))
    )
    const timeoutMs = Duration.toMillis(Duration.decode(options.timeout ?? Duration.seconds(1)))
    const totalTimeoutMs = Duration.toMillis(Duration.decode(options.totalTimeout ?? Duration.seconds(5)))
    const attempts = Math.max(1, options.attempts ?? 2)
    const ttlSeconds = Math.max(
      1,
      Math.floor(Duration.toSeconds(Duration.decode(options.tokenTtl ?? Duration.hours(6))))
    )
    const tokenRef = yield* Ref.make<Token | undefined>(undefined)
    const lastRef = yield* Ref.make<AwsCredentials | undefined>(undefined)

    const request = (
      base: MetadataHttp.ParsedUrl,
      method: "GET" | "PUT",
      path: string,
      headers: Record<string, string>
    ) => MetadataHttp.send(transport, { method, base, path, headers, timeoutMs, totalTimeoutMs, attempts })

    const fetchToken = (
      base: MetadataHttp.ParsedUrl,
      settings: ImdsSettings
    ): Effect.Effect<TokenOutcome, CredentialsError> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const cached = yield* Ref.get(tokenRef)
        if (cached !== undefined && now < cached.usableUntil) return { _tag: "Token", token: cached } as const
        const where = MetadataHttp.describe(base, tokenPath)
        const v1 = (why: string): Effect.Effect<TokenOutcome, CredentialsError> =>
          settings.v1Disabled
            ? Effect.fail(failure(`${why}, and the IMDSv1 fallback is disabled (ec2_metadata_v1_disabled)`))
            : Effect.succeed({ _tag: "V1" } as const)
        const outcome = yield* Effect.either(
          request(base, "PUT", tokenPath, { "x-aws-ec2-metadata-token-ttl-seconds": String(ttlSeconds) })
        )
        if (Either.isLeft(outcome)) {
          const error = outcome.left
          if (error._tag === "RequestTimeout" && error.phase !== "connect") {
            return yield* v1(`no answer to the token request at ${where} within ${timeoutMs} ms`)
          }
          return yield* Effect.fail(
            notConfigured(
              providerName,
              `the instance metadata service at ${settings.endpoint} is not reachable: ${error.message}`
            )
          )
        }
        const response = outcome.right
        if (response.status === 200) {
          const value = response.body.trim()
          if (value === "")
            return yield* Effect.fail(failure(`the token request at ${where} returned an empty token`))
          if (!Fields.isHeaderSafe(value)) {
            return yield* Effect.fail(
              failure(
                `the token request at ${where} returned a token with characters a header cannot carry (only visible ASCII is allowed)`
              )
            )
          }
          // The TTL IMDS grants, never more than was asked for: a header of 1e12 seconds must
          // not keep a token for ever.
          const ttlHeader = Number(response.headers["x-aws-ec2-metadata-token-ttl-seconds"])
          const ttl =
            Number.isFinite(ttlHeader) && ttlHeader > 0 ? Math.min(ttlHeader, ttlSeconds) : ttlSeconds
          // Stop using a token a little before IMDS does.
          const token = { value, usableUntil: now + Math.max(ttl * 1000 - 60_000, (ttl * 1000) / 2) }
          yield* Ref.set(tokenRef, token)
          return { _tag: "Token", token } as const
        }
        if (response.status === 404 || response.status === 405) {
          return yield* v1(`the token request at ${where} answered ${response.status}`)
        }
        if (response.status === 403) {
          return yield* Effect.fail(
            failure(
              `the token request at ${where} answered 403: request forbidden: IMDS is disabled on this instance, or the request went through a proxy`
            )
          )
        }
        return yield* Effect.fail(failure(`the token request at ${where} answered ${response.status}`))
      })

    /**
     * A read with the token decided for this fetch (a new token is fetched once when IMDS answers
     * 401: the one in hand is no longer valid). Returns the token to use for the next read.
     */
    const read = (
      base: MetadataHttp.ParsedUrl,
      settings: ImdsSettings,
      token: TokenOutcome,
      path: string
    ): Effect.Effect<readonly [MetadataHttp.TextResponse, TokenOutcome], CredentialsError> =>
      Effect.gen(function* () {
        let current = token
        for (let round = 0; ; round++) {
          const headers: Record<string, string> =
            current._tag === "Token" ? { "x-aws-ec2-metadata-token": current.token.value } : {}
          const response = yield* Effect.mapError(request(base, "GET", path, headers), (e) =>
            failure(`reading ${MetadataHttp.describe(base, path)} failed: ${e.message}`, e)
          )
          if (response.status === 401 && current._tag === "Token" && round === 0) {
            yield* Ref.set(tokenRef, undefined)
            current = yield* fetchToken(base, settings)
            continue
          }
          return [response, current] as const
        }
      })

    const fetchFresh = (settings: ImdsSettings): Effect.Effect<AwsCredentials, CredentialsError> =>
      Effect.gen(function* () {
        const base = yield* Either.mapLeft(MetadataHttp.parseUrl(settings.endpoint), (problem) =>
          failure(`invalid endpoint ${settings.endpoint}: ${problem}`)
        )
        const token = yield* fetchToken(base, settings)
        const [roles, next] = yield* read(base, settings, token, rolePath)
        if (roles.status === 404) {
          return yield* Effect.fail(
            notConfigured(
              providerName,
              `no IAM role is attached to this instance (404 from ${MetadataHttp.describe(base, rolePath)})`
            )
          )
        }
        if (roles.status !== 200) {
          return yield* Effect.fail(failure(`reading the role name answered ${roles.status}`))
        }
        const role = roles.body
          .split("\n")
          .map((line) => line.trim())
          .find((line) => line !== "")
        if (role === undefined) {
          return yield* Effect.fail(
            notConfigured(providerName, "no IAM role is attached to this instance (empty role list)")
          )
        }
        if (!validRoleName.test(role)) {
          return yield* Effect.fail(
            failure(
              `${MetadataHttp.describe(base, rolePath)} named a role that is not a valid IAM role name (${role.length} characters; expected 1 to 64 of letters, digits and +=,.@_-)`
            )
          )
        }
        const credentialsPath = `${rolePath}${encodeURIComponent(role)}`
        const [document] = yield* read(base, settings, next, credentialsPath)
        if (document.status === 404) {
          return yield* Effect.fail(notConfigured(providerName, `the role ${role} has no credentials (404)`))
        }
        if (document.status !== 200) {
          return yield* Effect.fail(
            failure(`reading the credentials of role ${role} answered ${document.status}`)
          )
        }
        return yield* Either.mapLeft(decodeCredentials(document.body), (problem) => failure(problem))
      })

    /** Uses credentials for a few more minutes, with a warning (static stability). */
    const extend = (
      credentials: AwsCredentials,
      now: number,
      reason: string
    ): Effect.Effect<AwsCredentials> =>
      Effect.gen(function* () {
        const jitter = yield* Random.nextIntBetween(0, extensionBase + 1)
        const expiration = new Date(now + extensionBase + jitter)
        yield* Effect.logWarning(
          `instance metadata: ${reason}; using the last credentials until ${expiration.toISOString()}, then trying again`
        )
        return { ...credentials, expiration }
      })

    const fetch: Effect.Effect<AwsCredentials, CredentialsError> = Effect.gen(function* () {
      const settings = yield* settingsOnce
      if (settings.disabled) {
        return yield* Effect.fail(notConfigured(providerName, "disabled by AWS_EC2_METADATA_DISABLED"))
      }
      const outcome = yield* Effect.either(fetchFresh(settings))
      const now = yield* Clock.currentTimeMillis
      if (Either.isRight(outcome)) {
        const fresh = outcome.right
        const usable = isExpired(fresh, now)
          ? yield* extend(
              fresh,
              now,
              `IMDS returned credentials that expired at ${fresh.expiration?.toISOString()}`
            )
          : fresh
        yield* Ref.set(lastRef, usable)
        return usable
      }
      const last = yield* Ref.get(lastRef)
      if (last === undefined || outcome.left.reason === "NotConfigured" || !isExpired(last, now)) {
        return yield* Effect.fail(outcome.left)
      }
      const usable = yield* extend(last, now, `fetching new credentials failed (${outcome.left.message})`)
      yield* Ref.set(lastRef, usable)
      return usable
    })

    return { get: fetch, refresh: fetch }
  })

/** The instance metadata provider behind a cache, as a layer. */
export const layer = (
  options: InstanceMetadataOptions = {}
): Layer.Layer<Credentials, never, Transport | FileSystem> => Cache.layer(make(options))
