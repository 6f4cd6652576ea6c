/**
 * esbuild, as the benchmarks use it (the binary in node_modules/.bin): compiling a benchmark or a
 * client program the way a user's build would (no tsx `keepNames` wrappers), and measuring
 * bundles.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchDir } from "./results.js"

export const esbuildBin = path.join(benchDir, "..", "node_modules", ".bin", "esbuild")

/** Lets an ESM bundle for Node `require` what CommonJS dependencies inside it ask for. */
export const requireBanner =
  'import { createRequire as __benchCreateRequire } from "node:module"; const require = __benchCreateRequire(import.meta.url);'

export interface BuildOptions {
  /** Bundle packages too (default: leave them external, loaded from node_modules). */
  readonly bundlePackages?: boolean
  readonly minify?: boolean
  readonly platform?: "node" | "browser"
  readonly metafile?: string
  /** Imports left out of the bundle (`node:*`). */
  readonly external?: ReadonlyArray<string>
}

/** Compiles `entry` (TypeScript) into one ESM file. */
export const build = (entry: string, outfile: string, options: BuildOptions = {}): void => {
  const platform = options.platform ?? "node"
  const args = [
    entry,
    "--bundle",
    // our sources, not dist/, for the `#runtime/*` imports (package.json `imports`)
    "--conditions=effect-aws-sdk/source,module",
    `--outfile=${outfile}`,
    "--format=esm",
    `--platform=${platform}`,
    platform === "node" ? "--target=node20" : "--target=es2022",
    "--log-level=error",
    "--legal-comments=none"
  ]
  if (options.bundlePackages !== true) args.push("--packages=external")
  if (options.minify === true) args.push("--minify")
  if (platform === "node") args.push(`--banner:js=${requireBanner}`)
  if (options.metafile !== undefined) args.push(`--metafile=${options.metafile}`)
  for (const e of options.external ?? []) args.push(`--external:${e}`)
  fs.mkdirSync(path.dirname(outfile), { recursive: true })
  execFileSync(esbuildBin, args, { stdio: ["ignore", "inherit", "inherit"] })
}

/** A benchmark compiled for `node`: our sources bundled in, packages external. */
export const compileForNode = (entry: string, outfile: string): void => build(entry, outfile)
