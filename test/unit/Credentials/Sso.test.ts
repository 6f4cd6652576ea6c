import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { CredentialsError } from "../../../src/Credentials/Credentials.js"
import * as Sso from "../../../src/Credentials/Sso.js"
import { fakeCalls, tempHome, withEnv } from "../../support/CredentialFakes.js"

const now = Date.parse("2030-01-01T00:00:00Z")

const cacheDocument = (expiresAt: string) => ({
  accessToken: "SSO-ACCESS-TOKEN",
  expiresAt,
  refreshToken: "SSO-REFRESH-TOKEN",
  clientId: "client-1",
  clientSecret: "SSO-CLIENT-SECRET",
  registrationExpiresAt: "2031-01-01T00:00:00Z",
  region: "us-east-1",
  startUrl: "https://d-abc123.awsapps.com/start",
  someOtherField: "kept"
})

const sessionConfig = {
  ssoSession: "dev",
  ssoStartUrl: "https://d-abc123.awsapps.com/start",
  ssoRegion: "eu-central-1",
  ssoAccountId: "012345678901",
  ssoRoleName: "SampleRole"
}

const setup = (document: object | undefined, key = "dev", fake = fakeCalls()) =>
  Effect.acquireRelease(
    Effect.sync(() => tempHome({})),
    (h) => Effect.sync(h.cleanup)
  ).pipe(
    Effect.map(({ home }) => {
      const file = path.join(home, ".aws", "sso", "cache", Sso.cacheFileName(key))
      if (document !== undefined) {
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, JSON.stringify(document))
      }
      return { home, file, fake }
    })
  )

