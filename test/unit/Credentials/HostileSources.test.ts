/**
 * Lengths, counts, times and names that come from a file or a server, used by the providers only
 * after a check (issue 16, beyond the listed defects): each case fails with a typed error that
 * says what was wrong and where.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Container from "../../../src/Credentials/Container.js"
import * as Sso from "../../../src/Credentials/Sso.js"
import * as WebIdentity from "../../../src/Credentials/WebIdentity.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import { Transport } from "../../../src/Request/Transport.js"
import { fakeCalls, withEnv } from "../../support/CredentialFakes.js"
import * as Loopback from "../../support/LoopbackServer.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-sources-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** A file of `bytes` visible ASCII characters: a header could carry it, it is just far too big. */
const bigFile = (name: string, bytes: number) => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, "a".repeat(bytes))
  return file
}

const MiB = 1024 * 1024

const failureMessage = (exit: Exit.Exit<unknown, { readonly message: string }>): string => {
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isFailure(exit) && exit.cause._tag === "Fail") return exit.cause.error.message
  return ""
}

describe("files named by the environment or a profile are read within a size cap", () => {
  it.scoped("a 2 MiB web identity token file", () =>
    Effect.gen(function* () {
      const file = bigFile("token", 2 * MiB)
      const fake = fakeCalls()
      const exit = yield* Effect.exit(
        WebIdentity.fetch({
          roleArn: "arn:aws:iam::123456789012:role/r",
          tokenFile: file,
          sts: fake.service.sts,
          region: "us-east-1"
        }).pipe(withEnv({}))
      )
      const message = failureMessage(exit)
      expect(message).toContain(file)
      expect(message).toContain("larger than 1024 KiB")
      expect(fake.calls).toHaveLength(0)
    })
  )

  it.scoped("a 2 MiB container authorization token file", () =>
    Effect.gen(function* () {
      const file = bigFile("auth", 2 * MiB)
      const server = yield* Loopback.start(() => ({ status: 500 }))
      const transport = yield* NodeTransport.make()
      const env = {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file
      }
      const provider = yield* Container.make().pipe(Effect.provideService(Transport, transport), withEnv(env))
      const message = failureMessage(yield* Effect.exit(provider.get))
      expect(message).toContain(file)
      expect(message).toContain("larger than 1024 KiB")
      expect(server.requests).toHaveLength(0)
    })
  )

  it.scoped("a 2 MiB SSO token cache file", () =>
    Effect.gen(function* () {
      const cache = path.join(dir, "sso-cache")
      fs.mkdirSync(cache, { recursive: true })
      const file = path.join(cache, Sso.cacheFileName("dev"))
      fs.writeFileSync(file, `{"accessToken":"${"a".repeat(2 * MiB)}","expiresAt":"2099-01-01T00:00:00Z"}`)
      const fake = fakeCalls()
      const exit = yield* Effect.exit(
        Sso.fetch({
          ssoSession: "dev",
          ssoStartUrl: "https://d-abc123.awsapps.com/start",
          ssoRegion: "eu-central-1",
          ssoAccountId: "012345678901",
          ssoRoleName: "SampleRole",
          sso: fake.service.sso,
          cacheDirectory: cache
        }).pipe(withEnv({}))
      )
      const message = failureMessage(exit)
      expect(message).toContain(file)
      expect(message).toContain("larger than 1024 KiB")
      expect(fake.calls).toHaveLength(0)
    })
  )

  it.scoped("a device that never ends (/dev/zero, Linux) as the token file", () =>
    Effect.gen(function* () {
      const fake = fakeCalls()
      const exit = yield* Effect.exit(
        WebIdentity.fetch({
          roleArn: "arn:aws:iam::123456789012:role/r",
          tokenFile: "/dev/zero",
          sts: fake.service.sts,
          region: "us-east-1"
        }).pipe(withEnv({}))
      )
      expect(failureMessage(exit)).toContain("larger than 1024 KiB")
    })
  )
})
