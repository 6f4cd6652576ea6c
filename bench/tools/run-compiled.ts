/**
 * Compiles a bench TypeScript file as `npm run bench` does (esbuild, packages external, no tsx
 * keepNames) and runs it with `node`, passing extra node flags from NODE_FLAGS (e.g.
 * `NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`).
 * The compiled file is kept when profiling (`--cpu-prof`, `--heap-prof`) or with KEEP_COMPILED set.
 * `npx tsx bench/tools/run-compiled.ts bench/tools/pipeline.ts [args...]`
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { build } from "../lib/build.js"

const entry = path.resolve(process.argv[2]!)
const out = path.join(path.dirname(entry), `.${path.basename(entry, ".ts")}.bench.mjs`)
build(entry, out)
const flags = (process.env.NODE_FLAGS ?? "").split(" ").filter((f) => f.length > 0)
try {
  const r = spawnSync(process.execPath, [...flags, out, ...process.argv.slice(3)], { stdio: "inherit" })
  process.exitCode = r.status ?? 1
} finally {
  // a profile names lines of the compiled file: keep it while profiling
  if (
    process.env.KEEP_COMPILED === undefined &&
    !flags.some((f) => f.startsWith("--cpu-prof") || f.startsWith("--heap-prof"))
  )
    fs.rmSync(out, { force: true })
}
