/**
 * Credentials of an ECS task role or an EKS Pod Identity association, from the container
 * credentials endpoint. The Go SDK's `endpointcreds` with the ECS environment.
 *
 * - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: a path on the ECS agent at `http://169.254.170.2`
 *   (it wins when both are set);
 * - `AWS_CONTAINER_CREDENTIALS_FULL_URI`: any `https` URL, or an `http` URL to a loopback
 *   address, the ECS agent (169.254.170.2) or the EKS Pod Identity agent (169.254.170.23,
 *   `[fd00:ec2::23]`); other plain-http hosts are refused;
 * - an `Authorization` header from the file named by `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
 *   (read on every fetch, as the agent rotates it), else from `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
 *
 * Without either URI variable the provider is "not configured". The answer is decoded with
 * `effect/Schema`; each request has a 2-second connect and idle timeout (`timeout`) and one retry,
 * and must be answered in full within 5 seconds, its retry included (`totalTimeout`), however
 * slowly the answer trickles in; an answer over 64 KiB is refused.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { Transport } from "../Request/Transport.js"
import { readEnvironment } from "../Session/SharedConfig.js"
import * as Cache from "./Cache.js"
import {
  type AwsCredentials,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  notConfigured
} from "./Credentials.js"
import * as Fields from "./Fields.js"
import * as Files from "./Files.js"
import * as MetadataHttp from "./MetadataHttp.js"

const providerName = "container"

/** The ECS agent that relative URIs are resolved against. */
export const ecsEndpoint = "http://169.254.170.2"

/** The environment variables the provider reads. */
export const environmentVariables = [
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
] as const

const nonBlank = (s: string | undefined): string | undefined =>
  s === undefined || s.trim() === "" ? undefined : s.trim()

/** Hosts a full URI may name over plain http: the ECS and EKS agents. Loopback addresses too. */
export const allowedHttpHosts: ReadonlySet<string> = new Set([
  "169.254.170.2",
  "169.254.170.23",
  "fd00:ec2::23"
])

/** True for loopback hosts: `localhost`, 127.0.0.0/8, `::1`. */
export const isLoopback = (hostname: string): boolean => {
  const host = hostname.toLowerCase()
  if (host === "localhost" || host === "::1" || host === "0:0:0:0:0:0:0:1") return true
  const octets = host.split(".")
  return (
    octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  )
}

/**
 * The URL to fetch credentials from, by the variables' rules; "not configured" without either URI
 * variable.
 *
 * @example
 * ```ts
 * resolveEndpoint({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc" })
 * // Right("http://169.254.170.2/v2/credentials/abc")
 * ```
 */
