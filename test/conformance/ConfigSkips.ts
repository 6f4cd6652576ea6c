/**
 * The shared-config runners' skip list (`config-skips.json`): per runner, case name → reason.
 * A case is skipped only when it is listed here; an entry without a reason is rejected.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** Where the checked-in skip list lives. */
export const skipsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "config-skips.json")

/** The listed skips of one runner: case name → reason. */
export const loadSkips = (runner: string): ReadonlyMap<string, string> => {
  const all = JSON.parse(fs.readFileSync(skipsFile, "utf8")) as Record<string, Record<string, unknown>>
  const entries = Object.entries(all[runner] ?? {})
  for (const [name, reason] of entries) {
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new Error(`${skipsFile}: skip of ${JSON.stringify(name)} under ${runner} has no reason`)
    }
  }
  return new Map(entries as Array<[string, string]>)
}
