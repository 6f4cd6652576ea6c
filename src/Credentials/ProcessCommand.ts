/**
 * Running a `credential_process` command line: through the system shell, in its own process
 * group on POSIX (interruption kills the group), its stdout collected up to 1 MiB and its stderr
 * counted, never kept. Failures are typed ({@link ProcessSpawnError}, {@link ProcessExitError},
 * {@link ProcessOutputTooLarge}) and name the command by its program's file name only
 * ({@link programOf}): never its directory, arguments or `NAME=value` assignments, any of which
 * may carry a secret. `Process` decodes the output into credentials.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

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

/** The command printed more than the output limit (1 MiB); it was killed. */
export class ProcessOutputTooLarge extends Data.TaggedError("ProcessOutputTooLarge")<{
  readonly program: string
  readonly limitBytes: number
}> {
  override get message(): string {
    return `credential_process ${this.program}: the output is larger than ${this.limitBytes / (1024 * 1024)} MiB, more than any credentials document; the process was stopped`
  }
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
