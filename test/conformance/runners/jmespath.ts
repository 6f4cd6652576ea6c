/**
 * The JMESPath compliance suite (`misc/jmespath-compliance/*.json`) through `Waiters/Jmespath.search`:
 * each case's expression over its suite's `given`, compared with `result`, or expected to throw
 * when the case names an `error`. Benchmark-only cases (no `result`, no `error`) are skipped.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { search } from "../../../src/Waiters/Jmespath.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

interface Case {
  readonly expression: string
  readonly result?: unknown
  readonly error?: string
}
interface Suite {
  readonly given: unknown
  readonly cases: ReadonlyArray<Case>
}

/** Deep equality of JSON values, key order ignored. */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]))
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return (
      ka.length === kb.length &&
      ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    )
  }
  return false
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const dir = args[0] ?? dataPath("misc/jmespath-compliance")
  const tally = new Tally()
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const suites = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as ReadonlyArray<Suite>
    suites.forEach((suite, s) => {
      for (const c of suite.cases) {
        const where = `${file} #${s} ${c.expression}`
        if (c.error === undefined && !("result" in c)) {
          tally.skip(file)
          continue
        }
        let actual: unknown
        let threw = false
        try {
          actual = search(c.expression, suite.given)
        } catch (e) {
          threw = true
          actual = { error: String(e) }
        }
        const ok = c.error !== undefined ? threw : !threw && same(actual, c.result ?? null)
        if (ok) tally.pass(file)
        else
          tally.fail({ where, expected: c.error !== undefined ? { error: c.error } : c.result, actual }, file)
      }
    })
  }
  return tally.result()
}
