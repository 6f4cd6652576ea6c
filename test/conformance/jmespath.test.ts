import { describe, expect, it } from "vitest"
import * as jmespath from "./runners/jmespath.js"

const data = "misc/jmespath-compliance"

describe("JMESPath compliance suite", () => {
  it(`passes every case (data: test/conformance/data/${data})`, async () => {
    const result = await jmespath.run([])
    expect(result.failures).toEqual([])
    expect(result.passed).toBeGreaterThanOrEqual(800)
  })
})
