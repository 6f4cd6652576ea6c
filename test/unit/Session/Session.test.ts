import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import { NetworkError } from "../../../src/Request/Errors.js"
import * as Retry from "../../../src/Request/Retry.js"
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

describe("Session.resolve, each setting at its default and with every pair of sources set (issue 26)", () => {
  const full = Either.getOrThrow(
    parse({
      config: {
        path: "config",
        contents: `
[profile full]
region = eu-west-1
max_attempts = 5
retry_mode = adaptive
use_fips_endpoint = true
use_dualstack_endpoint = true
sts_regional_endpoints = legacy
request_checksum_calculation = when_required
response_checksum_validation = when_required
s3 =
  addressing_style = path
  use_arn_region = true
  use_accelerate_endpoint = true

[profile virtual]
s3 =
  addressing_style = virtual
`
      }
    })
  )
  const resolveIn = (profile: string, env: Record<string, string>, options?: Session.SessionOptions) =>
    Session.resolve(options).pipe(
      Effect.provide(
        Layer.mergeAll(
          Credentials.layerStatic({ accessKeyId: "a", secretAccessKey: "b" }),
          Layer.succeed(Transport, { send: () => Effect.die("unused") }),
          SharedConfig.layerFromProfileSet(full, profile)
        )
      ),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )

  it.effect("with nothing set, every setting is at its default", () =>
    Effect.gen(function* () {
      const s = yield* resolveIn("missing", {})
      expect(s.region).toBeUndefined()
      expect(s.retry.policy.mode).toBe("standard")
      expect(s.retry.policy.maxAttempts).toBe(3)
      expect(s.useFipsEndpoint).toBe(false)
      expect(s.useDualstackEndpoint).toBe(false)
      expect(s.s3).toEqual({
        forcePathStyle: undefined,
        useAccelerateEndpoint: undefined,
        useArnRegion: undefined,
        disableMultiRegionAccessPoints: false
      })
      expect(s.stsRegionalEndpoints).toBeUndefined()
      expect(s.requestChecksumCalculation).toBe("when_supported")
      expect(s.responseChecksumValidation).toBe("when_supported")
      expect([
        s.endpoint,
        s.connectTimeoutMs,
        s.idleTimeoutMs,
        s.maxResponseBytes,
        s.replayBufferBytes
      ]).toEqual([undefined, undefined, undefined, undefined, undefined])
      expect([s.accountId, s.appId]).toEqual([undefined, undefined])
    })
  )

  it.effect("reads every setting of the profile", () =>
    Effect.gen(function* () {
      const s = yield* resolveIn("full", {})
      expect(s.region).toBe("eu-west-1")
      expect(s.retry.policy).toMatchObject({ mode: "adaptive", maxAttempts: 5 })
      expect([s.useFipsEndpoint, s.useDualstackEndpoint]).toEqual([true, true])
      expect(s.s3).toEqual({
        forcePathStyle: true,
        useAccelerateEndpoint: true,
        useArnRegion: true,
        disableMultiRegionAccessPoints: false
      })
      expect(s.stsRegionalEndpoints).toBe("legacy")
      expect([s.requestChecksumCalculation, s.responseChecksumValidation]).toEqual([
        "when_required",
        "when_required"
      ])
      expect((yield* resolveIn("virtual", {})).s3.forcePathStyle).toBeUndefined()
    })
  )

  it.effect("the region: options, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile", () =>
    Effect.gen(function* () {
      const both = { AWS_REGION: "us-east-2", AWS_DEFAULT_REGION: "sa-east-1" }
      expect((yield* resolveIn("full", both, { region: "ap-south-1" })).region).toBe("ap-south-1")
      expect((yield* resolveIn("full", both)).region).toBe("us-east-2")
      expect((yield* resolveIn("full", { AWS_DEFAULT_REGION: "sa-east-1" })).region).toBe("sa-east-1")
      // blank variables are not set; values are trimmed
      expect(
        (yield* resolveIn("full", { AWS_REGION: " \t", AWS_DEFAULT_REGION: " sa-east-1 " })).region
      ).toBe("sa-east-1")
      expect((yield* resolveIn("full", { AWS_REGION: "", AWS_DEFAULT_REGION: "  " })).region).toBe(
        "eu-west-1"
      )
    })
  )

  it.effect("the attempts and the retry mode: options, then the environment, then the profile", () =>
    Effect.gen(function* () {
      const env = { AWS_MAX_ATTEMPTS: " 2 ", AWS_RETRY_MODE: "STANDARD" }
      expect((yield* resolveIn("full", env)).retry.policy).toMatchObject({ mode: "standard", maxAttempts: 2 })
      expect((yield* resolveIn("full", env, { maxAttempts: 7 })).retry.policy.maxAttempts).toBe(7)
      expect(
        (yield* resolveIn("full", { AWS_MAX_ATTEMPTS: " ", AWS_RETRY_MODE: "" })).retry.policy
      ).toMatchObject({
        mode: "adaptive",
        maxAttempts: 5
      })
      expect((yield* resolveIn("missing", { AWS_RETRY_MODE: "adaptive" })).retry.policy).toMatchObject({
        mode: "adaptive",
        maxAttempts: 3
      })
      // a policy given in code: its own mode; the attempts from anywhere else still apply to it
      const custom = Retry.standard({ maxAttempts: 4 })
      expect((yield* resolveIn("missing", {}, { retry: custom })).retry.policy).toBe(custom)
      expect((yield* resolveIn("full", env, { retry: custom })).retry.policy).toMatchObject({
        mode: "standard",
        maxAttempts: 2
      })
      expect((yield* resolveIn("full", {}, { retry: custom })).retry.policy).toMatchObject({
        mode: "standard",
        maxAttempts: 5
      })
      expect(
        (yield* resolveIn("full", env, { retry: custom, maxAttempts: 8 })).retry.policy.maxAttempts
      ).toBe(8)
    })
  )

  it.effect("FIPS and dual-stack: options, then the environment, then the profile", () =>
    Effect.gen(function* () {
      const env = { AWS_USE_FIPS_ENDPOINT: "false", AWS_USE_DUALSTACK_ENDPOINT: "FALSE" }
      const fromEnv = yield* resolveIn("full", env)
      expect([fromEnv.useFipsEndpoint, fromEnv.useDualstackEndpoint]).toEqual([false, false])
      const fromOptions = yield* resolveIn(
        "missing",
        { AWS_USE_FIPS_ENDPOINT: "true", AWS_USE_DUALSTACK_ENDPOINT: "true" },
        {
          useFipsEndpoint: false,
          useDualstackEndpoint: false
        }
      )
      expect([fromOptions.useFipsEndpoint, fromOptions.useDualstackEndpoint]).toEqual([false, false])
      const onlyEnv = yield* resolveIn("missing", {
        AWS_USE_FIPS_ENDPOINT: "true",
        AWS_USE_DUALSTACK_ENDPOINT: "true"
      })
      expect([onlyEnv.useFipsEndpoint, onlyEnv.useDualstackEndpoint]).toEqual([true, true])
    })
  )

  it.effect(
    "S3: AWS_S3_USE_ARN_REGION over the profile; multi-region access points off only by the environment; options over all",
    () =>
      Effect.gen(function* () {
        const fromEnv = yield* resolveIn("full", {
          AWS_S3_USE_ARN_REGION: "false",
          AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS: "TRUE"
        })
        expect(fromEnv.s3).toMatchObject({ useArnRegion: false, disableMultiRegionAccessPoints: true })
        expect(
          (yield* resolveIn("missing", { AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS: "false" })).s3
            .disableMultiRegionAccessPoints
        ).toBe(false)
        expect((yield* resolveIn("missing", { AWS_S3_USE_ARN_REGION: "true" })).s3.useArnRegion).toBe(true)
        const fromOptions = yield* resolveIn(
          "full",
          { AWS_S3_USE_ARN_REGION: "true", AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS: "true" },
          {
            s3: {
              forcePathStyle: false,
              useAccelerateEndpoint: false,
              useArnRegion: false,
              disableMultiRegionAccessPoints: false
            }
          }
        )
        expect(fromOptions.s3).toEqual({
          forcePathStyle: false,
          useAccelerateEndpoint: false,
          useArnRegion: false,
          disableMultiRegionAccessPoints: false
        })
      })
  )

  it.effect("checksums: options, then the environment, then the profile, then when_supported", () =>
    Effect.gen(function* () {
      const env = {
        AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_SUPPORTED",
        AWS_RESPONSE_CHECKSUM_VALIDATION: "when_supported"
      }
      const fromEnv = yield* resolveIn("full", env)
      expect([fromEnv.requestChecksumCalculation, fromEnv.responseChecksumValidation]).toEqual([
        "when_supported",
        "when_supported"
      ])
      const required = {
        AWS_REQUEST_CHECKSUM_CALCULATION: "when_required",
        AWS_RESPONSE_CHECKSUM_VALIDATION: "when_required"
      }
      const onlyEnv = yield* resolveIn("missing", required)
      expect([onlyEnv.requestChecksumCalculation, onlyEnv.responseChecksumValidation]).toEqual([
        "when_required",
        "when_required"
      ])
      const fromOptions = yield* resolveIn("full", required, {
        requestChecksumCalculation: "when_supported",
        responseChecksumValidation: "when_supported"
      })
      expect([fromOptions.requestChecksumCalculation, fromOptions.responseChecksumValidation]).toEqual([
        "when_supported",
        "when_supported"
      ])
    })
  )

  it.effect("the app id: options, then AWS_SDK_UA_APP_ID; the account id from AWS_ACCOUNT_ID, trimmed", () =>
    Effect.gen(function* () {
      const env = { AWS_SDK_UA_APP_ID: " from-env ", AWS_ACCOUNT_ID: " 111122223333 " }
      const fromEnv = yield* resolveIn("missing", env)
      expect([fromEnv.appId, fromEnv.accountId]).toEqual(["from-env", "111122223333"])
      expect((yield* resolveIn("missing", env, { appId: "from-code" })).appId).toBe("from-code")
      const blank = yield* resolveIn("missing", { AWS_SDK_UA_APP_ID: " ", AWS_ACCOUNT_ID: "\t" })
      expect([blank.appId, blank.accountId]).toEqual([undefined, undefined])
    })
  )

  it.effect("the transport limits and the endpoint given in code are kept as given", () =>
    Effect.gen(function* () {
      const s = yield* resolveIn(
        "missing",
        {},
        {
          endpoint: "http://127.0.0.1:4566",
          connectTimeoutMs: 1,
          idleTimeoutMs: 2,
          maxResponseBytes: 3,
          replayBufferBytes: 4
        }
      )
      expect([
        s.endpoint,
        s.connectTimeoutMs,
        s.idleTimeoutMs,
        s.maxResponseBytes,
        s.replayBufferBytes
      ]).toEqual(["http://127.0.0.1:4566", 1, 2, 3, 4])
    })
  )

  it.effect("a bad value in the environment names the variable and the environment", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(resolveIn("full", { AWS_RETRY_MODE: "fast" }))
      expect(error.message).toBe(
        'invalid AWS_RETRY_MODE in the environment: expected one of "legacy", "standard", "adaptive", got "fast"'
      )
    })
  )
})
