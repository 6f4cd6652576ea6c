/**
 * The AWS protocol suites under `test/conformance/data/protocol/botocore` (new and legacy, every
 * file, rpc-v2-cbor included): every case passes or is listed in `protocol-skips.json` with a reason, skips
 * stay under 3% overall, every protocol passes at least 95%, and no skip entry is stale.
 */
import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { skipsPath } from "./protocol/Skips.js"
import { dataPath, printResult, type RunResult } from "./Report.js"
import { defaultFiles, runProtocolSuites } from "./runners/protocol.js"

const DATA = "protocol/botocore"

const report = (result: RunResult): string => {
  const lines: Array<string> = []
  printResult(result, (line) => lines.push(line))
  return lines.join("\n")
}

const skipList = JSON.parse(fs.readFileSync(skipsPath, "utf8")) as Record<string, Record<string, string>>

describe(`protocol suites (${DATA})`, () => {
  const { result: run, unusedSkips } = runProtocolSuites(defaultFiles())
  const text = report(run)

  it("passes every case that is not a listed skip", () => {
    expect(run.failures, text).toEqual([])
    expect(run.passed + run.skipped, text).toBeGreaterThan(900)
  })

  it("skips at most 3% of the cases", () => {
    expect(run.skipped / (run.passed + run.skipped), text).toBeLessThanOrEqual(0.03)
  })

  it("passes at least 95% of each protocol", () => {
    for (const [name, group] of Object.entries(run.groups ?? {})) {
      expect(
        group.passed / (group.passed + group.failed + group.skipped),
        `${name}\n${text}`
      ).toBeGreaterThanOrEqual(0.95)
    }
  })

  it("has no stale skip entry", () => {
    expect(unusedSkips).toEqual([])
  })

  it("lists only existing files, skips no whole file, and gives every skip a reason", () => {
    for (const [file, entries] of Object.entries(skipList)) {
      expect(fs.existsSync(dataPath(file)), file).toBe(true)
      for (const [key, reason] of Object.entries(entries)) {
        expect(key, `${file}: a whole-file skip`).not.toBe("*")
        expect(reason.trim().length, `${file}: ${key}`).toBeGreaterThan(30)
      }
    }
  })
})
