/**
 * `npx tsx bench/bundle/measure.ts`: bundles the one-GetObject program with esbuild
 * (`--bundle --minify --platform=node`), once as written and once keeping every S3 export, and
 * prints the sizes; also checks that no other service is in the bundle.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const esbuild = path.join(here, "..", "..", "node_modules", ".bin", "esbuild")
const out = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"))
for (const entry of ["getObject.ts", "getObjectAllOperations.ts"]) {
  const file = path.join(out, entry.replace(/\.ts$/, ".js"))
  const meta = path.join(out, `${entry}.meta.json`)
  execFileSync(esbuild, [
    path.join(here, entry),
    "--bundle",
    // our sources, not dist/, for the `#runtime/*` imports (package.json `imports`)
    "--conditions=effect-aws-sdk/source,module",
    "--minify",
    "--platform=node",
    "--format=esm",
    `--metafile=${meta}`,
    `--outfile=${file}`,
    "--log-level=error"
  ])
  const outputs = (
    JSON.parse(fs.readFileSync(meta, "utf8")) as {
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>
    }
  ).outputs
  // the files that left code in the bundle
  const inputs = Object.values(outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([name]) => name)
  )
  const services = [...new Set(inputs.filter((i) => i.includes("src/Services/")).map((i) => i.split("/")[2]))]
  const jmespath = inputs.some((i) => i.includes("jmespath"))
  console.log(
    `${entry}: ${fs.statSync(file).size} bytes (services: ${services.join(", ")}; jmespath: ${jmespath ? "yes" : "no"})`
  )
}
fs.rmSync(out, { recursive: true, force: true })
