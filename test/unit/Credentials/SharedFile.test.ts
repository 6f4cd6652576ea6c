import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { CredentialsError } from "../../../src/Credentials/Credentials.js"
import * as SharedFile from "../../../src/Credentials/SharedFile.js"
import { Transport } from "../../../src/Request/Transport.js"
import { fakeCalls, tempHome, withEnv } from "../../support/CredentialFakes.js"

const noNetwork = Effect.provideService(Transport, { send: () => Effect.die("no network in this test") })

const profileProvider = (
  files: Parameters<typeof tempHome>[0],
  options: Omit<SharedFile.SharedFileOptions, "calls"> = {},
  env: Record<string, string> = {},
  fake = fakeCalls()
) =>
  Effect.acquireRelease(
    Effect.sync(() => tempHome(files)),
    (h) => Effect.sync(h.cleanup)
  ).pipe(
    Effect.flatMap(({ home }) =>
      SharedFile.make({ ...options, calls: fake.service }).pipe(
        noNetwork,
        withEnv({ HOME: home, ...env }),
        Effect.map((provider) => ({ provider, home, calls: fake.calls }))
      )
    )
  )

describe("SharedFile", () => {
  it.scoped("static keys of the selected profile, keys in any letter case", () =>
    Effect.gen(function* () {
      const { provider } = yield* profileProvider(
        {
          credentials:
            "[dev]\nAWS_Access_Key_ID = AKIDDEV\naws_secret_access_key = SECRET-DEV\naws_session_token = TOKEN-DEV\naws_account_id = 999\n"
        },
        { profile: "dev" }
      )
      const creds = yield* provider.get
      expect(creds.accessKeyId).toBe("AKIDDEV")
      expect(Redacted.value(creds.secretAccessKey)).toBe("SECRET-DEV")
      expect(creds.sessionToken && Redacted.value(creds.sessionToken)).toBe("TOKEN-DEV")
      expect(creds.accountId).toBe("999")
    })
  )

  it.scoped("AWS_PROFILE selects the profile", () =>
    Effect.gen(function* () {
      const { provider } = yield* profileProvider(
        {
          config:
            "[profile a]\naws_access_key_id = A\naws_secret_access_key = S\n[default]\naws_access_key_id = D\naws_secret_access_key = S\n"
        },
        {},
        { AWS_PROFILE: "a" }
      )
      expect((yield* provider.get).accessKeyId).toBe("A")
    })
  )

  it.scoped("a chain of any length: each role assumed with the previous credentials, settings passed", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* profileProvider(
        {
          config: [
            "[profile top]",
            "role_arn = arn:aws:iam::1:role/Top",
            "source_profile = middle",
            "external_id = ext-1",
            "duration_seconds = 1800",
            "role_session_name = top-session",
            "region = eu-west-1",
            "[profile middle]",
            "role_arn = arn:aws:iam::1:role/Middle",
            "source_profile = base",
            "[profile base]",
            "aws_access_key_id = AKIDBASE",
            "aws_secret_access_key = BASE-SECRET"
          ].join("\n")
        },
        { profile: "top" }
      )
      yield* TestClock.setTime(1_700_000_000_000)
      const creds = yield* provider.get
      expect(creds.accessKeyId).toBe("ASIA2")
      expect(creds.accountId).toBe("111122223333")
      expect(calls.map((c) => [c.input.RoleArn, c.signedWith, c.region])).toEqual([
        ["arn:aws:iam::1:role/Middle", "AKIDBASE", "eu-west-1"],
        ["arn:aws:iam::1:role/Top", "ASIA1", "eu-west-1"]
      ])
      expect(calls[0]?.input.RoleSessionName).toBe("effect-aws-sdk-1700000000000")
      expect(calls[1]?.input).toMatchObject({
        RoleSessionName: "top-session",
        ExternalId: "ext-1",
        DurationSeconds: 1800
      })
    })
  )

  it.scoped("AWS_REGION wins over the profile's region for STS", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* profileProvider(
        {
          config:
            "[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\n[profile b]\naws_access_key_id = A\naws_secret_access_key = S\n"
        },
        {},
        { AWS_REGION: "ap-south-1" }
      )
      yield* provider.get
      expect(calls[0]?.region).toBe("ap-south-1")
    })
  )

  it.scoped("mfa_serial asks the mfaToken effect for a code on every fetch", () =>
    Effect.gen(function* () {
      let asked = 0
      const { provider, calls } = yield* profileProvider(
        {
          config:
            "[default]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile b]\naws_access_key_id = A\naws_secret_access_key = S\n"
        },
        { mfaToken: (serial) => Effect.sync(() => `${serial}#${++asked}`) }
      )
      yield* provider.get
      yield* provider.get
      expect(calls.map((c) => [c.input.SerialNumber, c.input.TokenCode])).toEqual([
        ["arn:aws:iam::1:mfa/me", "arn:aws:iam::1:mfa/me#1"],
        ["arn:aws:iam::1:mfa/me", "arn:aws:iam::1:mfa/me#2"]
      ])
    })
  )

  it.scoped("mfa_serial without an mfaToken effect is an error that says what to pass", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* profileProvider({
        config:
          "[default]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile b]\naws_access_key_id = A\naws_secret_access_key = S\n"
      })
      const error = yield* Effect.flip(provider.get)
      expect(error.message).toContain("mfaToken")
      expect(calls).toHaveLength(0)
    })
  )

  it.scoped("credential_source = Environment assumes the role with the environment's keys", () =>
    Effect.gen(function* () {
      const { provider, calls } = yield* profileProvider(
        { config: "[default]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n" },
        {},
        { AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "ENV-SECRET" }
      )
      yield* provider.get
      expect(calls[0]?.signedWith).toBe("AKIDENV")
    })
  )

  it.scoped("a base provider that does not apply stops the chain: the profile asked for it", () =>
    Effect.gen(function* () {
      const { provider } = yield* profileProvider({
        config: "[default]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n"
      })
      const error = yield* Effect.flip(provider.get)
      expect(error.notLoaded).toBeUndefined()
      expect(error.message).toContain("the credential provider was not enabled")
    })
  )

  it.scoped("web identity in a profile reads the token file on every fetch", () =>
    Effect.gen(function* () {
      const { provider, calls, home } = yield* profileProvider({
        config: "[default]\nrole_arn = arn:aws:iam::1:role/W\nweb_identity_token_file = TOKENFILE\n"
      })
      const tokenFile = path.join(home, "token.jwt")
      const configPath = path.join(home, ".aws", "config")
      fs.writeFileSync(configPath, fs.readFileSync(configPath, "utf8").replace("TOKENFILE", tokenFile))
      fs.writeFileSync(tokenFile, "jwt-1\n")
      yield* provider.get
      fs.writeFileSync(tokenFile, "jwt-2")
      yield* provider.get
      expect(calls.map((c) => [c.operation, c.input.WebIdentityToken, c.signedWith])).toEqual([
        ["AssumeRoleWithWebIdentity", "jwt-1", undefined],
        ["AssumeRoleWithWebIdentity", "jwt-2", undefined]
      ])
    })
  )

  it.scoped("a profile without credential settings is 'not loaded'; no files too", () =>
    Effect.gen(function* () {
      const a = yield* profileProvider({ config: "[default]\nregion = us-east-1\n" })
      expect((yield* Effect.flip(a.provider.get)).notLoaded).toBe(true)
      const b = yield* profileProvider({})
      expect((yield* Effect.flip(b.provider.get)).notLoaded).toBe(true)
    })
  )

  it.scoped("an unparsable file, a missing source profile or a loop stops the chain", () =>
    Effect.gen(function* () {
      const cases = [
        ["[default]\n= x\n", "could not parse profile file"],
        ["[default]\nrole_arn = r\nsource_profile = nope\n", "could not find source profile nope"],
        [
          "[default]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = default\n",
          "infinite loop"
        ]
      ] as const
      for (const [config, text] of cases) {
        const { provider } = yield* profileProvider({ config })
        const error = yield* Effect.flip(provider.get)
        expect(error.message).toContain(text)
        expect(error.notLoaded).toBeUndefined()
      }
    })
  )

  it.scoped("STS failures are reported with the role and the service's error", () =>
    Effect.gen(function* () {
      const fake = fakeCalls({
        stsFailure: new CredentialsError({ provider: "sts", message: "AccessDenied: not authorized" })
      })
      const { provider } = yield* profileProvider(
        {
          config:
            "[default]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\n[profile b]\naws_access_key_id = A\naws_secret_access_key = BASE-SECRET\n"
        },
        {},
        {},
        fake
      )
      const error = yield* Effect.flip(provider.get)
      expect(error.message).toContain("arn:aws:iam::1:role/R")
      expect(error.message).toContain("AccessDenied: not authorized")
      expect(error.message).not.toContain("BASE-SECRET")
    })
  )
})
