import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
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

  it.live("a non-zero exit is a ProcessExitError with the code and stderr", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(Process.run("echo 'token expired, log in again' >&2; exit 3"))
      expect(error._tag).toBe("ProcessExitError")
      if (error._tag === "ProcessExitError") {
        expect(error.exitCode).toBe(3)
        expect(error.stderr).toContain("token expired")
        expect(error.message).toContain("exited with code 3")
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
