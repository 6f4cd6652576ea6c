import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Option, Redacted } from "effect"
import { layer as nodeFileSystem } from "../../../src/Session/NodeFileSystem.js"
import * as ProfileSettings from "../../../src/Session/ProfileSettings.js"
import * as SharedConfig from "../../../src/Session/SharedConfig.js"

let dir = ""
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-config-"))
  fs.mkdirSync(path.join(dir, "home", ".aws"), { recursive: true })
  fs.writeFileSync(
    path.join(dir, "home", ".aws", "config"),
    [
      "[default]",
      "region = us-west-2",
      "[profile dev]",
      "region = eu-west-1",
      "max_attempts = 4",
      "services = local",
      "[services local]",
      "s3 =",
      "  endpoint_url = http://127.0.0.1:4568"
    ].join("\n")
  )
  fs.writeFileSync(
    path.join(dir, "home", ".aws", "credentials"),
    "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRET-KEY-1\n"
  )
  fs.writeFileSync(path.join(dir, "broken-config"), "[default]\nregion = x\n[profile y\n")
  fs.writeFileSync(path.join(dir, "bad-values"), "[default]\nmax_attempts = lots\n")
  fs.mkdirSync(path.join(dir, "a-directory"))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const withEnv =
  (env: Record<string, string>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withConfigProvider(effect, ConfigProvider.fromMap(new Map(Object.entries(env))))

const home = () => path.join(dir, "home")

describe("SharedConfig", () => {
  it.effect("finds both files under HOME and selects the default profile", () =>
    Effect.gen(function* () {
      const loaded = yield* SharedConfig.load({ platform: "posix" })
      expect(loaded.configFile).toBe(path.join(home(), ".aws", "config"))
      expect(loaded.credentialsFile).toBe(path.join(home(), ".aws", "credentials"))
      expect(loaded.profileName).toBe("default")
      expect(Option.map(loaded.profile, (p) => p.get("region"))).toEqual(Option.some("us-west-2"))
      expect([...loaded.profileSet.profiles.keys()].sort()).toEqual(["default", "dev"])
    }).pipe(withEnv({ HOME: home() }), Effect.provide(nodeFileSystem))
  )

  it.effect("selects AWS_PROFILE and merges the credentials file into it", () =>
    Effect.gen(function* () {
      const settings = yield* SharedConfig.settings()
      expect(settings.region).toBe("eu-west-1")
      expect(settings.maxAttempts).toBe(4)
      expect(settings.awsAccessKeyId).toBe("AKIDEXAMPLE")
      expect(Redacted.value(settings.awsSecretAccessKey!)).toBe("SECRET-KEY-1")
      expect(yield* SharedConfig.setting(ProfileSettings.Region, "default")).toEqual(Option.some("us-west-2"))
      const loaded = yield* SharedConfig.SharedConfig
      for (const shown of [
        JSON.stringify(settings),
        String(settings.awsSecretAccessKey),
        util.inspect(loaded)
      ]) {
        expect(shown).not.toContain("SECRET-KEY-1")
      }
    }).pipe(
      Effect.provide(SharedConfig.layer({ platform: "posix" })),
      withEnv({ HOME: home(), AWS_PROFILE: "dev" }),
      Effect.provide(nodeFileSystem)
    )
  )

  it.effect("lets options override AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE", () =>
    Effect.gen(function* () {
      const loaded = yield* SharedConfig.load({
        profile: "dev",
        configFile: path.join(home(), ".aws", "config"),
        credentialsFile: path.join(dir, "none")
      })
      expect(loaded.profileName).toBe("dev")
      expect(Option.map(loaded.profile, (p) => p.get("aws_access_key_id"))).toEqual(Option.some(undefined))
    }).pipe(
      withEnv({
        AWS_CONFIG_FILE: path.join(dir, "broken-config"),
        AWS_SHARED_CREDENTIALS_FILE: "/x",
        AWS_PROFILE: "x"
      }),
      Effect.provide(nodeFileSystem)
    )
  )

  it.effect("expands ~ in AWS_CONFIG_FILE", () =>
    Effect.gen(function* () {
      const loaded = yield* SharedConfig.load({ platform: "posix" })
      expect(loaded.configFile).toBe(path.join(home(), ".aws", "config"))
      expect(loaded.profileSet.profiles.has("dev")).toBe(true)
    }).pipe(withEnv({ HOME: home(), AWS_CONFIG_FILE: "~/.aws/config" }), Effect.provide(nodeFileSystem))
  )

  it.effect("treats missing files (and a missing home directory) as empty", () =>
    Effect.gen(function* () {
      const missing = yield* SharedConfig.load({ platform: "posix" }).pipe(
        withEnv({ HOME: path.join(dir, "nobody") })
      )
      expect(missing.profileSet.profiles.size).toBe(0)
      expect(Option.isNone(missing.profile)).toBe(true)
      const homeless = yield* SharedConfig.load({ platform: "posix" }).pipe(withEnv({}))
      expect(homeless.configFile).toBeUndefined()
      expect(homeless.profileSet.profiles.size).toBe(0)
    }).pipe(Effect.provide(nodeFileSystem))
  )

  it.effect("fails with the file and line of a malformed file", () =>
    Effect.gen(function* () {
      const file = path.join(dir, "broken-config")
      const error = yield* Effect.flip(SharedConfig.load())
      expect(error._tag).toBe("ConfigFileError")
      expect(error.message).toBe(`error parsing ${file} on line 3: Profile definition must end with ']'`)
    }).pipe(withEnv({ AWS_CONFIG_FILE: path.join(dir, "broken-config") }), Effect.provide(nodeFileSystem))
  )

  it.effect("fails with a read error naming a file that exists but cannot be read", () =>
    Effect.gen(function* () {
      const file = path.join(dir, "a-directory")
      const error = yield* Effect.flip(SharedConfig.load({ credentialsFile: file }))
      expect(error._tag).toBe("ConfigFileReadError")
      if (error._tag === "ConfigFileReadError") {
        expect(error.path).toBe(file)
        expect(error.message).toContain(file)
      }
    }).pipe(withEnv({ HOME: home() }), Effect.provide(nodeFileSystem))
  )

  it.effect("fails a setting that does not decode, naming profile and key", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(SharedConfig.setting(ProfileSettings.MaxAttempts))
      expect(exit).toStrictEqual(
        Exit.fail(
          new ProfileSettings.ConfigValueError({
            source: 'profile "default"',
            key: "max_attempts",
            problem: 'expected an integer, got "lots"'
          })
        )
      )
    }).pipe(
      Effect.provide(SharedConfig.layer()),
      withEnv({ AWS_CONFIG_FILE: path.join(dir, "bad-values"), HOME: path.join(dir, "nobody") }),
      Effect.provide(nodeFileSystem)
    )
  )

  it.effect("resolves configured endpoint URLs from the environment and the services section", () =>
    Effect.gen(function* () {
      const fromFile = yield* SharedConfig.configuredEndpointUrl("S3")
      expect(fromFile).toEqual(Option.some({ url: "http://127.0.0.1:4568", source: "services-section" }))
      const fromEnv = yield* SharedConfig.configuredEndpointUrl("DynamoDB").pipe(
        withEnv({ AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000" })
      )
      expect(fromEnv).toEqual(Option.some({ url: "http://127.0.0.1:8000", source: "environment-service" }))
      const ignored = yield* SharedConfig.configuredEndpointUrl("S3").pipe(
        withEnv({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "TRUE" })
      )
      expect(ignored).toEqual(Option.none())
      const bad = yield* Effect.flip(
        SharedConfig.configuredEndpointUrl("S3").pipe(withEnv({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "1" }))
      )
      expect(bad.message).toBe(
        'invalid AWS_IGNORE_CONFIGURED_ENDPOINT_URLS in the environment: expected "true" or "false", got "1"'
      )
    }).pipe(
      Effect.provide(SharedConfig.layer({ platform: "posix" })),
      withEnv({ HOME: home(), AWS_PROFILE: "dev" }),
      Effect.provide(nodeFileSystem)
    )
  )
})
