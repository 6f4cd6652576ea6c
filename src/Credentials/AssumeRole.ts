/**
 * Credentials of an assumed IAM role: STS `AssumeRole` signed with the credentials of another
 * provider (the `source`). The Go SDK's `stscreds.AssumeRoleProvider`.
 *
 * Options mirror the profile keys: `role_arn`, `role_session_name` (default
 * `effect-aws-sdk-<epoch millis>`), `external_id`, `duration_seconds`, and `mfa_serial`, whose
 * code comes from a user-supplied effect (`mfaToken`), asked on every fetch (codes are one-time).
 * STS's answer is decoded with `effect/Schema`; the account id is taken from the assumed role's ARN.
 *
 * @example
 * ```ts
 * const provider = AssumeRole.make({
 *   roleArn: "arn:aws:iam::123456789012:role/deploy",
 *   source: yield* Environment.make,
 *   sts: yield* ServiceCalls.live().pipe(Effect.map((c) => c.sts)),
 *   region: "eu-west-1",
 *   mfaSerial: "arn:aws:iam::123456789012:mfa/me",
 *   mfaToken: (serial) => promptForCode(serial)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as STS from "../Services/STS/index.js"
import * as Session from "../Session/Session.js"
import * as Cache from "./Cache.js"
import {
  type AwsCredentials,
  accountIdFromArn,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  make as makeCredentials
} from "./Credentials.js"
import * as Fields from "./Fields.js"
import {
  type CallContext,
  type CallLimits,
  checkRegion,
  describeCallError,
  loadSts,
  resolveLimits,
  type StsCalls
} from "./ServiceCalls.js"

const providerName = "assume-role"

/** What `AssumeRole` and `AssumeRoleWithWebIdentity` answer, as far as credentials go. */
export const StsCredentialsOutput = Schema.Struct({
  Credentials: Schema.Struct({
    AccessKeyId: Fields.AccessKeyId,
    SecretAccessKey: Fields.SecretAccessKey,
    SessionToken: Fields.SessionToken,
    Expiration: Schema.Union(Schema.ValidDateFromSelf, Fields.DateString)
  }),
  AssumedRoleUser: Schema.optional(Schema.Struct({ Arn: Schema.optional(Schema.String) }))
})

/** Decodes an STS answer into credentials (the account id from the assumed role's ARN). */
export const decodeStsOutput = (output: unknown, source: string): Either.Either<AwsCredentials, string> =>
  Either.mapBoth(Schema.decodeUnknownEither(StsCredentialsOutput)(output, { errors: "all" }), {
    onLeft: (error) =>
      `the STS response lacks Credentials with AccessKeyId, SecretAccessKey, SessionToken and Expiration, or has one that is not usable (${Fields.describeIssues(error).join("; ")})`,
    onRight: (out) =>
      makeCredentials({
        accessKeyId: out.Credentials.AccessKeyId,
        secretAccessKey: out.Credentials.SecretAccessKey,
        sessionToken: out.Credentials.SessionToken,
        expiration: out.Credentials.Expiration,
        accountId: accountIdFromArn(out.AssumedRoleUser?.Arn),
        source
      })
  })

/** The default session name: `<prefix>-<epoch millis>`, from Effect's `Clock`. */
export const defaultSessionName = (prefix = "effect-aws-sdk"): Effect.Effect<string> =>
  Effect.map(Clock.currentTimeMillis, (now) => `${prefix}-${now}`)

/** Options of the assume-role provider. */
export interface AssumeRoleOptions {
  readonly roleArn: string
  /** The credentials that call `AssumeRole`. */
  readonly source: CredentialsProvider
  readonly sts: StsCalls
  /** The region of the STS endpoint. */
  readonly region: string
  readonly roleSessionName?: string | undefined
  readonly externalId?: string | undefined
  readonly durationSeconds?: number | undefined
  /** An inline session policy (JSON). */
  readonly policy?: string | undefined
  /** The MFA device (`mfa_serial`); `mfaToken` must then give its current code. */
  readonly mfaSerial?: string | undefined
  /** Asks for the current MFA code of a device (a prompt, a TOTP generator, ...). */
  readonly mfaToken?: ((serialNumber: string) => Effect.Effect<string, CredentialsError>) | undefined
  /** Names the provider in messages (default `assume-role`). */
  readonly name?: string | undefined
}

