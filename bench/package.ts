/**
 * The published package's size: `npm pack --dry-run` of this repository (dist/ as built; run
 * `npm run build` first) against the installed `aws-sdk` v2 (every service in one package, as
 * ours) and `@aws-sdk/client-s3` (one service, without its dependencies), each the sum of its
 * files' sizes (nested node_modules left out). Budget held by `scripts/pack-check.mjs`.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchDir, record, row } from "./lib/results.js"

const repo = path.resolve(benchDir, "..")
if (!fs.existsSync(path.join(repo, "dist", "index.js"))) {
  console.error("dist/ is not built: run `npm run build` first")
  process.exit(1)
}
const packed = spawnSync("npm", ["pack", "--dry-run", "--json"], {
  cwd: repo,
  encoding: "utf8",
  maxBuffer: 1 << 26
})
if (packed.status !== 0) throw new Error(packed.stderr)
const ours = (JSON.parse(packed.stdout) as Array<{ unpackedSize: number; entryCount: number }>)[0]!

const installed = (name: string): { bytes: number; files: number } => {
  let bytes = 0
  let files = 0
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile()) {
        bytes += fs.statSync(full).size
        files += 1
      }
    }
  }
  walk(path.join(repo, "node_modules", name))
  return { bytes, files }
}

const MB = 1e6
const rows = []
for (const peer of ["aws-sdk", "@aws-sdk/client-s3"]) {
  const size = installed(peer)
  console.log(`${peer}: ${(size.bytes / MB).toFixed(2)} MB in ${size.files} files`)
  rows.push(row("package size, unpacked", "MB", ours.unpackedSize / MB, size.bytes / MB, peer))
  rows.push(row("package size, files", "files", ours.entryCount, size.files, peer))
}
console.log(`ours: ${(ours.unpackedSize / MB).toFixed(2)} MB in ${ours.entryCount} files`)
record(rows)
