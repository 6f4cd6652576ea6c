/**
 * The endpoint suites under `test/conformance/data/endpoints`: the S3, STS and DynamoDB rule sets
 * with their `endpoint-tests-1.json`, and the botocore rules-engine suite. Every case passes or is
 * a listed skip (`endpoint-skips.json`, each with a reason); a listed case that passes fails the run.
 *
 * The `operationInputs` cases bind operation input through the aws-sdk v2 api-2 model of the
 * service (its `contextParam` members and `staticContextParams`), the dev dependency codegen reads.
 */
import { describe, expect, it } from "vitest"
import { loadSkips } from "./EndpointSkips.js"
import { dataPath, printResult, type RunResult } from "./Report.js"
import * as endpoints from "./runners/endpoints.js"
import * as rulesEngine from "./runners/rules-engine.js"

const report = (result: RunResult): string => {
  const lines: Array<string> = []
  printResult(result, (line) => lines.push(line))
  return lines.join("\n")
}

describe("endpoint rule sets conformance", () => {
  for (const service of ["s3", "sts", "dynamodb"]) {
    const dir = `endpoints/services/${service}`
    it(`${service}: ${dir}`, async () => {
      const model = endpoints.v2ModelOf(service)
      expect(
        model,
        "the aws-sdk dev dependency (api-2 models) is needed for the operationInputs group"
      ).toBeDefined()
      const result = await endpoints.run([
        dataPath(`${dir}/endpoint-rule-set-1.json`),
        dataPath(`${dir}/endpoint-tests-1.json`),
        "--model",
        model!
      ])
      const text = report(result)
      expect(result.failed, text).toBe(0)
      const params = result.groups?.params
      expect(params, text).toBeDefined()
      const total = params!.passed + params!.failed + params!.skipped
      expect(params!.passed / total, text).toBeGreaterThanOrEqual(0.99)
      // Every skip is a listed entry, and every listed entry of this suite is used.
      const listed = loadSkips().filter((s) => s.suite === service)
      expect(result.skipped, text).toBe(listed.length)
    })
  }

  const rulesDir = "endpoints/rules-engine-botocore"
  it(`rules-engine: ${rulesDir}`, async () => {
    const result = await rulesEngine.run([dataPath(rulesDir)])
    const text = report(result)
    expect(result.failed, text).toBe(0)
    expect(result.skipped, text).toBe(0)
    expect(result.groups?.compile?.passed, text).toBeGreaterThan(0)
    expect(result.groups?.cases?.passed, text).toBeGreaterThan(0)
  })

  it("every skip entry has a reason", () => {
    for (const s of loadSkips()) expect(s.reason.trim().length).toBeGreaterThan(20)
  })
})
