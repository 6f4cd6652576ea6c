/**
 * `npm run conformance -- rules-engine DIR`: the botocore rules-engine suite. Each
 * `DIR/valid-rules/X.json` is compiled (group `compile`: every rule set must compile) and run
 * against `DIR/test-cases/X.json` when there is one (group `cases`): params -> expected url,
 * properties, headers or error text.
 *
 * Skips come only from `test/conformance/endpoint-skips.json` (suite = file name, group `cases`).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { EndpointParams, RuleSet } from "../../../src/Endpoints/RuleSet.js"
import { compileRuleSet, type EndpointResolver } from "../../../src/Endpoints/RulesEngine.js"
import { findSkip, loadSkips } from "../EndpointSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"
import { check } from "./endpoints.js"

interface TestCase {
  readonly documentation?: string
  readonly params?: EndpointParams
  readonly expect: Parameters<typeof check>[2]
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const dir = args[0] ?? dataPath("endpoints/rules-engine-botocore")
  const rulesDir = path.join(dir, "valid-rules")
  const casesDir = path.join(dir, "test-cases")
  const skips = loadSkips()
  const tally = new Tally()
  for (const file of fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const suite = file.slice(0, -".json".length)
    let resolver: EndpointResolver
    try {
      resolver = compileRuleSet(JSON.parse(fs.readFileSync(path.join(rulesDir, file), "utf8")) as RuleSet)
      tally.pass("compile")
    } catch (e) {
      tally.fail({ where: `${suite} compile`, expected: "compiles", actual: String(e) }, "compile")
      continue
    }
    const casesFile = path.join(casesDir, file)
    if (!fs.existsSync(casesFile)) continue
    const { testCases } = JSON.parse(fs.readFileSync(casesFile, "utf8")) as {
      testCases: ReadonlyArray<TestCase>
    }
    testCases.forEach((c, i) => {
      const doc = c.documentation ?? `#${i}`
      const params = c.params ?? {}
      let mismatch: ReturnType<typeof check>
      try {
        mismatch = check(resolver, params, c.expect)
      } catch (e) {
        mismatch = { expected: c.expect, actual: { thrown: String(e) } }
      }
      const skip = findSkip(skips, { suite, group: "cases", documentation: doc })
      if (skip) {
        if (mismatch === undefined) {
          tally.fail(
            {
              where: `${suite} #${i} ${doc}`,
              expected: "a failure",
              actual: "passes",
              note: "stale skip entry"
            },
            "cases"
          )
        } else tally.skip("cases")
        return
      }
      if (mismatch === undefined) tally.pass("cases")
      else {
        tally.fail(
          {
            where: `${suite} #${i} ${doc}`,
            expected: mismatch.expected,
            actual: mismatch.actual,
            note: JSON.stringify(params)
          },
          "cases"
        )
      }
    })
  }
  return tally.result()
}
