/**
 * The credentials provider suites (`credentials/smithy-rs-aws-config/default-credential-provider-chain`
 * and `.../profile-provider`): each case folder holds `env.json` (the environment), `fs/` (files,
 * relative to `/`), `http-traffic.json` (recorded requests and answers) and `test-case.json` (the
 * expected credentials, or an error containing a given text).
 *
 * A case runs the default chain (or, for `profile-provider` cases, the profile provider alone)
 * with the environment through `ConfigProvider.fromMap`, the files from a temporary copy (through
 * a `FileSystem` rooted there), every HTTP request replayed by a loopback server (see
 * `ReplayServer`: endpoints are resolved as in production and compared with the recording), and
 * a clock fixed at the epoch (as the suite's own harness does for its IMDS cases, so recorded
 * expirations are in the future) that still sleeps for real. It passes when the result matches,
 * the traffic matches the recording (no unrecorded request, no recording unused, tokens and
 * content types as recorded), and no log line holds the expected secret.
 *
 * `DIR` is a suite folder (its case folders are run) or the folder holding both suites.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Chain from "../../../src/Credentials/Chain.js"
import type { AwsCredentials } from "../../../src/Credentials/Credentials.js"
import * as SharedFile from "../../../src/Credentials/SharedFile.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import { Transport } from "../../../src/Request/Transport.js"
import { loadExceptions } from "../CredentialsSkips.js"
import * as ReplayServer from "../ReplayServer.js"
import { dataPath, type RunResult, Tally } from "../Report.js"
import * as RootedFileSystem from "../RootedFileSystem.js"

interface ExpectedCredentials {
  readonly access_key_id: string
  readonly secret_access_key: string
  readonly session_token?: string
  readonly account_id?: string
  readonly expiry?: number
}

interface TestCase {
  readonly name: string
  readonly docs: string
  readonly result: { readonly Ok: ExpectedCredentials } | { readonly ErrorContains: string }
}

const suites = ["default-credential-provider-chain", "profile-provider"] as const

/** The case folders under `dir`, each with the suite it belongs to. */
const caseFolders = (dir: string): ReadonlyArray<{ readonly suite: string; readonly folder: string }> => {
  const base = path.basename(dir)
  if ((suites as ReadonlyArray<string>).includes(base)) {
    return fs
      .readdirSync(dir)
      .filter((name) => fs.existsSync(path.join(dir, name, "test-case.json")))
      .sort()
      .map((name) => ({ suite: base, folder: path.join(dir, name) }))
  }
  return suites.flatMap((suite) =>
    fs.existsSync(path.join(dir, suite)) ? caseFolders(path.join(dir, suite)) : []
  )
}

/** A clock fixed at one instant that sleeps for real (retry pauses, timeouts). */
const fixedClock = (millis: number): Clock.Clock => {
  const real = Clock.make()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => millis,
    currentTimeMillis: Effect.succeed(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
    currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
    sleep: (duration: Duration.Duration) => real.sleep(duration)
  }
}

/** Credentials in the suite's form (absent fields left out). */
const represent = (c: AwsCredentials): Record<string, string | number> => {
  const out: Record<string, string | number> = {
    access_key_id: c.accessKeyId,
    secret_access_key: Redacted.value(c.secretAccessKey)
  }
  if (c.sessionToken !== undefined) out.session_token = Redacted.value(c.sessionToken)
  if (c.accountId !== undefined) out.account_id = c.accountId
  if (c.expiration !== undefined) out.expiry = Math.floor(c.expiration.getTime() / 1000)
  return out
}

const copyTree = (from: string, to: string) => {
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true })
}

/** Runs one case; the outcome is the credentials or the error message, plus traffic problems and logs. */
const runCase = (suite: string, folder: string, root: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const env = JSON.parse(fs.readFileSync(path.join(folder, "env.json"), "utf8")) as Record<string, string>
      const traffic = JSON.parse(fs.readFileSync(path.join(folder, "http-traffic.json"), "utf8"))
      copyTree(path.join(folder, "fs"), root)
      const replay = yield* ReplayServer.start(ReplayServer.parseTraffic(traffic))
      const inner = yield* NodeTransport.make()
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => {
        logs.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
      })
      const provider = yield* (suite === "profile-provider" ? SharedFile.make() : Chain.makeDefault()).pipe(
        Effect.provideService(Transport, ReplayServer.transport(inner, replay)),
        Effect.provide(RootedFileSystem.layer(root)),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
      )
      const exit = yield* provider.get.pipe(
        Effect.withClock(fixedClock(0)),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Effect.exit
      )
      return { exit, problems: [...replay.problems], unused: replay.unused(), logs }
    })
  )

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const dir = args[0] ?? dataPath("credentials/smithy-rs-aws-config")
  const { skip, wording } = loadExceptions("provider-chain")
  const tally = new Tally()
  for (const { suite, folder } of caseFolders(dir)) {
    const name = `${suite}/${path.basename(folder)}`
    if (skip.has(name)) {
      tally.skip(suite)
      continue
    }
    const testCase = JSON.parse(fs.readFileSync(path.join(folder, "test-case.json"), "utf8")) as TestCase
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "provider-chain-"))
    try {
      const outcome = await Effect.runPromise(runCase(suite, folder, root))
      const actual = Exit.isSuccess(outcome.exit)
        ? { Ok: represent(outcome.exit.value) }
        : {
            Error:
              outcome.exit.cause._tag === "Fail"
                ? outcome.exit.cause.error.message
                : `unexpected: ${String(outcome.exit.cause)}`
          }
      const expected = testCase.result
      const notes: Array<string> = [...outcome.problems]
      let ok: boolean
      if ("Ok" in expected) {
        ok =
          "Ok" in actual &&
          JSON.stringify(sortKeys(actual.Ok)) === JSON.stringify(sortKeys({ ...expected.Ok }))
        const secret = expected.Ok.secret_access_key
        const leaking = outcome.logs.filter((line) => line.includes(secret))
        if (leaking.length > 0) notes.push(`the secret appears in the logs: ${leaking.join(" | ")}`)
      } else {
        const contains = wording.get(name)?.contains ?? expected.ErrorContains
        ok = "Error" in actual && actual.Error.includes(contains)
      }
      if (outcome.unused.length > 0) notes.push(`recorded but not requested: ${outcome.unused.join(", ")}`)
      if (ok && notes.length === 0) tally.pass(suite)
      else
        tally.fail(
          { where: name, expected, actual, ...(notes.length > 0 ? { note: notes.join("; ") } : {}) },
          suite
        )
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
  return tally.result()
}

const sortKeys = (o: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))
