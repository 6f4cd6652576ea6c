/**
 * The one checked-in list of protocol cases this SDK skips, each with its reason:
 * `test/conformance/protocol-skips.json`, `{ "<file relative to the conformance root>":
 * { "<case id, case description or suite description>": "reason" } }`. Legacy cases have neither
 * id nor description of their own: `<suite description> #<n>` names the n-th case (from 1) of a
 * suite, the suite description all of them. The key `*` skips a whole file. Entries that match no
 * case are reported (a stale skip hides nothing and must go).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The skip list's location. */
export const skipsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "protocol-skips.json")

type SkipList = Readonly<Record<string, Readonly<Record<string, string>>>>

/** Tracks which entries of the skip list were used. */
export class Skips {
  private readonly used = new Set<string>()

  constructor(private readonly list: SkipList = JSON.parse(fs.readFileSync(skipsPath, "utf8")) as SkipList) {}

  /** The reason a case is skipped, if it is; `keys` are its id, its description, its suite's description. */
  reasonFor(file: string, keys: ReadonlyArray<string | undefined>): string | undefined {
    const entries = this.list[file]
    if (entries === undefined) return undefined
    for (const key of ["*", ...keys]) {
      if (key === undefined) continue
      const reason = entries[key]
      if (reason !== undefined) {
        this.used.add(JSON.stringify([file, key]))
        return reason
      }
    }
    return undefined
  }

  /** Entries that matched no case among the files run (only files that were run are checked). */
  unused(filesRun: ReadonlyArray<string>): Array<string> {
    return Object.entries(this.list).flatMap(([file, entries]) =>
      filesRun.includes(file)
        ? Object.keys(entries)
            .filter((key) => !this.used.has(JSON.stringify([file, key])))
            .map((key) => `${file}: ${key}`)
        : []
    )
  }
}
