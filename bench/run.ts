/**
 * `npm run bench` runs every benchmark (`bench/<name>.ts`, each in its own `node` process, one
 * after the other); `npm run bench -- NAME [NAME...]` runs the named ones.
 *
 * Each benchmark is first compiled with esbuild into `bench/.<name>.bench.mjs` (beside its source,
 * so paths relative to `import.meta.url` still hold): our TypeScript bundled in, packages left
 * external (loaded from node_modules as an installed program would). Not run through `tsx`: tsx
 * compiles with esbuild's `keepNames`, which wraps every function our code creates in a
 * `__name(...)` call (about 10% of our CPU per request in a profile) that no user's build has.
 * A benchmark records its rows
 * with `record` from `bench/lib/results.ts`, which merges them into `bench/results.json`; at the end
 * the runner prints the Markdown table of the rows this run produced and writes it to
 * `bench/results.md`. Not part of the tests: nothing here passes or fails on a timing.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { compileForNode } from "./lib/build.js"
import { benchDir, markdownTable, type Row } from "./lib/results.js"

const runner = "run"
const available = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("."))
  .map((f) => f.slice(0, -3))
  .filter((n) => n !== runner)
  .sort()

// `npm run bench -- NAME --flag value`: names first, then flags passed on to the benchmark(s)
const args = process.argv.slice(2)
const firstFlag = args.findIndex((a) => a.startsWith("-"))
const requested = firstFlag < 0 ? args : args.slice(0, firstFlag)
const passThrough = firstFlag < 0 ? [] : args.slice(firstFlag)
const unknown = requested.filter((n) => !available.includes(n))
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${available.join(", ")}`)
  process.exit(2)
}
const names = requested.length > 0 ? requested : available

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-run-"))
const rowsFile = path.join(tmp, "rows.jsonl")
fs.writeFileSync(rowsFile, "")
const failed: Array<string> = []
for (const name of names) {
  console.log(`\n## ${name}\n`)
  const started = Date.now()
  const compiled = path.join(benchDir, `.${name}.bench.mjs`)
  let status: number | string | null
  try {
    compileForNode(path.join(benchDir, `${name}.ts`), compiled)
    // --no-warnings: v3's "NodeVersionSupportWarning" would otherwise fill the tables' output
    const result = spawnSync(process.execPath, ["--no-warnings", compiled, ...passThrough], {
      stdio: "inherit",
      env: { ...process.env, BENCH_ROWS_FILE: rowsFile, BENCH_DIR: benchDir }
    })
    status = result.status ?? result.signal
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e))
    status = "compile"
  } finally {
    fs.rmSync(compiled, { force: true })
  }
  if (status !== 0) failed.push(`${name} (exit ${status})`)
  console.log(`\n(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`)
}

const rows: Array<Row> = fs
  .readFileSync(rowsFile, "utf8")
  .split("\n")
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l) as Row)
fs.rmSync(tmp, { recursive: true, force: true })

const table = markdownTable(rows)
console.log(`\n## Results (${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cpus)\n`)
console.log(table)
fs.writeFileSync(
  path.join(benchDir, "results.md"),
  `Results of \`npm run bench${requested.length > 0 ? ` -- ${requested.join(" ")}` : ""}\` ` +
    `(${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cpus; ratio = ours / peer)\n\n${table}\n`
)
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(", ")}`)
  process.exit(1)
}
