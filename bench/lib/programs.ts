/**
 * The one-GetObject programs of `bench/programs/`, built two ways into `bench/.out/`:
 * - `esm`: as installed packages run: every module its own file, packages from node_modules;
 *   our TypeScript transpiled file by file (what `tsc` would emit, minus types);
 * - `bundled`: one minified esbuild bundle per program, packages included (node target, with a
 *   `createRequire` banner: v3's ESM bundle needs one to run), and the browser target's bundles.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { build, esbuildBin } from "./build.js"
import { benchDir } from "./results.js"

export const root = path.join(benchDir, "..")
export const outDir = path.join(benchDir, ".out")

export const programs = [
  { name: "ours", file: "ours.ts" },
  { name: "@aws-sdk/client-s3", file: "v3.ts" },
  { name: "@aws-lite/client", file: "lite.ts" },
  { name: "aws4fetch", file: "aws4fetch.ts" }
] as const

/** Browser bundles: ours over fetch (HttpClientTransport + FetchHttpClient), v3's browser build, aws4fetch. */
export const browserPrograms = [
  { name: "ours", file: "ours-browser.ts" },
  { name: "@aws-sdk/client-s3", file: "v3.ts" },
  { name: "aws4fetch", file: "aws4fetch.ts" }
] as const

const walk = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? walk(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : []
  })

const walkJs = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? walkJs(p) : e.name.endsWith(".js") ? [p] : []
  })

/** Transpiles src/ and bench/programs/ file by file into bench/.out/esm/; returns the programs' paths. */
export const buildEsm = (): Record<string, string> => {
  const out = path.join(outDir, "esm")
  fs.rmSync(out, { recursive: true, force: true })
  const files = [...walk(path.join(root, "src")), ...walk(path.join(benchDir, "programs"))]
  execFileSync(
    esbuildBin,
    [
      ...files,
      `--outdir=${out}`,
      `--outbase=${root}`,
      "--format=esm",
      "--platform=node",
      "--target=node20",
      "--log-level=error"
    ],
    { stdio: ["ignore", "inherit", "inherit"] }
  )
  // `.js` import specifiers already name the emitted files; `#runtime/*` (package.json `imports`)
  // would resolve to dist/ from here, so it names the emitted Node implementation instead
  const runtimeDir = path.join(out, "src", "Runtime")
  for (const file of walkJs(path.join(out, "src"))) {
    const text = fs.readFileSync(file, "utf8")
    if (!text.includes('"#runtime/')) continue
    const rel = path.relative(path.dirname(file), runtimeDir).split(path.sep).join("/") || "."
    const relDir = rel.startsWith(".") ? rel : `./${rel}`
    fs.writeFileSync(file, text.replace(/"#runtime\/([A-Za-z]+)"/g, `"${relDir}/$1.node.js"`))
  }
  return Object.fromEntries(
    programs.map((p) => [p.name, path.join(out, "bench", "programs", p.file.replace(/\.ts$/, ".js"))])
  )
}

/** One minified bundle per program (node target); returns the bundles' paths. */
export const buildBundles = (): Record<string, string> => {
  const out = path.join(outDir, "bundled")
  fs.rmSync(out, { recursive: true, force: true })
  return Object.fromEntries(
    programs.map((p) => {
      const file = path.join(out, p.file.replace(/\.ts$/, ".mjs"))
      build(path.join(benchDir, "programs", p.file), file, { bundlePackages: true, minify: true })
      return [p.name, file]
    })
  )
}

/**
 * Browser bundles (minified). Our SDK signs and checksums with `node:crypto` / `node:zlib`, which
 * a browser does not have: they are left external here (so the size excludes any polyfill).
 */
export const buildBrowserBundles = (): Record<string, string> => {
  const out = path.join(outDir, "browser")
  fs.rmSync(out, { recursive: true, force: true })
  return Object.fromEntries(
    browserPrograms.map((p) => {
      const file = path.join(out, p.file.replace(/\.ts$/, ".mjs"))
      build(path.join(benchDir, "programs", p.file), file, {
        bundlePackages: true,
        minify: true,
        platform: "browser",
        external: p.name === "ours" ? ["node:*"] : []
      })
      return [p.name, file]
    })
  )
}
