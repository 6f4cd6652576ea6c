/**
 * The smithy date-time format suite: formatting and parsing of epoch-seconds, http-date and
 * date-time, compared on whole seconds and nanoseconds.
 */
import * as fs from "node:fs"
import * as T from "../../../src/Protocols/Timestamp.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

interface Case {
  readonly iso8601: string
  readonly canonical_seconds: string
  readonly canonical_nanos: number
  readonly error: boolean
  readonly smithy_format_value?: string
}

const formatters: Record<string, (i: T.Instant) => string> = {
  format_epoch_seconds: T.formatEpochSeconds,
  format_http_date: T.formatHttpDate,
  format_date_time: T.formatDateTime
}
const parsers: Record<string, (s: string) => T.Instant> = {
  parse_epoch_seconds: T.parseEpochSeconds,
  parse_http_date: T.parseHttpDate,
  parse_date_time: T.parseDateTime
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("misc/smithy-rs/date_time_format_test_suite.json")
  const suite = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>
  const tally = new Tally()
  for (const [section, cases] of Object.entries(suite)) {
    const formatter = formatters[section]
    const parser = parsers[section]
    if (!formatter && !parser) continue
    for (const c of cases as ReadonlyArray<Case>) {
      const where = `${section} ${c.iso8601}`
      const instant = { seconds: Number(c.canonical_seconds), nanos: c.canonical_nanos }
      let actual: unknown
      try {
        actual = formatter ? formatter(instant) : parser!(c.smithy_format_value!)
      } catch (e) {
        actual = { error: String(e) }
      }
      const expected = c.error ? "an error" : formatter ? c.smithy_format_value : instant
      const ok = c.error
        ? typeof actual === "object" && actual !== null && "error" in actual
        : formatter
          ? actual === expected
          : typeof actual === "object" &&
            actual !== null &&
            (actual as T.Instant).seconds === instant.seconds &&
            (actual as T.Instant).nanos === instant.nanos
      if (ok) tally.pass(section)
      else tally.fail({ where, expected, actual }, section)
    }
  }
  return tally.result()
}
