/**
 * Credentials from environment variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, and
 * optionally `AWS_SESSION_TOKEN`, `AWS_ACCOUNT_ID` and `AWS_CREDENTIAL_EXPIRATION` (ISO 8601).
 *
 * The variables are read through Effect's `Config` (so a `ConfigProvider`, e.g.
 * `ConfigProvider.fromMap` in tests, decides where they come from), each time credentials are
 * fetched. Blank values (empty or only whitespace) count as unset. Without both keys the provider
 * is "not configured", and a chain moves on. The Go SDK's `credentials.EnvProvider`.
 *
 * @example
 * ```ts
 * import * as Environment from "effect-aws-sdk/Credentials/Environment"
 * const program = Effect.provide(myProgram, Environment.layer)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readEnvironment } from "../Session/SharedConfig.js"
import {
  type AwsCredentials,
  Credentials,
  CredentialsError,
  type CredentialsProvider,
  make as makeCredentials,
  notConfigured
} from "./Credentials.js"
import { checkFields } from "./Fields.js"

/** The variables this provider reads. */
export const environmentVariables = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_ACCOUNT_ID",
  "AWS_CREDENTIAL_EXPIRATION"
] as const

const providerName = "environment"

/** A variable's value, or undefined when unset, empty or only whitespace. */
export const nonBlank = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim()

/**
 * Reads the credentials from variables already in hand (the pure half of the provider).
 * Fails with reason "NotConfigured" when a key is missing, and with a plain error when the
 * expiration does not parse.
 */
export const fromVariables = (
  env: Readonly<Record<string, string | undefined>>
): Effect.Effect<AwsCredentials, CredentialsError> => {
  const accessKeyId = nonBlank(env.AWS_ACCESS_KEY_ID)
  const secretAccessKey = nonBlank(env.AWS_SECRET_ACCESS_KEY)
  if (accessKeyId === undefined && secretAccessKey === undefined) {
    return Effect.fail(notConfigured(providerName, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"))
  }
  if (accessKeyId === undefined) {
    return Effect.fail(
      notConfigured(providerName, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
    )
  }
  if (secretAccessKey === undefined) {
    return Effect.fail(
      notConfigured(providerName, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
    )
  }
  const sessionToken = nonBlank(env.AWS_SESSION_TOKEN)
  const unusable = checkFields(
    { accessKeyId, secretAccessKey, sessionToken },
    {
      accessKeyId: "AWS_ACCESS_KEY_ID",
      secretAccessKey: "AWS_SECRET_ACCESS_KEY",
      sessionToken: "AWS_SESSION_TOKEN"
    }
  )
  if (unusable !== undefined) {
    return Effect.fail(new CredentialsError({ provider: providerName, message: unusable }))
  }
  const expirationText = nonBlank(env.AWS_CREDENTIAL_EXPIRATION)
  const expiration = expirationText === undefined ? undefined : new Date(expirationText)
  if (expiration !== undefined && Number.isNaN(expiration.getTime())) {
    return Effect.fail(
      new CredentialsError({
        provider: providerName,
        message: `AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 date: ${JSON.stringify(expirationText)}`
      })
    )
  }
  return Effect.succeed(
    makeCredentials({
      accessKeyId,
      secretAccessKey,
      sessionToken,
      accountId: nonBlank(env.AWS_ACCOUNT_ID),
      expiration,
      source: providerName
    })
  )
}

/** One read of the environment (through the current `ConfigProvider`). */
export const fetch: Effect.Effect<AwsCredentials, CredentialsError> = readEnvironment(
  environmentVariables
).pipe(
  Effect.mapError(
    (cause) =>
      new CredentialsError({
        provider: providerName,
        message: `cannot read the environment: ${cause.message}`,
        cause
      })
  ),
  Effect.flatMap(fromVariables)
)

/**
 * The environment provider. The `ConfigProvider` in place when it is made is the one every later
 * `get` reads through, whoever calls it.
 */
export const make: Effect.Effect<CredentialsProvider> = Effect.map(
  Effect.configProviderWith((provider) => Effect.succeed(provider)),
  (provider) => {
    const get = Effect.withConfigProvider(fetch, provider)
    return { get, refresh: get }
  }
)

/** The environment provider as a layer. */
export const layer: Layer.Layer<Credentials> = Layer.effect(Credentials, make)
