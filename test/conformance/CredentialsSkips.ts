/**
 * The credentials runners' checked-in exceptions (`credentials-skips.json`), per runner:
 * - `skip`: case name → why it is not run;
 * - `wording`: case name → `{ contains, reason }`, for an expected error message whose exact
 *   words are another SDK's own (a Rust standard-library formatting, say): the case runs, and our
 *   error must contain `contains` instead, which says the same thing in our words.
 * Every entry needs a non-empty reason; a case is skipped only when it is listed here.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const skipsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "credentials-skips.json")

export interface Wording {
  readonly contains: string
  readonly reason: string
}

export interface RunnerExceptions {
  readonly skip: ReadonlyMap<string, string>
  readonly wording: ReadonlyMap<string, Wording>
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.trim() !== ""

/** The exceptions of one runner; throws when an entry lacks its reason. */
export const loadExceptions = (runner: string): RunnerExceptions => {
  const all = JSON.parse(fs.readFileSync(skipsFile, "utf8")) as Record<string, unknown>
  const entry = (all[runner] ?? {}) as { skip?: Record<string, unknown>; wording?: Record<string, unknown> }
  const skip = new Map<string, string>()
  for (const [name, reason] of Object.entries(entry.skip ?? {})) {
    if (!nonEmpty(reason))
      throw new Error(`${skipsFile}: skip of ${JSON.stringify(name)} under ${runner} has no reason`)
    skip.set(name, reason)
  }
  const wording = new Map<string, Wording>()
  for (const [name, value] of Object.entries(entry.wording ?? {})) {
    const w = value as Partial<Wording>
    if (!nonEmpty(w.contains) || !nonEmpty(w.reason)) {
      throw new Error(
        `${skipsFile}: wording of ${JSON.stringify(name)} under ${runner} needs "contains" and "reason"`
      )
    }
    wording.set(name, { contains: w.contains, reason: w.reason })
  }
  return { skip, wording }
}
