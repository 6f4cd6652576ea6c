import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Cache from "../../../src/Credentials/Cache.js"
import { Credentials, make as makeCredentials } from "../../../src/Credentials/Credentials.js"
import * as Process from "../../../src/Credentials/Process.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "process-creds-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** A command that prints `text` exactly (written to a file, so no shell quoting is involved). */
const printing = (text: string): string => {
  const file = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`)
  fs.writeFileSync(file, text)
  return `cat '${file}'`
}

const full = JSON.stringify({
  Version: 1,
  AccessKeyId: "AKIDPROCESS",
  SecretAccessKey: "TOPSECRETKEY",
  SessionToken: "SESSIONTOKEN",
  Expiration: "2030-05-02T18:36:00+00:00",
  AccountId: "123456789012"
})

const failureOf = <A, E>(effect: Effect.Effect<A, E>) => Effect.flip(effect)

describe("Process", () => {
  it.live("decodes a Version 1 document", () =>
    Effect.gen(function* () {
      const creds = yield* Process.run(printing(full))
      expect(creds.accessKeyId).toBe("AKIDPROCESS")
      expect(Redacted.value(creds.secretAccessKey)).toBe("TOPSECRETKEY")
      expect(creds.sessionToken && Redacted.value(creds.sessionToken)).toBe("SESSIONTOKEN")
      expect(creds.expiration?.toISOString()).toBe("2030-05-02T18:36:00.000Z")
      expect(creds.accountId).toBe("123456789012")
    })
  )

  it.live("uses the profile's account id when the output has none", () =>
    Effect.gen(function* () {
      const doc = JSON.stringify({ Version: 1, AccessKeyId: "A", SecretAccessKey: "S" })
      const creds = yield* Process.run(printing(doc), { accountId: "999" })
      expect(creds.accountId).toBe("999")
      expect(creds.expiration).toBeUndefined()
    })
  )

  it.live("a non-zero exit is a ProcessExitError with the code and stderr described, not quoted", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(Process.run("echo 'token expired, log in again' >&2; exit 3"))
      expect(error._tag).toBe("ProcessExitError")
      if (error._tag === "ProcessExitError") {
        expect(error.exitCode).toBe(3)
        expect(error.stderrBytes).toBe(28)
        expect(error.stderrLines).toBe(1)
        expect(error.message).toContain("exited with code 3 (28 bytes in 1 line on stderr, not shown)")
        expect(error.message).not.toContain("token expired")
      }
    })
  )

  it.live("output that is not JSON is a ProcessJsonError that does not repeat the output", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(Process.run(printing("AKID TOPSECRETKEY not json")))
      expect(error._tag).toBe("ProcessJsonError")
      expect(error.message).toContain("invalid JSON")
      expect(error.message).not.toContain("TOPSECRETKEY")
    })
  )

  it.live("a Version other than 1 is a ProcessVersionError", () =>
    Effect.gen(function* () {
      const doc = JSON.stringify({ Version: 2, AccessKeyId: "A", SecretAccessKey: "S" })
      const error = yield* failureOf(Process.run(printing(doc)))
      expect(error._tag).toBe("ProcessVersionError")
      expect(error.message).toContain("Version 2")
    })
  )

  it.live("missing or invalid fields are named, their values never shown", () =>
    Effect.gen(function* () {
      const doc = JSON.stringify({
        Version: 1,
        AccessKeyId: "A",
        SessionToken: 42,
        Expiration: "TOPSECRETKEY"
      })
      const error = yield* failureOf(Process.run(printing(doc)))
      expect(error._tag).toBe("ProcessOutputError")
      expect(error.message).toContain("SecretAccessKey: is missing")
      expect(error.message).toContain("SessionToken: has an invalid value")
      expect(error.message).toContain("Expiration: has an invalid value")
      expect(error.message).not.toContain("TOPSECRETKEY")
      expect(error.message).not.toContain("42")
    })
  )

  it.live("the provider maps every failure to a CredentialsError keeping the typed cause", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(Process.make("exit 1").get)
      expect(error._tag).toBe("CredentialsError")
      expect(error.provider).toBe("process")
      expect((error.cause as { _tag: string })._tag).toBe("ProcessExitError")
    })
  )

  it.live("error messages name the program, not its arguments", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(Process.run("false --token TOPSECRETKEY"))
      expect(error.message).toContain("credential_process false")
      expect(error.message).not.toContain("TOPSECRETKEY")
    })
  )

  describe("secrets in the command line and on stderr (defect 6)", () => {
    const helper = path.join(dir, "vault-helper")
    fs.writeFileSync(
      helper,
      '#!/bin/sh\necho "vault said: token $VAULT_TOKEN rejected for $1 STDERR-MARKER" >&2\nexit 2\n',
      { mode: 0o755 }
    )
    const command = `VAULT_TOKEN=s3cr3t OTHER="two words" ${helper} --arg hunter2`
    const leaks = ["s3cr3t", "hunter2", "STDERR-MARKER", "vault said", "two words", dir]
    const clean = (what: string, text: string) => {
      for (const leak of leaks) expect(text, `${what} carries ${leak}`).not.toContain(leak)
    }

    it("names the program by its file name, past NAME=value words and env", () => {
      expect(Process.programOf(command)).toBe("vault-helper")
      expect(Process.programOf("A=1 B='x y' env -i C=2 /opt/bin/aws-vault exec dev")).toBe("aws-vault")
      expect(Process.programOf('"/path with space/my helper" --token x')).toBe("(command)")
      expect(Process.programOf("helper")).toBe("helper")
    })

    it.live(
      "a command that cannot start: its spawn error is not kept (Node's carries the command line)",
      () =>
        Effect.gen(function* () {
          const error = yield* failureOf(Process.run(`${command} ${"x".repeat(3 * 1024 * 1024)}`))
          expect(error._tag).toBe("ProcessSpawnError")
          expect(error.message).toBe("credential_process vault-helper: could not start the command: E2BIG")
          clean("JSON", JSON.stringify(error))
        })
    )

    it.live(
      "the error, its JSON, Cause.pretty and the cache's warning carry neither the token nor stderr",
      () =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(Process.run(command))
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            const error = Cause.squash(exit.cause) as Error
            expect(error.message).toContain(
              "credential_process vault-helper: the external process exited with code 2"
            )
            clean("message", error.message)
            clean("JSON", JSON.stringify(error))
            clean("Cause.pretty", Cause.pretty(exit.cause))
          }
          const provider = Process.make(command)
          const viaProvider = yield* Effect.exit(provider.get)
          if (Exit.isFailure(viaProvider)) {
            const error = Cause.squash(viaProvider.cause) as Error
            clean("provider message", error.message)
            clean("provider JSON", JSON.stringify(error))
            clean("provider Cause.pretty", Cause.pretty(viaProvider.cause))
          } else expect.fail("the provider succeeded")

          const logged: Array<string> = []
          const logger = Logger.make(({ message }) => {
            logged.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
          })
          const valid = makeCredentials({
            accessKeyId: "AKID",
            secretAccessKey: "s",
            expiration: new Date(Date.now() + 3_600_000)
          })
          yield* Effect.scoped(
            Effect.gen(function* () {
              const cache = yield* Cache.make({ get: Effect.succeed(valid), refresh: provider.get })
              yield* cache.get
              yield* Effect.exit(cache.refresh)
            })
          ).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
          expect(logged.join("\n")).toContain("vault-helper")
          clean("cache warning", logged.join("\n"))
        })
    )
  })

  it.scoped("the cached layer leaves the process its whole time limit (the refresh deadline is longer)", () =>
    Effect.gen(function* () {
      const credentials = yield* Layer.build(Process.layer("sleep 100"))
      const get = yield* Effect.fork(Context.get(credentials, Credentials).get)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100))) // the process starts
      yield* TestClock.adjust("31 seconds") // past the cache's default deadline (30 s)
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      expect((yield* Fiber.poll(get))._tag).toBe("None")
      yield* TestClock.adjust("29 seconds") // the process's own limit: 1 minute
      const error = yield* Effect.flip(Fiber.join(get))
      expect(error.message).toContain("credential_process sleep: no output within 1m")
    })
  )

  it.live("interruption kills the process and its children", () =>
    Effect.gen(function* () {
      const pidFile = path.join(dir, "pid")
      const fiber = yield* Effect.fork(Process.run(`sleep 30 & echo $! > '${pidFile}'; wait`))
      const pid = yield* Effect.promise(async () => {
        for (let i = 0; i < 200; i++) {
          if (fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim() !== "") {
            return Number(fs.readFileSync(pidFile, "utf8").trim())
          }
          await new Promise((r) => setTimeout(r, 10))
        }
        throw new Error("the command did not start")
      })
      yield* Fiber.interrupt(fiber)
      const alive = yield* Effect.promise(async () => {
        for (let i = 0; i < 200; i++) {
          try {
            process.kill(pid, 0)
          } catch {
            return false
          }
          await new Promise((r) => setTimeout(r, 10))
        }
        return true
      })
      expect(alive).toBe(false)
    })
  )

  it.live("a process that runs too long is killed and fails", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(Process.run("sleep 30", { timeout: "200 millis" }))
      expect(error.message).toContain("no output within")
    })
  )
})
