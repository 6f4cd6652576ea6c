import * as fs from "node:fs"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"
import * as Credentials from "../../src/Credentials/Credentials.js"
import type { Operation } from "../../src/Request/Client.js"
import { NetworkError } from "../../src/Request/Errors.js"
import * as Retry from "../../src/Request/Retry.js"
import type { HttpRequest } from "../../src/Request/Transport.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as STS from "../../src/Services/STS/index.js"
import * as Session from "../../src/Session/Session.js"
import { dataPath } from "./Report.js"

/**
 * The endpoint tests' `operationInputs`, through the generated clients' public API: each case's
 * built-ins become the session's and client's settings, its operation is called with its
 * parameters, and the request a capturing transport receives must go to the expected URL (or the
 * call must fail with the expected `EndpointError`). No network: the transport records and fails.
 */

interface OperationInput {
  readonly operationName: string
  readonly operationParams?: Record<string, unknown>
  readonly builtInParams?: Record<string, string | boolean>
}
interface TestCase {
  readonly documentation: string
  readonly expect: { readonly endpoint?: { readonly url: string }; readonly error?: string }
  readonly operationInputs?: ReadonlyArray<OperationInput>
}

// biome-ignore lint/suspicious/noExplicitAny: operations of different input and output types, looked up by name
type AnyOperation = Operation<any, unknown, unknown, unknown>

const services = {
  s3: { module: S3 as unknown as Record<string, AnyOperation>, layer: S3.layer },
  sts: { module: STS as unknown as Record<string, AnyOperation>, layer: STS.layer },
  dynamodb: { module: DynamoDB as unknown as Record<string, AnyOperation>, layer: DynamoDB.layer }
} as const

/** Cases this SDK does not bind like the suite (each with its reason). */
const skipped: Readonly<Record<string, string>> = {
  SearchVectors: "DynamoDB SearchVectors is newer than the aws-sdk v2 model the client is generated from",
  WriteGetObjectResponse:
    "its host prefix is applied to the resolved URL, which the suite's expected URL already contains"
}

/**
 * Cases where the client's rule set (from the current `@aws-sdk/client-dynamodb`) is newer than
 * the suite's: account endpoints now exist in aws-cn and aws-us-gov, and an empty account id is
 * rejected. The rules engine itself passes these cases with the suite's own rule set.
 */
const newerRules = new Set([
  "{UseFIPS=false, UseDualStack=false, AccountId=111111111111, AccountIdEndpointMode=required, Region=cn-north-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=111111111111, AccountIdEndpointMode=preferred, Region=cn-north-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=, AccountIdEndpointMode=preferred, Region=cn-north-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=111111111111, AccountIdEndpointMode=preferred, Region=us-gov-east-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=, AccountIdEndpointMode=preferred, Region=us-gov-east-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=111111111111, ResourceArnList=[arn:aws:dynamodb:us-east-1:333333333333:table/table_name], AccountIdEndpointMode=required, Region=cn-north-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=111111111111, ResourceArnList=[arn:aws:dynamodb:us-east-1:333333333333:table/table_name], AccountIdEndpointMode=preferred, Region=cn-north-1}",
  "{UseFIPS=false, UseDualStack=false, AccountId=111111111111, ResourceArnList=[arn:aws:dynamodb:us-east-1:333333333333:table/table_name], AccountIdEndpointMode=preferred, Region=us-gov-east-1}"
])

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

