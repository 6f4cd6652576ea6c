/**
 * The shared config suites under `test/conformance/data/config`: the profile parser, the file
 * location and the configured endpoint URL suites. Every case passes or is a listed skip
 * (`config-skips.json`, each with a reason).
 */
import { describe, expect, it } from "vitest"
import { loadSkips } from "./ConfigSkips.js"
import { dataPath, printResult, type RunResult } from "./Report.js"
import * as endpointUrl from "./runners/endpoint-url.js"
import * as profileLocation from "./runners/profile-location.js"
import * as profileParser from "./runners/profile-parser.js"

const suites: ReadonlyArray<{
  readonly runner: string
  readonly file: string
  readonly run: (args: ReadonlyArray<string>) => Promise<RunResult>
}> = [
  { runner: "profile-parser", file: "config/smithy-rs/profile-parser-tests.json", run: profileParser.run },
  { runner: "profile-location", file: "config/smithy-rs/file-location-tests.json", run: profileLocation.run },
  {
    runner: "endpoint-url",
    file: "config/botocore-configured_endpoint_urls/profile-tests.json",
    run: endpointUrl.run
  }
]

describe("shared config conformance", () => {
  for (const suite of suites) {
    it(`${suite.runner}: ${suite.file}`, async () => {
      const result = await suite.run([dataPath(suite.file)])
      const lines: Array<string> = []
      printResult(result, (line) => lines.push(line))
      expect(result.failed, lines.join("\n")).toBe(0)
      expect(result.skipped).toBeLessThanOrEqual(loadSkips(suite.runner).size)
      expect(result.passed).toBeGreaterThan(0)
    })
  }
})
