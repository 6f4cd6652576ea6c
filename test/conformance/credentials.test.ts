/**
 * The credentials suites under `test/conformance/data/credentials`: the profile chain, container
 * endpoint, IMDS endpoint and provider chain runners. At least 95% of all their cases must pass;
 * every failure is printed, and a case is skipped only when `credentials-skips.json` lists it
 * with a reason.
 */
import { describe, expect, it } from "vitest"
import { loadExceptions } from "./CredentialsSkips.js"
import { dataPath, printResult, type RunResult } from "./Report.js"
import * as assumeRoleChain from "./runners/assume-role-chain.js"
import * as ecs from "./runners/ecs.js"
import * as imdsEndpoint from "./runners/imds-endpoint.js"
import * as providerChain from "./runners/provider-chain.js"

const base = "credentials/smithy-rs-aws-config"

const suites: ReadonlyArray<{
  readonly runner: string
  readonly path: string
  readonly run: (args: ReadonlyArray<string>) => Promise<RunResult>
}> = [
  { runner: "assume-role-chain", path: `${base}/assume-role-tests.json`, run: assumeRoleChain.run },
  { runner: "ecs", path: `${base}/ecs-tests.json`, run: ecs.run },
  { runner: "imds-endpoint", path: `${base}/imds-config/imds-endpoint-tests.json`, run: imdsEndpoint.run },
  { runner: "provider-chain", path: base, run: providerChain.run }
]

const totals = { passed: 0, failed: 0, skipped: 0 }

describe("credentials conformance", () => {
  for (const suite of suites) {
    it(`${suite.runner}: ${suite.path}`, async () => {
      const result = await suite.run([dataPath(suite.path)])
      const lines: Array<string> = []
      printResult(result, (line) => lines.push(line))
      const exceptions = loadExceptions(suite.runner)
      for (const [name, reason] of exceptions.skip) lines.push(`SKIP ${name}: ${reason}`)
      for (const [name, w] of exceptions.wording)
        lines.push(`WORDING ${name}: expects ${JSON.stringify(w.contains)}: ${w.reason}`)
      console.log(`${suite.runner}\n${lines.join("\n")}`)
      totals.passed += result.passed
      totals.failed += result.failed
      totals.skipped += result.skipped
      expect(result.skipped).toBeLessThanOrEqual(loadExceptions(suite.runner).skip.size)
      expect(result.passed).toBeGreaterThan(0)
      expect(result.failed, lines.join("\n")).toBe(0)
    })
  }

  it("at least 95% of all credentials cases pass", () => {
    const total = totals.passed + totals.failed + totals.skipped
    expect(total).toBeGreaterThan(0)
    expect(totals.passed / total).toBeGreaterThanOrEqual(0.95)
  })
})
