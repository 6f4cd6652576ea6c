/**
 * Transfer manager benchmark (`npm run bench -- manager`): against a loopback sink S3 that stores
 * nothing (bench/lib/s3-sink.ts, its own process), in fresh processes per run (so peak RSS is the
 * transfer's; the worker bundled to plain JavaScript as the peers are), alternating ours and the
 * peer in the same run:
 * - a 256 MiB upload from a Node stream: `S3Manager.upload` vs `@aws-sdk/lib-storage` `Upload`,
 *   same part size (8 MiB) and concurrency (4); MB/s and peak RSS;
 * - a 256 MiB download: `S3Manager.download` (8 MiB ranged GETs, 4 at a time, and one at a time)
 *   vs one GetObject stream of `@aws-sdk/client-s3` (and one of ours); MB/s.
 * Each transfer also reports its process's CPU time (user + system) over the transfer.
 * Prints medians and ratios and merges rows into bench/results.json. `BENCH_ROUNDS` sets the
 * number of rounds (default 5), `BENCH_MIB` the object size (default 256).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchDir, record, row } from "./lib/results.js"
import { median } from "./lib/stats.js"

const MiB = 1024 * 1024
const size = Number(process.env.BENCH_MIB ?? 256) * MiB
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const partSize = 8 * MiB
const concurrency = 4

// The worker runs as plain JavaScript (bundled with esbuild, packages left to node_modules), as the
// peers do: under tsx our TypeScript sources would be compiled in the measured process (about
// 80 MB more RSS) while the peers' packages are already JavaScript.
const bundleDir = path.join(benchDir, "..", "node_modules", ".cache", "bench-manager")
fs.mkdirSync(bundleDir, { recursive: true })
const bundle = (name: string): string => {
  const out = path.join(bundleDir, `${name}.mjs`)
  execFileSync(path.join(benchDir, "..", "node_modules", ".bin", "esbuild"), [
    path.join(benchDir, "lib", `${name}.ts`),
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--packages=external",
    `--outfile=${out}`,
    "--log-level=error"
  ])
  return out
}
const worker = bundle("manager-worker")
// the sink too runs as plain node, so killing the child ends the server (tsx would leave its own
// node child running)
const sink = bundle("s3-sink")

const startSink = (): Promise<{ child: ChildProcess; endpoint: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [sink], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, BENCH_OBJECT_BYTES: String(size) }
    })
    child.once("message", (m) =>
      resolve({ child, endpoint: `http://127.0.0.1:${(m as { port: number }).port}` })
    )
    child.once("error", reject)
  })

interface Result {
  readonly which: string
  readonly ms: number
  readonly cpuMs: number
  readonly moved: number
  readonly peakRss: number
  readonly rssBefore: number
}

const runOne = (name: string, endpoint: string): Result => {
  // `ours-download-1`: the manager's download with one ranged GET at a time
  const [which, parts] = name === "ours-download-1" ? ["ours-download", 1] : [name, concurrency]
  const out = spawnSync(
    process.execPath,
    [worker, which, endpoint, String(size), String(partSize), String(parts)],
    { encoding: "utf8" }
  )
  if (out.status !== 0) throw new Error(`${which} failed: ${out.stderr}`)
  const line = out.stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as Result
}

const mbps = (r: Result) => r.moved / MiB / (r.ms / 1000)
const mib = (bytes: number) => bytes / MiB

const { child, endpoint } = await startSink()
try {
  const results = new Map<string, Array<Result>>()
  const cases = [
    "ours-upload",
    "lib-storage-upload",
    "ours-download",
    "v3-get-stream",
    "ours-get-stream",
    "ours-download-1"
  ]
  for (const c of cases) runOne(c, endpoint) // warm-up: disk caches, the sink's first connections
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse()
    for (const c of order) {
      const r = runOne(c, endpoint)
      const list = results.get(c) ?? []
      list.push(r)
      results.set(c, list)
      console.log(
        `${c.padEnd(20)} ${mbps(r).toFixed(0).padStart(5)} MiB/s  CPU ${r.cpuMs.toFixed(0).padStart(5)} ms  peak RSS ${mib(r.peakRss).toFixed(0).padStart(4)} MiB (before transfer ${mib(r.rssBefore).toFixed(0)} MiB)`
      )
    }
  }
  const med = (c: string, f: (r: Result) => number) => median((results.get(c) ?? []).map(f))
  const upOurs = med("ours-upload", mbps)
  const upPeer = med("lib-storage-upload", mbps)
  const rssOurs = med("ours-upload", (r) => mib(r.peakRss))
  const rssPeer = med("lib-storage-upload", (r) => mib(r.peakRss))
  const growthOurs = med("ours-upload", (r) => mib(r.peakRss - r.rssBefore))
  const growthPeer = med("lib-storage-upload", (r) => mib(r.peakRss - r.rssBefore))
  const downOurs = med("ours-download", mbps)
  const downPeer = med("v3-get-stream", mbps)
  const downSingleOurs = med("ours-get-stream", mbps)
  const downSequential = med("ours-download-1", mbps)
  const cpu = (c: string) => med(c, (r) => r.cpuMs)
  console.log(
    `\nmedians of ${rounds} rounds, ${size / MiB} MiB, parts of ${partSize / MiB} MiB, concurrency ${concurrency}:`
  )
  console.log(
    `upload   ours ${upOurs.toFixed(0)} MiB/s, lib-storage ${upPeer.toFixed(0)} MiB/s: ${(upOurs / upPeer).toFixed(2)}x`
  )
  console.log(
    `upload client CPU per transfer: ours ${cpu("ours-upload").toFixed(0)} ms, lib-storage ${cpu("lib-storage-upload").toFixed(0)} ms: ${(cpu("ours-upload") / cpu("lib-storage-upload")).toFixed(2)}x`
  )
  console.log(
    `peak RSS ours ${rssOurs.toFixed(0)} MiB, lib-storage ${rssPeer.toFixed(0)} MiB: ${(rssOurs / rssPeer).toFixed(2)}x`
  )
  console.log(
    `RSS growth during the upload: ours ${growthOurs.toFixed(0)} MiB, lib-storage ${growthPeer.toFixed(0)} MiB`
  )
  console.log(
    `download ours ${downOurs.toFixed(0)} MiB/s, one v3 GetObject stream ${downPeer.toFixed(0)} MiB/s: ${(downOurs / downPeer).toFixed(2)}x (one GetObject stream of ours: ${downSingleOurs.toFixed(0)} MiB/s; the manager one GET at a time: ${downSequential.toFixed(0)} MiB/s)`
  )
  console.log(
    `download client CPU per transfer: ours 4 at a time ${cpu("ours-download").toFixed(0)} ms, one at a time ${cpu("ours-download-1").toFixed(0)} ms, one stream of ours ${cpu("ours-get-stream").toFixed(0)} ms; one v3 stream ${cpu("v3-get-stream").toFixed(0)} ms\n`
  )
  const v3Stream = "@aws-sdk/client-s3 GetObject stream"
  record([
    row("manager: 256 MiB upload from a stream (8 MiB x 4)", "MiB/s", upOurs, upPeer, "@aws-sdk/lib-storage"),
    row("manager: 256 MiB upload, peak RSS", "MiB", rssOurs, rssPeer, "@aws-sdk/lib-storage"),
    row("manager: 256 MiB upload, RSS growth", "MiB", growthOurs, growthPeer, "@aws-sdk/lib-storage"),
    row(
      "manager: 256 MiB upload, client CPU per transfer",
      "ms",
      cpu("ours-upload"),
      cpu("lib-storage-upload"),
      "@aws-sdk/lib-storage"
    ),
    row("manager: 256 MiB download (8 MiB x 4 ranged GETs)", "MiB/s", downOurs, downPeer, v3Stream),
    row(
      "manager: 256 MiB download (8 MiB x 4), client CPU per transfer",
      "ms",
      cpu("ours-download"),
      cpu("v3-get-stream"),
      v3Stream
    ),
    row(
      "manager: 256 MiB download (8 MiB ranged GETs, one at a time)",
      "MiB/s",
      downSequential,
      downPeer,
      v3Stream
    ),
    row(
      "manager: 256 MiB download, one GetObject stream of ours",
      "MiB/s",
      downSingleOurs,
      downPeer,
      v3Stream
    )
  ])
} finally {
  child.kill()
}
