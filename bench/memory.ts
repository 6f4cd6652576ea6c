/**
 * Peak memory: each client in a fresh `node` process of its own (its minified bundle from
 * `bench/programs/`, see `lib/programs.ts`) makes 2,000 GetObject calls of 1 KiB at concurrency
 * 32 against the loopback fixed-response server and reports its peak RSS
 * (`process.resourceUsage().maxRSS`). A bare `node` process's peak RSS is shown for reference.
 * Clients take turns; medians over the rounds.
 *
 * `npm run bench -- memory [--rounds N]`
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { arg } from "./lib/args.js"
import { buildBundles, outDir, programs } from "./lib/programs.js"
import { record, row } from "./lib/results.js"
import { startFixedServer } from "./lib/servers.js"
import { fmt, median, printTable, rotations } from "./lib/stats.js"

const rounds = Number(arg("rounds") ?? 5)
const calls = 2000
const concurrency = 32

const bundled = buildBundles()
const bare = path.join(outDir, "bare-rss.mjs")
fs.writeFileSync(bare, "console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }))\n")

const server = await startFixedServer(1024)
const env: NodeJS.ProcessEnv = {
  ...process.env,
  BENCH_ENDPOINT: server.endpoint,
  BENCH_CALLS: String(calls),
  BENCH_CONCURRENCY: String(concurrency)
}

const peakMiB = (file: string): number => {
  const r = spawnSync(process.execPath, [file], { env, stdio: ["ignore", "pipe", "pipe"] })
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`)
  const line = r.stdout.toString().trim().split("\n").pop()!
  return (JSON.parse(line) as { maxRssKiB: number }).maxRssKiB / 1024
}

const entries: Array<readonly [string, string]> = [["bare node", bare], ...Object.entries(bundled)]
const peaks = new Map<string, Array<number>>(entries.map(([n]) => [n, []]))
try {
  for (let r = 0; r < rounds; r++) {
    for (const [name, file] of rotations(entries, r)) peaks.get(name)!.push(peakMiB(file))
  }
} finally {
  server.stop()
}
const m = new Map([...peaks.entries()].map(([n, xs]) => [n, median(xs)]))
console.log(`\n### peak RSS, ${calls} GetObject calls at concurrency ${concurrency} (${rounds} rounds)\n`)
printTable(
  ["client", "peak RSS MiB", "vs v3"],
  entries.map(([n]) => [n, fmt(m.get(n)!), `${(m.get(n)! / m.get("@aws-sdk/client-s3")!).toFixed(2)}x`])
)
console.log("")
record(
  programs
    .filter((p) => p.name !== "ours")
    .map((p) =>
      row(
        `peak RSS, ${calls} GetObject at concurrency ${concurrency} (own process)`,
        "MiB",
        m.get("ours")!,
        m.get(p.name)!,
        p.name
      )
    )
)
