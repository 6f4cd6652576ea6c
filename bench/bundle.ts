/**
 * Bundle size of the one-GetObject program (`bench/programs/`), esbuild `--bundle --minify`, for
 * the node target (ESM with a `createRequire` banner, which v3 needs to run) and the browser
 * target. In the browser, ours uses `HttpClientTransport` over `@effect/platform/FetchHttpClient`
 * instead of the node:http transport; our `node:crypto` / `node:zlib` imports (SigV4, checksums)
 * are left external there, so that figure has no crypto polyfill in it. aws-lite has no browser
 * build. Also prints the gzip sizes and the largest inputs of our bundle.
 *
 * `npm run bench -- bundle`
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { build } from "./lib/build.js"
import { browserPrograms, buildBrowserBundles, buildBundles, outDir, programs } from "./lib/programs.js"
import { benchDir, record, row } from "./lib/results.js"
import { printTable } from "./lib/stats.js"

const kb = (bytes: number) => bytes / 1000
const size = (file: string) => {
  const data = fs.readFileSync(file)
  return { raw: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length }
}

const rows = []
for (const [target, files, list] of [
  ["node", buildBundles(), programs],
  ["browser", buildBrowserBundles(), browserPrograms]
] as const) {
  const sizes = new Map(Object.entries(files).map(([name, file]) => [name, size(file)]))
  const v3 = sizes.get("@aws-sdk/client-s3")!
  console.log(`\n### ${target} target\n`)
  printTable(
    ["client", "minified KB", "gzip KB", "vs v3"],
    list.map((p) => {
      const s = sizes.get(p.name)!
      return [p.name, kb(s.raw).toFixed(1), kb(s.gzip).toFixed(1), `${(s.raw / v3.raw).toFixed(2)}x`]
    })
  )
  const ours = sizes.get("ours")!
  for (const p of list.filter((x) => x.name !== "ours")) {
    rows.push(
      row(
        `bundle, one GetObject, ${target}, minified`,
        "KB",
        kb(ours.raw),
        kb(sizes.get(p.name)!.raw),
        p.name
      )
    )
  }
}

// what our node bundle is made of
const meta = path.join(outDir, "ours.meta.json")
build(path.join(benchDir, "programs", "ours.ts"), path.join(outDir, "ours-meta.mjs"), {
  bundlePackages: true,
  minify: true,
  metafile: meta
})
const outputs = (
  JSON.parse(fs.readFileSync(meta, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>
  }
).outputs
const byGroup = new Map<string, number>()
for (const o of Object.values(outputs)) {
  for (const [file, i] of Object.entries(o.inputs)) {
    const group = file.startsWith("src/")
      ? file
          .split("/")
          .slice(0, file.startsWith("src/Services/") ? 3 : 2)
          .join("/")
      : file.replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, "$1")
    byGroup.set(group, (byGroup.get(group) ?? 0) + i.bytesInOutput)
  }
}
console.log("\nour node bundle by part (minified KB):")
printTable(
  ["part", "KB"],
  [...byGroup.entries()].sort((a, b) => b[1] - a[1]).map(([g, b]) => [g, kb(b).toFixed(1)])
)
console.log("")
record(rows)
