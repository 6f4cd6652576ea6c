/**
 * The runtime slice from the command line, as `scripts/runtimes.mjs` runs it in Node (through
 * tsx), Bun and Deno: the runtime seam, the official SigV4 suite, and the S3 and DynamoDB calls of
 * `Services.ts` over both transports (`node:http`, and `fetch` through `@effect/platform`'s
 * `FetchHttpClient`).
 *
 * Environment: `RUNTIME_S3_ENDPOINT`, `RUNTIME_DYNAMODB_ENDPOINT`, `RUNTIME_HANG_ENDPOINT`,
 * `RUNTIME_EXPECT_CRYPTO`
 * (`node` or `web`: the implementation `#runtime/Crypto` must resolve to), `RUNTIME_NAME` (used in
 * bucket and table names, so runs do not collide). Prints one line per check and closes with
 * `N passed, N failed`; exits non-zero when a check fails.
 */
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import { run as sigv4Suite } from "../conformance/runners/sigv4.js"
import { assert, type Check, runChecks, seamCheck } from "./Check.js"
import { fetchTransport, serviceChecks, type Target } from "./Services.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "")
    throw new Error(`${name} is not set (run through scripts/runtimes.mjs)`)
  return value
}

const target: Target = {
  s3Endpoint: env("RUNTIME_S3_ENDPOINT"),
  dynamoEndpoint: env("RUNTIME_DYNAMODB_ENDPOINT"),
  hangEndpoint: env("RUNTIME_HANG_ENDPOINT"),
  runName: env("RUNTIME_NAME")
}

const sigv4: Check = [
  "SigV4 suite (botocore aws4_testsuite)",
  async () => {
    const result = await sigv4Suite([])
    assert(result.passed > 0, "the suite ran no case")
    assert(
      result.failed === 0,
      `${result.failed} of ${result.passed + result.failed} cases failed, first: ${result.failures[0]?.where}`
    )
    console.log(`  (${result.passed} cases)`)
  }
]

const { failed } = await runChecks(
  [
    seamCheck(env("RUNTIME_EXPECT_CRYPTO")),
    sigv4,
    ...serviceChecks(target, "node:http", NodeTransport.layer()),
    ...serviceChecks(target, "fetch", fetchTransport)
  ],
  console.log
)
process.exitCode = failed === 0 ? 0 : 1
