import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Environment from "../../../src/Credentials/Environment.js"

const fromEnv = (env: Record<string, string>) =>
  Effect.flatMap(Environment.make, (p) => p.get).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("Environment", () => {
  it.effect("reads keys, session token, account id and expiration", () =>
    Effect.gen(function* () {
      const creds = yield* fromEnv({
        AWS_ACCESS_KEY_ID: "AKIDENV",
        AWS_SECRET_ACCESS_KEY: "ENV-SECRET",
        AWS_SESSION_TOKEN: "ENV-TOKEN",
        AWS_ACCOUNT_ID: "123456789001",
        AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z"
      })
      expect(creds.accessKeyId).toBe("AKIDENV")
      expect(Redacted.value(creds.secretAccessKey)).toBe("ENV-SECRET")
      expect(creds.sessionToken && Redacted.value(creds.sessionToken)).toBe("ENV-TOKEN")
      expect(creds.accountId).toBe("123456789001")
      expect(creds.expiration?.toISOString()).toBe("2030-01-01T00:00:00.000Z")
      expect(creds.source).toBe("environment")
    })
  )

  it.effect("blank values count as unset: 'not loaded'", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromEnv({ AWS_ACCESS_KEY_ID: " ", AWS_SECRET_ACCESS_KEY: "" }))
      expect(error.notLoaded).toBe(true)
      const blankToken = yield* fromEnv({
        AWS_ACCESS_KEY_ID: "A",
        AWS_SECRET_ACCESS_KEY: "S",
        AWS_SESSION_TOKEN: "  "
      })
      expect(blankToken.sessionToken).toBeUndefined()
    })
  )

  it.effect("one key without the other is 'not loaded', saying which is missing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromEnv({ AWS_ACCESS_KEY_ID: "A" }))
      expect(error.notLoaded).toBe(true)
      expect(error.message).toContain("AWS_SECRET_ACCESS_KEY is not")
    })
  )

  it.effect("the ConfigProvider in place when it is made is the one it reads through", () =>
    Effect.gen(function* () {
      const provider = yield* Environment.make.pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["AWS_ACCESS_KEY_ID", "MADE"],
              ["AWS_SECRET_ACCESS_KEY", "S"]
            ])
          )
        )
      )
      const creds = yield* provider.get.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
      expect(creds.accessKeyId).toBe("MADE")
    })
  )

  it.effect("an unparsable expiration is an error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        fromEnv({ AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "S", AWS_CREDENTIAL_EXPIRATION: "tomorrow" })
      )
      expect(error.notLoaded).toBeUndefined()
      expect(error.message).toContain("AWS_CREDENTIAL_EXPIRATION")
    })
  )
})
