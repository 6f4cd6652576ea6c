/**
 * The container endpoint suite (`credentials/smithy-rs-aws-config/ecs-tests.json`): environment
 * variables in, the URL the container provider fetches credentials from (or an error containing a
 * given text) out.
 */
import * as fs from "node:fs"
import * as Either from "effect/Either"
import { resolveEndpoint } from "../../../src/Credentials/Container.js"
import { loadExceptions } from "../CredentialsSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

interface Case {
  readonly docs: string
  readonly env: Readonly<Record<string, string>>
  readonly result: { readonly Ok: string } | { readonly ErrorContains: string }
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("credentials/smithy-rs-aws-config/ecs-tests.json")
  const suite = JSON.parse(fs.readFileSync(file, "utf8")) as { readonly tests: ReadonlyArray<Case> }
  const { skip, wording } = loadExceptions("ecs")
  const tally = new Tally()
  for (const c of suite.tests) {
    if (skip.has(c.docs)) {
      tally.skip()
      continue
    }
    const resolved = resolveEndpoint(c.env)
    const actual = Either.isLeft(resolved) ? { Error: resolved.left.message } : { Ok: resolved.right }
    const ok =
      "Ok" in c.result
        ? "Ok" in actual && actual.Ok === c.result.Ok
        : "Error" in actual && actual.Error.includes(wording.get(c.docs)?.contains ?? c.result.ErrorContains)
    if (ok) tally.pass()
    else tally.fail({ where: c.docs, expected: c.result, actual })
  }
  return tally.result()
}