const capture = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("Sso", () => {
  it("names cache files by the SHA-1 of the session name or the start URL", () => {
    expect(Sso.cacheFileName("dev")).toBe("34c6fceca75e456f25e7e99531e2425c6c1de443.json")
    expect(Sso.cacheFileName("https://ssotest.awsapps.com/start")).toBe(
      "dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json"
    )
  })

  it.scoped("exchanges a valid session token for role credentials in the SSO region", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const { home, fake } = yield* setup(cacheDocument("2030-01-01T01:00:00Z"))
      const creds = yield* withEnv({ HOME: home })(
        Sso.fetch({ ...sessionConfig, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
      )
      expect(creds.accessKeyId).toBe("ASIASSO1")
      expect(creds.accountId).toBe("012345678901")
      expect(creds.expiration?.toISOString()).toBe("2099-01-01T00:00:00.000Z")
      expect(fake.calls).toEqual([
        {
          operation: "GetRoleCredentials",
          input: { roleName: "SampleRole", accountId: "012345678901", accessToken: "SSO-ACCESS-TOKEN" },
          region: "eu-central-1",
          signedWith: undefined
        }
      ])
    })
  )

  it.scoped("refreshes a token near expiry through CreateToken and saves it, keeping other fields", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const { home, file, fake } = yield* setup(cacheDocument("2030-01-01T00:03:00Z"))
      yield* withEnv({ HOME: home })(
        Sso.fetch({ ...sessionConfig, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
      )
      expect(fake.calls.map((c) => c.operation)).toEqual(["CreateToken", "GetRoleCredentials"])
      expect(fake.calls[0]?.input).toEqual({
        clientId: "client-1",
        clientSecret: "SSO-CLIENT-SECRET",
        grantType: "refresh_token",
        refreshToken: "SSO-REFRESH-TOKEN"
      })
      expect(fake.calls[1]?.input.accessToken).toBe("refreshed-access-token-1")
      const saved = JSON.parse(fs.readFileSync(file, "utf8"))
      expect(saved).toMatchObject({
        accessToken: "refreshed-access-token-1",
        refreshToken: "refreshed-refresh-1",
        expiresAt: "2030-01-01T01:00:00Z",
        someOtherField: "kept",
        clientId: "client-1"
      })
    })
  )

  it.scoped("a failed refresh of a still-valid token keeps it and warns, without the secrets", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const fake = fakeCalls({
        createToken: () =>
          Effect.fail(new CredentialsError({ provider: "sso-oidc", message: "InvalidGrantException: stale" }))
      })
      const { home } = yield* setup(cacheDocument("2030-01-01T00:03:00Z"), "dev", fake)
      const logs = capture()
      yield* withEnv({ HOME: home })(
        Sso.fetch({ ...sessionConfig, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
      ).pipe(Effect.provide(logs.layer))
      expect(fake.calls[1]?.input.accessToken).toBe("SSO-ACCESS-TOKEN")
      expect(logs.lines.some((l) => l.includes("InvalidGrantException: stale"))).toBe(true)
      for (const secret of ["SSO-ACCESS-TOKEN", "SSO-REFRESH-TOKEN", "SSO-CLIENT-SECRET"]) {
        expect(logs.lines.join("\n")).not.toContain(secret)
      }
    })
  )

  it.scoped("an expired token that cannot be refreshed fails and says to sign in again", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const fake = fakeCalls({
        createToken: () =>
          Effect.fail(new CredentialsError({ provider: "sso-oidc", message: "InvalidGrantException" }))
      })
      const { home } = yield* setup(cacheDocument("2029-12-31T00:00:00Z"), "dev", fake)
      const error = yield* Effect.flip(
        withEnv({ HOME: home })(
          Sso.fetch({ ...sessionConfig, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
        )
      )
      expect(error.message).toContain("aws sso login --sso-session dev")
      expect(error.message).not.toContain("SSO-ACCESS-TOKEN")
      expect(fake.calls.map((c) => c.operation)).toEqual(["CreateToken"])
    })
  )

  it.scoped("the legacy form (no session) reads the start URL's cache file and never refreshes", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const legacy = { ...sessionConfig, ssoSession: undefined }
      const { home, fake } = yield* setup(cacheDocument("2030-01-01T00:03:00Z"), legacy.ssoStartUrl)
      yield* withEnv({ HOME: home })(
        Sso.fetch({ ...legacy, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
      )
      expect(fake.calls.map((c) => c.operation)).toEqual(["GetRoleCredentials"])
      yield* TestClock.setTime(Date.parse("2030-01-01T00:04:00Z"))
      const error = yield* Effect.flip(
        withEnv({ HOME: home })(
          Sso.fetch({ ...legacy, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
        )
      )
      expect(error.message).toContain("expired")
      expect(error.message).toContain("aws sso login")
    })
  )

  it.scoped("a missing or malformed cache file is an error naming the file", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const missing = yield* setup(undefined)
      const e1 = yield* Effect.flip(
        withEnv({ HOME: missing.home })(Sso.fetch({ ...sessionConfig, sso: missing.fake.service.sso }))
      )
      expect(e1.message).toContain(missing.file)
      expect(e1.message).toContain("No such file or directory")
      const malformed = yield* setup({ accessToken: "SSO-ACCESS-TOKEN", expiresAt: "not a date" })
      const e2 = yield* Effect.flip(
        withEnv({ HOME: malformed.home })(Sso.fetch({ ...sessionConfig, sso: malformed.fake.service.sso }))
      )
      expect(e2.message).toContain("expiresAt")
      expect(e2.message).not.toContain("SSO-ACCESS-TOKEN")
    })
  )

  it("decoded tokens print without their secrets", () => {
    const decoded = Sso.decodeCacheFile(JSON.stringify(cacheDocument("2030-01-01T00:00:00Z")))
    expect(decoded._tag).toBe("Right")
    if (decoded._tag === "Right") {
      const text = JSON.stringify(decoded.right.token) + String(decoded.right.token.accessToken)
      for (const secret of ["SSO-ACCESS-TOKEN", "SSO-REFRESH-TOKEN", "SSO-CLIENT-SECRET"])
        expect(text).not.toContain(secret)
      expect(Redacted.value(decoded.right.token.accessToken)).toBe("SSO-ACCESS-TOKEN")
    }
  })
})