/** One `AssumeRole` call with fresh source credentials. */
export const fetch = (options: AssumeRoleOptions): Effect.Effect<AwsCredentials, CredentialsError> =>
  Effect.gen(function* () {
    const name = options.name ?? providerName
    const fail = (message: string, cause?: unknown) =>
      new CredentialsError({ provider: name, message: `assuming ${options.roleArn}: ${message}`, cause })
    let tokenCode: string | undefined
    if (options.mfaSerial !== undefined) {
      if (options.mfaToken === undefined) {
        return yield* Effect.fail(
          fail(
            `mfa_serial ${options.mfaSerial} is set: pass an \`mfaToken\` effect that gives the current code`
          )
        )
      }
      tokenCode = yield* options.mfaToken(options.mfaSerial)
    }
    const sessionName = options.roleSessionName ?? (yield* defaultSessionName())
    const output = yield* options.sts
      .assumeRole(
        {
          RoleArn: options.roleArn,
          RoleSessionName: sessionName,
          ExternalId: options.externalId,
          DurationSeconds: options.durationSeconds,
          Policy: options.policy,
          SerialNumber: options.mfaSerial,
          TokenCode: tokenCode
        },
        { region: options.region, credentials: options.source }
      )
      .pipe(Effect.mapError((e) => fail(describeCallError(e), e)))
    return yield* Either.mapLeft(decodeStsOutput(output, name), (problem) => fail(problem))
  })

/** The assume-role provider, uncached (see {@link layer}). */
export const make = (options: AssumeRoleOptions): CredentialsProvider => {
  const get = fetch(options)
  return { get, refresh: get }
}

/** The assume-role provider behind a cache, as a layer. */
export const layer = (options: AssumeRoleOptions): Layer.Layer<Credentials> =>
  Cache.layer(Effect.succeed(make(options)))

/** Options of {@link fromSession}: the role; the source credentials, STS and region come from the session. */
export type SessionAssumeRoleOptions = Omit<AssumeRoleOptions, "source" | "sts" | "region"> &
  CallLimits & {
    /** The STS region (default: the session's, else `us-east-1`). */
    readonly region?: string | undefined
    /** An STS endpoint URL (default: the session's configured endpoint for STS, else AWS's). */
    readonly endpoint?: string | undefined
  }

/**
 * Assumes a role with the session's credentials, calling STS through a client made from the
 * session (its endpoint settings, retry policy and connections); cached and refreshed before
 * expiry for as long as the scope lives. Each call is bounded (`ServiceCalls.CallLimits`): the
 * options', else the session's connect and idle timeouts, else 5 s and 10 s; 20 s per call,
 * retries included; answers up to 256 KiB. The Go SDK's `stscreds.NewCredentials(sess, roleArn)`:
 * give the result to the clients that should act as the role.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const credentials = yield* AssumeRole.fromSession({ roleArn: "arn:aws:iam::123456789012:role/deploy" })
 *   return yield* S3.listBuckets({}).pipe(Effect.provide(S3.layer({ credentials })))
 * })
 * ```
 */
export const fromSession = (
  options: SessionAssumeRoleOptions
): Effect.Effect<CredentialsProvider, never, Session.Session | Scope.Scope> =>
  Effect.gen(function* () {
    const session = yield* Session.Session
    const fromSession = (ms: number | undefined) => (ms === undefined ? undefined : Duration.millis(ms))
    const limits = resolveLimits({
      ...options,
      connectTimeout: options.connectTimeout ?? fromSession(session.connectTimeoutMs),
      idleTimeout: options.idleTimeout ?? fromSession(session.idleTimeoutMs)
    })
    const call = <A, E>(
      operation: (sts: typeof STS) => Effect.Effect<A, E, STS.STS>,
      context: CallContext
    ): Effect.Effect<A, E | CredentialsError> =>
      Effect.zipRight(
        checkRegion(providerName, context.region),
        Effect.flatMap(loadSts, (STS) =>
          operation(STS).pipe(
            Effect.provide(
              STS.layer({
                ...limits.overrides,
                region: context.region,
                credentials: context.credentials,
                endpoint: options.endpoint
              }).pipe(
                Layer.mapError(
                  (cause) =>
                    new CredentialsError({
                      provider: providerName,
                      message: `invalid settings: ${cause.message}`,
                      cause
                    })
                )
              )
            ),
            Effect.provideService(Session.Session, session)
          )
        )
      )
    const sts: StsCalls = {
      assumeRole: (input, context) => call((STS) => STS.assumeRole(input, limits.callOptions), context),
      assumeRoleWithWebIdentity: (input, context) =>
        call((STS) => STS.assumeRoleWithWebIdentity(input, limits.callOptions), context)
    }
    return yield* Cache.make(
      make({
        ...options,
        source: session.credentials,
        sts,
        region: options.region ?? session.region ?? "us-east-1"
      })
    )
  })
