/**
 * The cross-SDK profile parser suite (`config/smithy-rs/profile-parser-tests.json`): config and
 * credentials file texts in, the merged profiles and SSO sessions (or an error containing a given
 * text) out.
 */
import * as fs from "node:fs"
import { isDeepStrictEqual } from "node:util"
import { Either } from "effect"
import * as ConfigFile from "../../../src/Session/ConfigFile.js"
import type { Section } from "../../../src/Session/ProfileSet.js"
import { loadSkips } from "../ConfigSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

type Flat = Record<string, Record<string, string>>

interface Case {
  readonly name: string
  readonly input: { readonly configFile?: string; readonly credentialsFile?: string }
  readonly output:
    | { readonly config: { readonly profiles: Flat; readonly sso_sessions?: Flat } }
    | { readonly errorContaining: string }
}

const flatten = (sections: ReadonlyMap<string, Section>): Flat =>
  Object.fromEntries([...sections].map(([name, s]) => [name, Object.fromEntries(s.properties)]))

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("config/smithy-rs/profile-parser-tests.json")
  const suite = JSON.parse(fs.readFileSync(file, "utf8")) as { readonly tests: ReadonlyArray<Case> }
  const skips = loadSkips("profile-parser")
  const tally = new Tally()
  for (const c of suite.tests) {
    if (skips.has(c.name)) {
      tally.skip()
      continue
    }
    const parsed = ConfigFile.parse({
      config:
        c.input.configFile === undefined
          ? undefined
          : { path: "~/.aws/config", contents: c.input.configFile },
      credentials:
        c.input.credentialsFile === undefined
          ? undefined
          : { path: "~/.aws/credentials", contents: c.input.credentialsFile }
    })
    const actual = Either.isLeft(parsed)
      ? { error: parsed.left.message }
      : { profiles: flatten(parsed.right.profiles), sso_sessions: flatten(parsed.right.ssoSessions) }
    let ok: boolean
    let expected: unknown
    if ("errorContaining" in c.output) {
      expected = { errorContaining: c.output.errorContaining }
      ok = "error" in actual && actual.error.includes(c.output.errorContaining)
    } else {
      expected = { profiles: c.output.config.profiles, sso_sessions: c.output.config.sso_sessions ?? {} }
      ok = isDeepStrictEqual(actual, expected)
    }
    if (ok) tally.pass()
    else tally.fail({ where: c.name, expected, actual })
  }
  return tally.result()
}
