/**
 * Shared by every conformance runner: counting results, printing failures, locating the data.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The official conformance data, vendored into the repository (`data/`, refreshed by
 * `scripts/vendor-conformance.sh`, with its licences): a clone runs every suite.
 */
export const conformanceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "data")

/** A path inside the conformance data; a suite whose data is missing fails, it is never skipped. */
export const dataPath = (relative: string): string => {
  const full = path.join(conformanceRoot, relative)
  if (!fs.existsSync(full)) {
    throw new Error(`conformance data missing: ${full} (run scripts/vendor-conformance.sh)`)
  }
  return full
}

export interface CaseFailure {
  /** The suite (file, description) and case (id or description). */
  readonly where: string
  readonly expected: unknown
  readonly actual: unknown
  readonly note?: string
}

export interface RunResult {
  readonly passed: number
  readonly failed: number
  readonly skipped: number
  readonly failures: ReadonlyArray<CaseFailure>
  /** Per group (e.g. protocol) counts, for closing notes. */
  readonly groups?: Readonly<Record<string, { passed: number; failed: number; skipped: number }>>
}

/** Accumulates results. */
export class Tally {
  passed = 0
  failed = 0
  skipped = 0
  readonly failures: Array<CaseFailure> = []
  readonly groups: Record<string, { passed: number; failed: number; skipped: number }> = {}

  private group(name: string | undefined) {
    if (name === undefined) return undefined
    const existing = this.groups[name]
    if (existing) return existing
    const created = { passed: 0, failed: 0, skipped: 0 }
    this.groups[name] = created
    return created
  }

  pass(group?: string): void {
    this.passed++
    const g = this.group(group)
    if (g) g.passed++
  }

  skip(group?: string): void {
    this.skipped++
    const g = this.group(group)
    if (g) g.skipped++
  }

  fail(failure: CaseFailure, group?: string): void {
    this.failed++
    this.failures.push(failure)
    const g = this.group(group)
    if (g) g.failed++
  }

  result(): RunResult {
    return {
      passed: this.passed,
      failed: this.failed,
      skipped: this.skipped,
      failures: this.failures,
      groups: this.groups
    }
  }
}

const show = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v)
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x))
  } catch {
    return String(v)
  }
}

/** Prints each failure, the per-group counts, and as last line `N passed, N failed, N skipped`. */
export const printResult = (result: RunResult, out: (line: string) => void = console.log): void => {
  for (const f of result.failures) {
    out(`FAIL ${f.where}${f.note ? ` (${f.note})` : ""}`)
    out(`  expected: ${show(f.expected)}`)
    out(`  actual:   ${show(f.actual)}`)
  }
  if (result.groups) {
    for (const [name, g] of Object.entries(result.groups)) {
      out(`  ${name}: ${g.passed} passed, ${g.failed} failed, ${g.skipped} skipped`)
    }
  }
  out(`${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`)
}
