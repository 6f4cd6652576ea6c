/**
 * Endpoint resolution cost: `npx tsx bench/endpoints.ts [RULESET]` (default: the S3 rule set of the
 * conformance data). Prints the compile time of our engine and the per-call cost of a few typical
 * S3 parameter sets, next to the AWS SDK for JavaScript v3 tree interpreter
 * (`@smithy/core/endpoints` `resolveEndpoint` with `@aws-sdk/core`'s AWS functions, uncached) when
 * those packages are installed. Not part of the tests.
 */
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import type { EndpointParams, RuleSet } from "../src/Endpoints/RuleSet.js"
import { compileRuleSet } from "../src/Endpoints/RulesEngine.js"

// Resolved from this file (not through test/conformance/Report's dataPath): `npm run bench`
// compiles this file into one module beside it, where that module's own location no longer holds.
const file =
  process.argv.slice(2).find((a) => !a.startsWith("-")) ??
  fileURLToPath(
    new URL("../../shared/conformance/endpoints/services/s3/endpoint-rule-set-1.json", import.meta.url)
  )
const text = fs.readFileSync(file, "utf8")

const cases: ReadonlyArray<readonly [string, EndpointParams]> = [
  ["virtual host", { Region: "us-west-2", Bucket: "my-bucket", Key: "a/b.txt" }],
  ["path style", { Region: "us-west-2", Bucket: "my-bucket", ForcePathStyle: true }],
  ["FIPS + dual-stack", { Region: "us-east-1", Bucket: "my-bucket", UseFIPS: true, UseDualStack: true }],
  [
    "access point ARN",
    { Region: "us-west-2", Bucket: "arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint" }
  ],
  [
    "custom endpoint",
    { Region: "us-east-1", Bucket: "my-bucket", Endpoint: "http://127.0.0.1:9000", ForcePathStyle: true }
  ],
  ["no bucket (ListBuckets)", { Region: "eu-central-1" }]
]

/** Median ns per call over a few rounds, after a warm-up. */
const measure = (f: () => unknown, iterations = 200_000): number => {
  for (let i = 0; i < 20_000; i++) f()
  const rounds: Array<number> = []
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) f()
    rounds.push(Number(process.hrtime.bigint() - t0) / iterations)
  }
  rounds.sort((a, b) => a - b)
  return rounds[2]!
}

const fmt = (ns: number): string => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)

// Compile time: the first (cold) compile and the median of warm ones.
const ruleSet = JSON.parse(text) as RuleSet
let t0 = process.hrtime.bigint()
const resolver = compileRuleSet(ruleSet)
const cold = Number(process.hrtime.bigint() - t0) / 1e6
const warm: Array<number> = []
for (let i = 0; i < 20; i++) {
  t0 = process.hrtime.bigint()
  compileRuleSet(ruleSet)
  warm.push(Number(process.hrtime.bigint() - t0) / 1e6)
}
warm.sort((a, b) => a - b)
t0 = process.hrtime.bigint()
JSON.parse(text)
const parse = Number(process.hrtime.bigint() - t0) / 1e6
console.log(`rule set: ${file} (${(text.length / 1024).toFixed(0)} KB)`)
console.log(
  `compile: first ${cold.toFixed(2)} ms, warm median ${warm[10]!.toFixed(2)} ms (JSON.parse alone ${parse.toFixed(2)} ms)`
)

type V3 = (ruleSet: unknown, options: { endpointParams: Record<string, unknown> }) => { url: URL }
let v3: V3 | undefined
try {
  const smithy = (await import("@smithy/core/endpoints")) as unknown as {
    resolveEndpoint: V3
    customEndpointFunctions: Record<string, unknown>
  }
  const aws = (await import("@aws-sdk/core/client")) as unknown as { awsEndpointFunctions: unknown }
  smithy.customEndpointFunctions.aws = aws.awsEndpointFunctions
  v3 = smithy.resolveEndpoint
} catch {
  v3 = undefined
}

console.log(`\n${"case".padEnd(26)}${"ours".padStart(12)}${v3 ? "v3 interpreter".padStart(18) : ""}   url`)
for (const [name, params] of cases) {
  const r = resolver.resolve(params)
  const url = Either.isRight(r) ? r.right.url : `error: ${r.left.message}`
  const ours = measure(() => resolver.resolve({ ...params }))
  let theirs = ""
  if (v3) {
    const resolve = v3
    const check = resolve(ruleSet, { endpointParams: { ...params } }).url.href
    if (check.replace(/\/$/, "") !== url.replace(/\/$/, "")) console.log(`  (v3 gives ${check})`)
    theirs = fmt(measure(() => resolve(ruleSet, { endpointParams: { ...params } }), 20_000)).padStart(18)
  }
  console.log(`${name.padEnd(26)}${fmt(ours).padStart(12)}${theirs}   ${url}`)
}
