import { describe, expect, it } from "vitest"
import { dataPresent } from "./Report.js"
import * as jmespath from "./runners/jmespath.js"

const data = "misc/jmespath-compliance"

describe("JMESPath compliance suite", () => {
  it.skipIf(!dataPresent(data))(`passes every case (data: ../shared/conformance/${data})`, async () => {
    const result = await jmespath.run([])
    expect(result.failures).toEqual([])
    expect(result.passed).toBeGreaterThanOrEqual(800)
  })
})
