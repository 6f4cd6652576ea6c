/**
 * Credentials from an external command (`credential_process` in a profile): the command is run
 * through the system shell and prints a JSON document on stdout:
 *
 * ```json
 * { "Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...", "SessionToken": "...",
 *   "Expiration": "2030-01-01T00:00:00Z", "AccountId": "123456789012" }
 * ```
 *
 * The output is decoded with `effect/Schema`. Failures are typed: the command cannot be started
 * ({@link ProcessSpawnError}), exits with a non-zero status ({@link ProcessExitError}), prints
 * something that is not JSON ({@link ProcessJsonError}), a `Version` other than 1
 * ({@link ProcessVersionError}), a document without the required fields, or with fields that
 * carry CR/LF or other characters a header cannot carry ({@link ProcessOutputError}), or more
 * than 1 MiB of output ({@link ProcessOutputTooLarge}). Interrupting the fiber (or the timeout,
 * 1 minute by default) kills the process and its children. Neither stdout nor the secrets it holds ever appear in an
 * error message; stderr is described (bytes, lines), never quoted; the command is named by its
 * program's file name only, without its directory, arguments or leading `NAME=value`
 * assignments. The Go SDK's `processcreds.ProcessProvider`.
 *
 * @example
 * ```ts
 * const provider = Process.make("aws-vault export --format=json dev")
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Cache from "./Cache.js"
import {
  type AwsCredentials,
  type Credentials,
  CredentialsError,
  type CredentialsProvider,
  make as makeCredentials
} from "./Credentials.js"
import * as Fields from "./Fields.js"
import {
  type ProcessExitError,
  type ProcessOutputTooLarge,
  type ProcessSpawnError,
  programOf,
  runCommand
} from "./ProcessCommand.js"

export {
  describeStderr,
  ProcessExitError,
  ProcessOutputTooLarge,
  ProcessSpawnError,
  programOf,
  runCommand
} from "./ProcessCommand.js"

const providerName = "process"

/** The command printed something that is not a JSON document. */
export class ProcessJsonError extends Data.TaggedError("ProcessJsonError")<{
  readonly program: string
}> {
  override get message(): string {
    return `credential_process ${this.program}: could not parse the output: invalid JSON in response`
  }
}

/** The document's `Version` is not 1. */
export class ProcessVersionError extends Data.TaggedError("ProcessVersionError")<{
  readonly program: string
  readonly version: unknown
}> {
  override get message(): string {
    return `credential_process ${this.program}: unsupported Version ${JSON.stringify(this.version) ?? "(absent)"}: only Version 1 is supported`
  }
}

/** The document lacks a required field or has one of the wrong type. */
export class ProcessOutputError extends Data.TaggedError("ProcessOutputError")<{
  readonly program: string
  /** One entry per problem: `SecretAccessKey: is missing`. */
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return `credential_process ${this.program}: invalid output: ${this.problems.join("; ")}`
  }
}

/** Everything running a credential process can fail with. */
export type ProcessError =
  | ProcessSpawnError
  | ProcessExitError
  | ProcessOutputTooLarge
  | ProcessJsonError
  | ProcessVersionError
  | ProcessOutputError

/** The output document of a credential process, Version 1. */
export const ProcessOutput = Schema.Struct({
  Version: Schema.Literal(1),
  AccessKeyId: Fields.AccessKeyId,
  SecretAccessKey: Fields.SecretAccessKey,
  SessionToken: Schema.optional(Fields.SessionToken),
  Expiration: Schema.optional(Fields.DateString),
  AccountId: Schema.optional(Schema.String)
})
export type ProcessOutput = typeof ProcessOutput.Type

/** Names the fields that do not decode, without their values (they may be secrets). */
export const describeIssues: (error: ParseResult.ParseError) => ReadonlyArray<string> = Fields.describeIssues

/** Decodes a process's stdout into credentials. */
export const decodeOutput = (
  program: string,
  stdout: string
): Either.Either<ProcessOutput, ProcessJsonError | ProcessVersionError | ProcessOutputError> => {
  let json: unknown
  try {
    json = JSON.parse(stdout)
  } catch {
    return Either.left(new ProcessJsonError({ program }))
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return Either.left(new ProcessJsonError({ program }))
  }
  const version = (json as { readonly Version?: unknown }).Version
  if (version !== 1) return Either.left(new ProcessVersionError({ program, version }))
  return Either.mapLeft(
    Schema.decodeUnknownEither(ProcessOutput)(json, { errors: "all" }),
    (error) => new ProcessOutputError({ program, problems: describeIssues(error) })
  )
}

/** The default time limit of a credential process. */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.minutes(1)

/**
 * The refresh deadline a cache over a credential process needs so that it does not cut the
 * process short: the process's time limit plus 5 seconds, and never less than the cache's
 * default.
 */
export const cacheDeadlineFor = (timeout: Duration.DurationInput | undefined): Duration.Duration =>
  Duration.max(
    Duration.sum(Duration.decode(timeout ?? DEFAULT_TIMEOUT), Duration.seconds(5)),
    Cache.DEFAULT_REFRESH_TIMEOUT
  )

/** Options of the process provider. */
export interface ProcessOptions {
  /** The account id to use when the output has no `AccountId` (a profile's `aws_account_id`). */
  readonly accountId?: string | undefined
  /** Kill the process and fail after this long (default 1 minute). */
  readonly timeout?: Duration.DurationInput | undefined
}

/** Runs the command once and decodes its output into credentials. */
export const run = (
  command: string,
  options: ProcessOptions = {}
): Effect.Effect<AwsCredentials, ProcessError | CredentialsError> => {
  const program = programOf(command)
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  return runCommand(command).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new CredentialsError({
          provider: providerName,
          message: `credential_process ${program}: no output within ${Duration.format(Duration.decode(timeout))}`
        })
    }),
    Effect.flatMap((stdout) => decodeOutput(program, stdout)),
    Effect.map((output) =>
      makeCredentials({
        accessKeyId: output.AccessKeyId,
        secretAccessKey: output.SecretAccessKey,
        sessionToken: output.SessionToken,
        expiration: output.Expiration,
        accountId: output.AccountId ?? options.accountId,
        source: providerName
      })
    )
  )
}

/** The process's typed failures as a `CredentialsError` (the original is its `cause`). */
export const toCredentialsError = (error: ProcessError | CredentialsError): CredentialsError =>
  error._tag === "CredentialsError"
    ? error
    : new CredentialsError({ provider: providerName, message: error.message, cause: error })

/** A provider that runs the command on every fetch (wrap it in `Cache` to reuse its result). */
export const make = (command: string, options: ProcessOptions = {}): CredentialsProvider => {
  const get = Effect.mapError(run(command, options), toCredentialsError)
  return { get, refresh: get }
}

/**
 * The process provider as a cached layer. The cache's refresh deadline is the process's time
 * limit plus 5 seconds ({@link cacheDeadlineFor}), so the process's own limit applies.
 */
export const layer = (
  command: string,
  options: ProcessOptions & { readonly cache?: Cache.CacheOptions | undefined } = {}
): Layer.Layer<Credentials> =>
  Cache.layer(Effect.succeed(make(command, options)), {
    refreshTimeout: cacheDeadlineFor(options.timeout),
    ...options.cache
  })
