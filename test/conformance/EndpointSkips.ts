/**
 * The checked-in skip list of the endpoint runners (`endpoint-skips.json`): each entry names a
 * suite, a group and a case (its `documentation`) and says why it is skipped.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export interface EndpointSkip {
  /** `s3`, `sts`, `dynamodb` (the rule set's folder) or a rules-engine file name (`parse-url`). */
  readonly suite: string
  /** `params`, `operationInputs` or `rules-engine`. */
  readonly group: string
  /** The case's `documentation`. */
  readonly case: string
  /** For `operationInputs`: the operation (documentation texts repeat across cases). */
  readonly operation?: string
  readonly reason: string
}

export const skipsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "endpoint-skips.json")

export const loadSkips = (): ReadonlyArray<EndpointSkip> => {
  const doc = JSON.parse(fs.readFileSync(skipsFile, "utf8")) as { skips?: ReadonlyArray<EndpointSkip> }
  const skips = doc.skips ?? []
  for (const s of skips) {
    if (!s.suite || !s.group || !s.case || !s.reason || s.reason.trim() === "") {
      throw new Error(
        `endpoint-skips.json: every entry needs suite, group, case and a reason: ${JSON.stringify(s)}`
      )
    }
  }
  return skips
}

/** The skip entry for a case, if any. */
export const findSkip = (
  skips: ReadonlyArray<EndpointSkip>,
  at: {
    readonly suite: string
    readonly group: string
    readonly documentation: string
    readonly operation?: string
  }
): EndpointSkip | undefined =>
  skips.find(
    (s) =>
      s.suite === at.suite &&
      s.group === at.group &&
      s.case === at.documentation &&
      (s.operation === undefined || s.operation === at.operation)
  )

/** Deep equality of JSON-like values (key order ignored). */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
  }
  const ka = Object.keys(a as object)
  const kb = Object.keys(b as object)
  if (ka.length !== kb.length) return false
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  )
}
