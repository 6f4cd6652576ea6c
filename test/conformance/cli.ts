/**
 * `npm run conformance -- <runner> ARGS...`: runs one conformance runner over official data and
 * prints each failing case and, last, `N passed, N failed, N skipped`; exits non-zero on failure.
 *
 * Runners live in `runners/<name>.ts` and export `run(args: string[]): Promise<RunResult>`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { printResult, type RunResult } from "./Report.js"

const runnersDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "runners")
const available = fs
  .readdirSync(runnersDir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .sort()

const [name, ...args] = process.argv.slice(2)
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run conformance -- <runner> ARGS...\nrunners: ${available.join(", ")}`)
  process.exit(2)
}
const runner = (await import(`./runners/${name}.ts`)) as {
  run: (args: ReadonlyArray<string>) => Promise<RunResult>
}
const result = await runner.run(args)
printResult(result)
process.exit(result.failed > 0 ? 1 : 0)
