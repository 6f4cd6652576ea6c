/**
 * The transfer benchmarks' processes: scripts of `bench/lib` bundled to plain JavaScript (packages
 * left to node_modules, as the peers are installed) so a measured process compiles no TypeScript,
 * and the loopback sink S3 (`s3-sink.ts`) started in a process of its own.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchDir } from "./results.js"

const bundleDir = path.join(benchDir, "..", "node_modules", ".cache", "bench-manager")

/** Bundles `bench/lib/<name>.ts` with esbuild; returns the `.mjs` to run with `node`. */
export const bundle = (name: string): string => {
  fs.mkdirSync(bundleDir, { recursive: true })
  const out = path.join(bundleDir, `${name}.mjs`)
  execFileSync(path.join(benchDir, "..", "node_modules", ".bin", "esbuild"), [
    path.join(benchDir, "lib", `${name}.ts`),
    "--bundle",
    // our sources, not dist/, for the `#runtime/*` imports (package.json `imports`)
    "--conditions=effect-aws-sdk/source,module",
    "--platform=node",
    "--format=esm",
    "--packages=external",
    `--outfile=${out}`,
    "--log-level=error"
  ])
  return out
}

/**
 * Starts the sink serving an object of `objectBytes`, each response paced to `connMiBps` when given
 * (run as plain node, so killing the child ends the server; tsx would leave its own node child
 * running).
 */
export const startSink = (
  objectBytes: number,
  connMiBps?: number
): Promise<{ child: ChildProcess; endpoint: string }> => {
  const sink = bundle("s3-sink")
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [sink], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        BENCH_OBJECT_BYTES: String(objectBytes),
        BENCH_CONN_MIBPS: String(connMiBps ?? 0)
      }
    })
    child.once("message", (m) =>
      resolve({ child, endpoint: `http://127.0.0.1:${(m as { port: number }).port}` })
    )
    child.once("error", reject)
  })
}
