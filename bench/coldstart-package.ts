/**
 * Cold start through the package as a user installs it: `npm pack` of this repository (dist/ as
 * built; run `npm run build` first) installed into a fresh app beside the dev versions of effect
 * and @effect/platform (from npm's cache when it has them), then the time to import `Session` from
 * the root entry and the S3 client's entry and make an S3 client layer, against importing
 * `S3Client` from the installed `@aws-sdk/client-s3` and constructing one. Each is the median of
 * fresh `node` processes, less the median of a bare `node` (measured in the same run).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { benchDir, record, row } from "./lib/results.js"

const repo = path.resolve(benchDir, "..")
// COLDSTART_TARBALL=path measures that tarball instead (an earlier build, for a before/after), no row.
const given = process.env.COLDSTART_TARBALL
if (given === undefined && !fs.existsSync(path.join(repo, "dist", "index.js"))) {
  console.error("dist/ is not built: run `npm run build` first")
  process.exit(1)
}
const runs = Number(process.env.COLDSTART_RUNS ?? 21)
const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"))
const app = fs.mkdtempSync(path.join(os.tmpdir(), "coldstart-package-"))
try {
  const packed = spawnSync("npm", ["pack", "--json", "--pack-destination", app], {
    cwd: repo,
    encoding: "utf8"
  })
  if (packed.status !== 0) throw new Error(packed.stderr)
  const tarball = path.join(app, JSON.parse(packed.stdout)[0].filename)
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "coldstart", private: true, type: "module" })
  )
  const install = spawnSync(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      tarball,
      `effect@${pkg.devDependencies.effect}`,
      `@effect/platform@${pkg.devDependencies["@effect/platform"]}`
    ],
    { cwd: app, encoding: "utf8" }
  )
  if (install.status !== 0) throw new Error(install.stderr)

  const median = (cwd: string, code: string): number => {
    const times: Array<number> = []
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint()
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd, encoding: "utf8" })
      if (r.status !== 0) throw new Error(r.stderr)
      times.push(Number(process.hrtime.bigint() - started) / 1e6)
    }
    times.sort((a, b) => a - b)
    return times[Math.floor(times.length / 2)]!
  }
  const ours = `import { Session } from "effect-aws-sdk"; import * as S3 from "effect-aws-sdk/s3"; S3.layer(); Session.layer()`
  const v3 = `import { S3Client } from "@aws-sdk/client-s3"; new S3Client({ region: "us-east-1" })`
  const bare = median(app, "")
  const oursMs = median(app, ours) - bare
  const v3Ms = median(repo, v3) - bare
  console.log(
    `bare node ${bare.toFixed(0)} ms; over it: ours ${oursMs.toFixed(0)} ms, v3 ${v3Ms.toFixed(0)} ms`
  )
  if (given === undefined)
    record([
      row(
        "cold start over bare node, installed package: import root + s3 entries, make the layers",
        "ms",
        oursMs,
        v3Ms,
        "@aws-sdk/client-s3"
      )
    ])
} finally {
  fs.rmSync(app, { recursive: true, force: true })
}
