/**
 * Cold start: a fresh `node` process that imports the S3 client, builds it, signs one GetObject
 * and reads its 1 KiB body from the loopback fixed-response server (in its own process), then
 * exits; minus a bare `node` process running an empty module. The programs are `bench/programs/`,
 * run two ways (see `lib/programs.ts`): as installed ESM (every module its own file, packages from
 * node_modules) and as one minified bundle each. Wall time from spawn to exit; the clients and the
 * bare process take turns, medians over the rounds.
 *
 * `npm run bench -- coldstart [--rounds N]`
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { arg } from "./lib/args.js"
import { buildBundles, buildEsm, outDir, programs } from "./lib/programs.js"
import { record, row } from "./lib/results.js"
import { startFixedServer } from "./lib/servers.js"
import { fmt, median, printTable, rotations } from "./lib/stats.js"

const rounds = Number(arg("rounds") ?? 21)

const esm = buildEsm()
const bundled = buildBundles()
const empty = path.join(outDir, "empty.mjs")
fs.writeFileSync(empty, "")

const server = await startFixedServer(1024)
const env: NodeJS.ProcessEnv = { ...process.env, BENCH_ENDPOINT: server.endpoint }
delete env.BENCH_CALLS

const runOnce = (file: string): number => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [file], { env, stdio: ["ignore", "ignore", "pipe"] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`)
  return ms
}

const rows = []
try {
  for (const [mode, files] of [
    ["installed ESM", esm],
    ["minified bundle", bundled]
  ] as const) {
    const entries: Array<readonly [string, string]> = [["bare node", empty], ...Object.entries(files)]
    const times = new Map<string, Array<number>>(entries.map(([n]) => [n, []]))
    for (const [, f] of entries) runOnce(f) // warm the file system cache
    for (let r = 0; r < rounds; r++) {
      for (const [name, file] of rotations(entries, r)) times.get(name)!.push(runOnce(file))
    }
    const bare = median(times.get("bare node")!)
    const overhead = new Map(programs.map((p) => [p.name, median(times.get(p.name)!) - bare]))
    console.log(`\n### ${mode} (bare node: ${fmt(bare)} ms, ${rounds} rounds)\n`)
    printTable(
      ["client", "total ms", "over bare node ms", "vs v3"],
      programs.map((p) => [
        p.name,
        fmt(median(times.get(p.name)!)),
        fmt(overhead.get(p.name)!),
        `${(overhead.get(p.name)! / overhead.get("@aws-sdk/client-s3")!).toFixed(2)}x`
      ])
    )
    const ours = overhead.get("ours")!
    for (const p of programs.filter((x) => x.name !== "ours")) {
      rows.push(
        row(
          `cold start over bare node (${mode}): import, build, one GetObject`,
          "ms",
          ours,
          overhead.get(p.name)!,
          p.name
        )
      )
    }
  }
} finally {
  server.stop()
}
console.log("")
record(rows)
