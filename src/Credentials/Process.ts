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
import { spawn } from "node:child_process"
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

const providerName = "process"

/** The words of a command line, with simple shell quoting (`'...'`, `"..."`, `\x`) undone. */
const wordsOf = (command: string): Array<string> => {
  const words: Array<string> = []
  let word = ""
  let inWord = false
  let quote: "'" | '"' | undefined
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === "\\" && quote === '"' && i + 1 < command.length) word += command[++i]
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === "\\" && i + 1 < command.length) {
      word += command[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ""
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return words
}

/** `NAME=value`: a variable assignment before the program (it may carry a secret). */
const isAssignment = (word: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)

/**
 * The program a command line starts, for messages: leading `NAME=value` assignments (and an
 * `env` that carries them) are skipped, and only the program's file name is kept, never its
 * directory, arguments or environment (any of which may carry a secret).
 *
 * @example
 * ```ts
 * programOf("VAULT_TOKEN=s3cr3t /usr/local/bin/helper --arg x") // "helper"
 * ```
 */
export const programOf = (command: string): string => {
  const words = wordsOf(command)
  let i = 0
  for (;;) {
    while (i < words.length && isAssignment(words[i] as string)) i++
    const word = words[i]
    if (word !== undefined && basename(word) === "env" && i + 1 < words.length) {
      i++
      while (i < words.length && (words[i] as string).startsWith("-")) i++
      continue
    }
    break
  }
  const program = words[i] === undefined ? "" : basename(words[i] as string)
  // only what is plainly a file name: a name with odd characters is not worth the risk
  return /^[\w.+@-]{1,64}$/.test(program) ? program : "(command)"
}

const basename = (path: string): string =>
  path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1)

/** What the command wrote on stderr, described, never quoted: its size in bytes and lines. */
export const describeStderr = (bytes: number, lines: number): string =>
  bytes === 0
    ? "nothing on stderr"
    : `${bytes} bytes in ${lines} line${lines === 1 ? "" : "s"} on stderr, not shown`

/** The command could not be started. */
export class ProcessSpawnError extends Data.TaggedError("ProcessSpawnError")<{
  readonly program: string
  /**
   * Why, as the system's error code (`ENOENT`, `EACCES`, ...): not Node's error itself, which
   * carries the whole command line (`spawnargs`).
   */
  readonly reason: string
}> {
  override get message(): string {
    return `credential_process ${this.program}: could not start the command: ${this.reason}`
  }
}

/** The reason of a spawn failure, without the command line Node's error carries. */
const spawnReason = (cause: unknown): string => {
  const code = (cause as { readonly code?: unknown } | null)?.code
  return typeof code === "string" && /^[A-Z0-9_]{1,32}$/.test(code) ? code : "the system refused to start it"
}

/** The command exited with a non-zero status (or was killed by a signal). */
export class ProcessExitError extends Data.TaggedError("ProcessExitError")<{
  readonly program: string
  readonly exitCode: number | null
  readonly signal: string | null
  /** How many bytes the command wrote on stderr (its text is never kept: it may hold secrets). */
  readonly stderrBytes: number
  /** How many lines those bytes make. */
  readonly stderrLines: number
}> {
  override get message(): string {
    const how = this.exitCode !== null ? `exited with code ${this.exitCode}` : `was killed by ${this.signal}`
    return `credential_process ${this.program}: the external process ${how} (${describeStderr(this.stderrBytes, this.stderrLines)})`
  }
}

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

/** The command printed more than the output limit (1 MiB); it was killed. */
export class ProcessOutputTooLarge extends Data.TaggedError("ProcessOutputTooLarge")<{
  readonly program: string
  readonly limitBytes: number
}> {
  override get message(): string {
    return `credential_process ${this.program}: the output is larger than ${this.limitBytes / (1024 * 1024)} MiB, more than any credentials document; the process was stopped`
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

const stdoutLimit = 1024 * 1024

/**
 * Runs a command line through the shell and collects its stdout. Interruption kills the process
 * group (on POSIX the command runs in its own group, so the shell's children go too).
 */
export const runCommand = (
  command: string
): Effect.Effect<string, ProcessSpawnError | ProcessExitError | ProcessOutputTooLarge> =>
  Effect.async<string, ProcessSpawnError | ProcessExitError | ProcessOutputTooLarge>((resume) => {
    const program = programOf(command)
    const posix = process.platform !== "win32"
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(command, {
        shell: true,
        stdio: ["ignore", "pipe", "pipe"],
        windowsHide: true,
        detached: posix
      })
    } catch (cause) {
      resume(Effect.fail(new ProcessSpawnError({ program, reason: spawnReason(cause) })))
      return
    }
    const stdout: Array<Buffer> = []
    let stdoutBytes = 0
    let stderrBytes = 0
    let stderrLines = 0
    let stderrOpenLine = false
    let done = false
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      try {
        if (posix && child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
        else child.kill("SIGKILL")
      } catch {
        // already gone
      }
    }
    child.stdout?.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length
      if (stdoutBytes > stdoutLimit) {
        kill()
        return
      }
      stdout.push(chunk)
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      // counted, not kept
      stderrBytes += chunk.length
      for (const byte of chunk) {
        if (byte === 0x0a) {
          stderrLines++
          stderrOpenLine = false
        } else stderrOpenLine = true
      }
    })
    child.once("error", (cause) => {
      if (done) return
      done = true
      resume(Effect.fail(new ProcessSpawnError({ program, reason: spawnReason(cause) })))
    })
    child.once("close", (exitCode, signal) => {
      if (done) return
      done = true
      if (stdoutBytes > stdoutLimit) {
        resume(Effect.fail(new ProcessOutputTooLarge({ program, limitBytes: stdoutLimit })))
      } else if (exitCode === 0) {
        resume(Effect.succeed(Buffer.concat(stdout).toString("utf8")))
      } else {
        resume(
          Effect.fail(
            new ProcessExitError({
              program,
              exitCode,
              signal,
              stderrBytes,
              stderrLines: stderrLines + (stderrOpenLine ? 1 : 0)
            })
          )
        )
      }
    })
    return Effect.sync(() => {
      done = true
      kill()
    })
  })

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
