import { describe, expect, it } from "vitest"
import * as sigv4 from "./runners/sigv4.js"
import * as timestamps from "./runners/timestamps.js"

const suites = [
  { name: "SigV4 suite", data: "sigv4/botocore-aws4_testsuite", runner: sigv4, cases: 34 },
  {
    name: "date-time format suite",
    data: "misc/smithy-rs/date_time_format_test_suite.json",
    runner: timestamps,
    cases: 660
  }
] as const

describe.each(suites)("$name", ({ data, runner, cases }) => {
  it(`passes every case (data: test/conformance/data/${data})`, async () => {
    const result = await runner.run([])
    expect(result.failures).toEqual([])
    expect(result.passed).toBe(cases)
  })
})