const captureUrl = (service: keyof typeof services, input: OperationInput) =>
  Effect.gen(function* () {
    const captured: Array<HttpRequest> = []
    const builtIns = input.builtInParams ?? {}
    const session = Session.make({
      region: builtIns["AWS::Region"] as string | undefined,
      credentials: Credentials.fromStatic(
        Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })
      ),
      transport: {
        send: (request) => {
          captured.push(request)
          return Effect.fail(new NetworkError({ message: "captured" }))
        }
      },
      retry: Retry.none,
      endpoint: builtIns["SDK::Endpoint"] as string | undefined,
      useFipsEndpoint: builtIns["AWS::UseFIPS"] as boolean | undefined,
      useDualstackEndpoint: builtIns["AWS::UseDualStack"] as boolean | undefined,
      s3: {
        forcePathStyle: builtIns["AWS::S3::ForcePathStyle"] as boolean | undefined,
        useAccelerateEndpoint: builtIns["AWS::S3::Accelerate"] as boolean | undefined,
        useArnRegion: builtIns["AWS::S3::UseArnRegion"] as boolean | undefined,
        disableMultiRegionAccessPoints: builtIns["AWS::S3::DisableMultiRegionAccessPoints"] as
          | boolean
          | undefined,
        useGlobalEndpoint: builtIns["AWS::S3::UseGlobalEndpoint"] as boolean | undefined
      },
      // the session setting (sts_regional_endpoints) feeds AWS::STS::UseGlobalEndpoint
      stsRegionalEndpoints: builtIns["AWS::STS::UseGlobalEndpoint"] === true ? "legacy" : undefined
    })
    const endpointParams: Record<string, string | boolean> = {}
    for (const name of ["AWS::Auth::AccountId", "AWS::Auth::AccountIdEndpointMode"]) {
      if (builtIns[name] !== undefined) endpointParams[name] = builtIns[name]!
    }
    const { module, layer } = services[service]
    const operation = module[lowerFirst(input.operationName)]!
    const client = (
      layer as unknown as (o: {
        endpointParams: typeof endpointParams
      }) => Layer.Layer<never, never, Session.Session>
    )({
      endpointParams
    })
    const exit = yield* Effect.exit(
      Effect.scoped(operation(input.operationParams ?? {}) as Effect.Effect<unknown, unknown>).pipe(
        Effect.provide(client.pipe(Layer.provide(Layer.succeed(Session.Session, session))))
      )
    )
    const request = captured[0]
    if (request !== undefined) {
      const port = request.port === undefined ? "" : `:${request.port}`
      return { url: `${request.protocol}//${request.hostname}${port}${request.path}` }
    }
    return { error: Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "no request and no error" }
  })

const matches = (expected: TestCase["expect"], actual: { url?: string; error?: string }): boolean => {
  if (expected.error !== undefined) return actual.error?.includes("EndpointError") === true
  const want = new URL(expected.endpoint!.url)
  if (actual.url === undefined) return false
  const got = new URL(actual.url)
  const wantPath = want.pathname.replace(/\/$/, "")
  return (
    want.origin === got.origin &&
    (got.pathname === want.pathname || got.pathname.startsWith(`${wantPath}/`) || got.pathname === wantPath)
  )
}

describe.each(Object.keys(services) as ReadonlyArray<keyof typeof services>)(
  "%s client endpoints",
  (service) => {
    const file = `endpoints/services/${service}/endpoint-tests-1.json`
    it(`sends each operationInputs case to the expected URL (data: test/conformance/data/${file})`, async () => {
      const doc = JSON.parse(fs.readFileSync(dataPath(file), "utf8")) as {
        testCases: ReadonlyArray<TestCase>
      }
      const failures: Array<unknown> = []
      let passed = 0
      let skips = 0
      for (const c of doc.testCases) {
        for (const input of c.operationInputs ?? []) {
          if (skipped[input.operationName] !== undefined || newerRules.has(c.documentation)) {
            skips++
            continue
          }
          const actual = await Effect.runPromise(captureUrl(service, input))
          if (matches(c.expect, actual)) passed++
          else
            failures.push({
              case: c.documentation,
              operation: input.operationName,
              expected: c.expect,
              actual
            })
        }
      }
      console.log(`${service}: ${passed} passed, ${failures.length} failed, ${skips} skipped`)
      expect(failures).toEqual([])
    })
  }
)
