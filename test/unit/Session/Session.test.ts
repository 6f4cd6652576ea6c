import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import { NetworkError } from "../../../src/Request/Errors.js"
import type { HttpRequest } from "../../../src/Request/Transport.js"
import { Transport } from "../../../src/Request/Transport.js"
import * as STS from "../../../src/Services/STS/index.js"
import { parse } from "../../../src/Session/ConfigFile.js"
import * as Session from "../../../src/Session/index.js"
import * as SharedConfig from "../../../src/Session/SharedConfig.js"

const configFile = `
[default]
region = eu-west-1
max_attempts = 5
retry_mode = adaptive
use_fips_endpoint = true
s3 =
  addressing_style = path
  use_arn_region = true
services = local

[services local]
s3 =
  endpoint_url = http://127.0.0.1:9000

[profile bad]
max_attempts = lots

[profile sts-legacy]
region = us-west-2
sts_regional_endpoints = legacy

[profile sts-regional]
region = us-west-2
sts_regional_endpoints = regional

[profile sts-default]
region = us-west-2
`

const profiles = Either.getOrThrow(parse({ config: { path: "config", contents: configFile } }))

const resolve = (env: Record<string, string>, options?: Session.SessionOptions, profile = "default") =>
  Session.resolve(options).pipe(
    Effect.provide(
      Layer.mergeAll(
        Credentials.layerStatic({ accessKeyId: "a", secretAccessKey: "b" }),
        Layer.succeed(Transport, { send: () => Effect.die("unused") }),
        SharedConfig.layerFromProfileSet(profiles, profile)
      )
    ),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("Session.resolve", () => {
  it.effect("reads the selected profile", () =>
    Effect.gen(function* () {
      const s = yield* resolve({})
      expect(s.region).toBe("eu-west-1")
      expect(s.retry.policy.mode).toBe("adaptive")
      expect(s.retry.policy.maxAttempts).toBe(5)
      expect(s.useFipsEndpoint).toBe(true)
      expect(s.useDualstackEndpoint).toBe(false)
      expect(s.s3.forcePathStyle).toBe(true)
      expect(s.s3.useArnRegion).toBe(true)
      expect(yield* s.serviceEndpoint!("S3")).toBe("http://127.0.0.1:9000")
      expect(yield* s.serviceEndpoint!("DynamoDB")).toBeUndefined()
    })
  )

  it.effect("the environment wins over the profile, options over the environment", () =>
    Effect.gen(function* () {
      const env = {
        AWS_REGION: "us-west-2",
        AWS_MAX_ATTEMPTS: "2",
        AWS_RETRY_MODE: "standard",
        AWS_USE_FIPS_ENDPOINT: "false",
        AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000"
      }
      const fromEnv = yield* resolve(env)
      expect(fromEnv.region).toBe("us-west-2")
      expect(fromEnv.retry.policy).toMatchObject({ mode: "standard", maxAttempts: 2 })
      expect(fromEnv.useFipsEndpoint).toBe(false)
      expect(yield* fromEnv.serviceEndpoint!("DynamoDB")).toBe("http://127.0.0.1:8000")
      const fromOptions = yield* resolve(env, {
        region: "ap-south-1",
        maxAttempts: 9,
        endpoint: "http://x:1"
      })
      expect(fromOptions.region).toBe("ap-south-1")
      expect(fromOptions.retry.policy.maxAttempts).toBe(9)
      expect(yield* fromOptions.serviceEndpoint!("DynamoDB")).toBe("http://x:1")
    })
  )

  it.effect("AWS_DEFAULT_REGION is the fallback of AWS_REGION", () =>
    Effect.gen(function* () {
      const s = yield* resolve({ AWS_DEFAULT_REGION: "sa-east-1" }, {}, "missing")
      expect(s.region).toBe("sa-east-1")
    })
  )

  it.effect("AWS_REGION wins over AWS_DEFAULT_REGION when both are set", () =>
    Effect.gen(function* () {
      const s = yield* resolve({ AWS_REGION: "eu-north-1", AWS_DEFAULT_REGION: "sa-east-1" }, {}, "missing")
      expect(s.region).toBe("eu-north-1")
    })
  )

  it.effect("an invalid value fails with a typed error naming where it came from", () =>
    Effect.gen(function* () {
      const fromProfile = yield* Effect.flip(resolve({}, {}, "bad"))
      expect(fromProfile.message).toContain("max_attempts")
      expect(fromProfile.message).toContain('profile "bad"')
      const fromEnv = yield* Effect.flip(resolve({ AWS_MAX_ATTEMPTS: "-1" }))
      expect(fromEnv.message).toContain("AWS_MAX_ATTEMPTS")
    })
  )
})

/** The host and signing scope of a GetCallerIdentity sent from the resolved session. */
const stsTarget = (env: Record<string, string>, profile: string, options: Session.SessionOptions = {}) =>
  Effect.gen(function* () {
    const session = yield* resolve(env, options, profile)
    const sent: Array<HttpRequest> = []
    const capture = {
      send: (request: HttpRequest) => {
        sent.push(request)
        return Effect.fail(new NetworkError({ message: "captured" }))
      }
    }
    yield* Effect.exit(
      STS.getCallerIdentity({}).pipe(
        Effect.provide(
          STS.layer({ transport: capture, maxAttempts: 1 }).pipe(
            Layer.provide(Layer.succeed(Session.Session, session))
          )
        )
      )
    )
    const request = sent[0]!
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/sts\//.exec(request.headers.authorization ?? "")?.[1]
    return { host: request.hostname, scope }
  })

describe("sts_regional_endpoints", () => {
  it.effect("legacy sends STS in the legacy regions to the global endpoint, signed for us-east-1", () =>
    Effect.gen(function* () {
      expect(yield* stsTarget({}, "sts-legacy")).toEqual({ host: "sts.amazonaws.com", scope: "us-east-1" })
      expect(yield* stsTarget({ AWS_REGION: "eu-central-1" }, "sts-legacy")).toEqual({
        host: "sts.amazonaws.com",
        scope: "us-east-1"
      })
    })
  )

  it.effect("legacy leaves regions that never had only the global endpoint regional", () =>
    Effect.gen(function* () {
      expect(yield* stsTarget({ AWS_REGION: "af-south-1" }, "sts-legacy")).toEqual({
        host: "sts.af-south-1.amazonaws.com",
        scope: "af-south-1"
      })
      expect(yield* stsTarget({ AWS_REGION: "cn-north-1" }, "sts-legacy")).toEqual({
        host: "sts.cn-north-1.amazonaws.com.cn",
        scope: "cn-north-1"
      })
    })
  )

  it.effect("regional, and the default, use the region's own endpoint", () =>
    Effect.gen(function* () {
      const regional = { host: "sts.us-west-2.amazonaws.com", scope: "us-west-2" }
      expect(yield* stsTarget({}, "sts-regional")).toEqual(regional)
      expect(yield* stsTarget({}, "sts-default")).toEqual(regional)
    })
  )

  it.effect("AWS_STS_REGIONAL_ENDPOINTS wins over the profile, options over both", () =>
    Effect.gen(function* () {
      expect(yield* stsTarget({ AWS_STS_REGIONAL_ENDPOINTS: "legacy" }, "sts-regional")).toMatchObject({
        host: "sts.amazonaws.com"
      })
      expect(yield* stsTarget({ AWS_STS_REGIONAL_ENDPOINTS: "regional" }, "sts-legacy")).toMatchObject({
        host: "sts.us-west-2.amazonaws.com"
      })
      expect(
        yield* stsTarget({ AWS_STS_REGIONAL_ENDPOINTS: "legacy" }, "sts-default", {
          stsRegionalEndpoints: "regional"
        })
      ).toMatchObject({ host: "sts.us-west-2.amazonaws.com" })
    })
  )

  it.effect("a value other than legacy or regional is a ConfigValueError naming the variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(resolve({ AWS_STS_REGIONAL_ENDPOINTS: "global" }, {}, "sts-default"))
      expect(error.message).toContain("AWS_STS_REGIONAL_ENDPOINTS")
    })
  )
})