export const resolveEndpoint = (
  env: Readonly<Record<string, string | undefined>>,
  relativeBase: string = ecsEndpoint
): Either.Either<string, CredentialsError> => {
  const relative = nonBlank(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
  if (relative !== undefined) {
    return Either.right(
      `${relativeBase.replace(/\/+$/, "")}${relative.startsWith("/") ? "" : "/"}${relative}`
    )
  }
  const full = nonBlank(env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
  if (full === undefined) {
    return Either.left(
      notConfigured(
        providerName,
        "No environment variables were set to configure ECS provider (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI)"
      )
    )
  }
  const parsed = MetadataHttp.parseUrl(full)
  if (Either.isLeft(parsed)) {
    return Either.left(
      new CredentialsError({
        provider: providerName,
        message: `AWS_CONTAINER_CREDENTIALS_FULL_URI ${JSON.stringify(full)} is not a valid URI: ${parsed.left}`
      })
    )
  }
  const { protocol, hostname } = parsed.right
  if (protocol === "http:" && !isLoopback(hostname) && !allowedHttpHosts.has(hostname.toLowerCase())) {
    return Either.left(
      new CredentialsError({
        provider: providerName,
        message: `AWS_CONTAINER_CREDENTIALS_FULL_URI host ${hostname} is not allowed over http: use https, a loopback address, 169.254.170.2 (ECS) or 169.254.170.23 / [fd00:ec2::23] (EKS Pod Identity)`
      })
    )
  }
  return Either.right(full)
}

/** The document the container endpoint answers with. */
export const ContainerCredentialsDocument = Schema.Struct({
  AccessKeyId: Fields.AccessKeyId,
  SecretAccessKey: Fields.SecretAccessKey,
  Token: Schema.optional(Fields.SessionToken),
  Expiration: Schema.optional(Fields.DateString),
  AccountId: Schema.optional(Schema.String),
  RoleArn: Schema.optional(Schema.String)
})

/** Decodes the endpoint's answer; errors name the problem, never the values. */
export const decodeCredentials = (body: string): Either.Either<AwsCredentials, string> =>
  Either.flatMap(Fields.parseJson(body), (json) =>
    Fields.decodeMetadataDocument(
      ContainerCredentialsDocument,
      json,
      "AccessKeyId or SecretAccessKey",
      providerName
    )
  )

/** Options of the container provider. */
export interface ContainerOptions {
  /** Where relative URIs point (default `http://169.254.170.2`; tests point it at a loopback server). */
  readonly relativeEndpoint?: string | undefined
  /** Connect and idle timeout of each request (default 2 seconds). */
  readonly timeout?: Duration.DurationInput | undefined
  /** The deadline of each request, its retry included (default 5 seconds). */
  readonly totalTimeout?: Duration.DurationInput | undefined
  /** Attempts per fetch (default 2: one retry). */
  readonly attempts?: number | undefined
}

const failure = (message: string, cause?: unknown) =>
  new CredentialsError({ provider: providerName, message: `container credentials: ${message}`, cause })

/**
 * The container provider, uncached (see {@link layer}). The variables are read on each fetch
 * through the `ConfigProvider` in place when it is made.
 */
export const make = (
  options: ContainerOptions = {}
): Effect.Effect<CredentialsProvider, never, Transport | FileSystem> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const context = yield* Effect.context<FileSystem>()
    const configProvider = yield* Effect.configProviderWith((p: ConfigProvider.ConfigProvider) =>
      Effect.succeed(p)
    )
    const timeoutMs = Duration.toMillis(Duration.decode(options.timeout ?? Duration.seconds(2)))
    const totalTimeoutMs = Duration.toMillis(Duration.decode(options.totalTimeout ?? Duration.seconds(5)))
    const attempts = Math.max(1, options.attempts ?? 2)

    const authorization = (
      env: Readonly<Record<string, string | undefined>>
    ): Effect.Effect<string | undefined, CredentialsError, FileSystem> => {
      const file = nonBlank(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)
      const read =
        file === undefined
          ? Effect.succeed(nonBlank(env.AWS_CONTAINER_AUTHORIZATION_TOKEN))
          : Effect.mapBoth(Files.readText(file), {
              onFailure: (e) => failure(`cannot read the authorization token file: ${e.message}`, e),
              onSuccess: (text) => text.trim()
            })
      return Effect.flatMap(read, (token) =>
        token !== undefined && !/^[\x20-\x7e]*$/.test(token)
          ? Effect.fail(
              failure(
                "the authorization token contains a line break or another character a header cannot carry"
              )
            )
          : Effect.succeed(token)
      )
    }

    const fetch: Effect.Effect<AwsCredentials, CredentialsError> = Effect.gen(function* () {
      const env = yield* Effect.mapError(readEnvironment(environmentVariables), (e) =>
        failure(`cannot read the environment: ${e.message}`, e)
      )
      const url = yield* resolveEndpoint(env, options.relativeEndpoint)
      const base = yield* Either.mapLeft(MetadataHttp.parseUrl(url), (problem) =>
        failure(`invalid URI ${url}: ${problem}`)
      )
      const token = yield* authorization(env)
      const headers: Record<string, string> = { accept: "application/json" }
      if (token !== undefined) headers.authorization = token
      const response = yield* Effect.mapError(
        MetadataHttp.send(transport, { method: "GET", base, headers, timeoutMs, totalTimeoutMs, attempts }),
        (e) => failure(`requesting ${MetadataHttp.describe(base)} failed: ${e.message}`, e)
      )
      if (response.status !== 200) {
        return yield* Effect.fail(failure(`${MetadataHttp.describe(base)} answered ${response.status}`))
      }
      return yield* Either.mapLeft(decodeCredentials(response.body), (problem) => failure(problem))
    }).pipe(Effect.provide(context), Effect.withConfigProvider(configProvider))

    return { get: fetch, refresh: fetch }
  })

/** The container provider behind a cache, as a layer. */
export const layer = (
  options: ContainerOptions = {}
): Layer.Layer<Credentials, never, Transport | FileSystem> => Cache.layer(make(options))
