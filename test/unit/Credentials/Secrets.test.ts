import * as util from "node:util"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Logger from "effect/Logger"
import { make as makeCredentials } from "../../../src/Credentials/Credentials.js"
import * as Environment from "../../../src/Credentials/Environment.js"
import { resolveChain } from "../../../src/Credentials/ProfileChain.js"
import { parse } from "../../../src/Session/ConfigFile.js"

const SECRET = "wJalrXUtnFEMI-K7MDENG-SECRET"
const TOKEN = "IQoJb3JpZ2luX2VjE-SESSION-TOKEN"

const renderings = (value: unknown): ReadonlyArray<string> => [
  String(value),
  JSON.stringify(value),
  util.inspect(value, { depth: 10 }),
  Inspectable.format(value),
  `${value}`
]

describe("secrets", () => {
  const creds = makeCredentials({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET, sessionToken: TOKEN })

  it("credentials never show their secret or token when printed", () => {
    for (const text of [...renderings(creds), ...renderings({ nested: { creds } }), ...renderings([creds])]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(TOKEN)
    }
    expect(JSON.stringify(creds)).toContain("AKIDEXAMPLE")
  })

  it.effect("credentials never show their secret when logged", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const logger = Logger.make(({ message, annotations }) => {
        lines.push(`${Inspectable.format(message)} ${Inspectable.format(annotations)}`)
      })
      yield* Effect.log("fetched", creds).pipe(
        Effect.annotateLogs("credentials", creds),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(lines.join("\n")).toContain("AKIDEXAMPLE")
      expect(lines.join("\n")).not.toContain(SECRET)
      expect(lines.join("\n")).not.toContain(TOKEN)
    })
  )

  it("a resolved profile chain never shows the profile's secret", () => {
    const set = Either.getOrThrow(
      parse({
        config: undefined,
        credentials: {
          path: "credentials",
          contents: `[default]\naws_access_key_id = A\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n`
        }
      })
    )
    const chain = Either.getOrThrow(resolveChain(set, "default"))
    for (const text of renderings(chain)) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(TOKEN)
    }
  })

  it.effect("errors about partial configuration never repeat the secret", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.flatMap(Environment.make, (p) => p.get).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["AWS_SECRET_ACCESS_KEY", SECRET]])))
        )
      )
      for (const text of [error.message, ...renderings(error)]) expect(text).not.toContain(SECRET)
      const partial = resolveChain(
        Either.getOrThrow(
          parse({
            config: undefined,
            credentials: { path: "c", contents: `[default]\naws_secret_access_key = ${SECRET}\n` }
          })
        ),
        "default"
      )
      expect(Either.isLeft(partial)).toBe(true)
      if (Either.isLeft(partial))
        for (const text of renderings(partial.left)) expect(text).not.toContain(SECRET)
    })
  )
})
