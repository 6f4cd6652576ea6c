/**
 * Transfer manager benchmark (`npm run bench -- manager`): against a loopback sink S3 that stores
 * nothing (bench/lib/s3-sink.ts, its own process), in fresh processes per run (so peak RSS is the
 * transfer's; the worker bundled to plain JavaScript as the peers are), alternating ours and the
 * peer in the same run:
 * - a 256 MiB upload from a Node stream: `S3Manager.upload` vs `@aws-sdk/lib-storage` `Upload`,
 *   same part size (8 MiB) and concurrency (4), both given the same `Readable`; MB/s and peak RSS;
 *   and ours from the same `Readable` made an Effect `Stream` (`Stream.fromAsyncIterable`);
 * - a 256 MiB download: `S3Manager.download` (8 MiB parts, up to 4 at a time: adaptive, as by
 *   default, and 4 at a time from the start, `adaptive: false`) vs one GetObject stream of
 *   `@aws-sdk/client-s3` (and one of ours); MB/s;
 * - a 256 MiB download to a file: `S3Manager.downloadFile` (8 MiB x 4, positioned writes) vs v3's
 *   GetObject stream piped into `fs.createWriteStream`; MB/s;
 * - the two downloads again, of 64 MiB, from a second sink that paces every response to 64 MiB/s
 *   (a link where each connection has its own limit, as S3's have: what concurrency is for).
 * Each transfer also reports its process's CPU time (user + system) over the transfer.
 * Prints medians and ratios and merges rows into bench/results.json. `BENCH_ROUNDS` sets the
 * number of rounds (default 5), `BENCH_MIB` the object size (default 256).
 */
import { spawnSync } from "node:child_process"
import { record, row } from "./lib/results.js"
import { bundle, startSink } from "./lib/sink-process.js"
import { median } from "./lib/stats.js"

const MiB = 1024 * 1024
const size = Number(process.env.BENCH_MIB ?? 256) * MiB
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const partSize = 8 * MiB
const concurrency = 4

// The worker runs as plain JavaScript (bundled with esbuild, packages left to node_modules), as the
// peers do: under tsx our TypeScript sources would be compiled in the measured process (about
// 80 MB more RSS) while the peers' packages are already JavaScript.
const worker = bundle("manager-worker")

interface Result {
  readonly which: string
  readonly ms: number
  readonly cpuMs: number
  readonly moved: number
  readonly peakRss: number
  readonly rssBefore: number
}

/** The paced sink's object, and the rate of each of its responses. */
const pacedSize = 64 * MiB
const pacedMiBps = 64

const runOne = (name: string, endpoints: { readonly plain: string; readonly paced: string }): Result => {
  // `paced-*`: against the paced sink
  const paced = name.startsWith("paced-")
  const which = paced ? name.slice("paced-".length) : name
  const out = spawnSync(
    process.execPath,
    [
      worker,
      which,
      paced ? endpoints.paced : endpoints.plain,
      String(paced ? pacedSize : size),
      String(partSize),
      String(concurrency)
    ],
    { encoding: "utf8" }
  )
  if (out.status !== 0) throw new Error(`${which} failed: ${out.stderr}`)
  const line = out.stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as Result
}

const mbps = (r: Result) => r.moved / MiB / (r.ms / 1000)
const mib = (bytes: number) => bytes / MiB

const sinks = [await startSink(size), await startSink(pacedSize, pacedMiBps)]
const endpoints = { plain: sinks[0]!.endpoint, paced: sinks[1]!.endpoint }
try {
  const results = new Map<string, Array<Result>>()
  const cases = [
    "ours-upload",
    "ours-upload-stream",
    "lib-storage-upload",
    "ours-download",
    "v3-get-stream",
    "ours-get-stream",
    "ours-download-fixed",
    "ours-download-file",
    "v3-get-file",
    "paced-ours-download",
    "paced-v3-get-stream",
    "paced-ours-download-file",
    "paced-v3-get-file"
  ]
  for (const c of cases) runOne(c, endpoints) // warm-up: disk caches, the sinks' first connections
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse()
    for (const c of order) {
      const r = runOne(c, endpoints)
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
  const downFixed = med("ours-download-fixed", mbps)
  const fileOurs = med("ours-download-file", mbps)
  const filePeer = med("v3-get-file", mbps)
  const pacedOurs = med("paced-ours-download", mbps)
  const pacedPeer = med("paced-v3-get-stream", mbps)
  const pacedFileOurs = med("paced-ours-download-file", mbps)
  const pacedFilePeer = med("paced-v3-get-file", mbps)
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
  const upStream = med("ours-upload-stream", mbps)
  const rssStream = med("ours-upload-stream", (r) => mib(r.peakRss))
  console.log(
    `upload from the Readable made an Effect Stream: ${upStream.toFixed(0)} MiB/s (${(upStream / upPeer).toFixed(2)}x), peak RSS ${rssStream.toFixed(0)} MiB (${(rssStream / rssPeer).toFixed(2)}x), client CPU ${cpu("ours-upload-stream").toFixed(0)} ms`
  )
  console.log(
    `download ours ${downOurs.toFixed(0)} MiB/s, one v3 GetObject stream ${downPeer.toFixed(0)} MiB/s: ${(downOurs / downPeer).toFixed(2)}x (one GetObject stream of ours: ${downSingleOurs.toFixed(0)} MiB/s; the manager 4 at a time from the start, adaptive: false: ${downFixed.toFixed(0)} MiB/s, ${(downFixed / downPeer).toFixed(2)}x)`
  )
  console.log(
    `download to a file: ours ${fileOurs.toFixed(0)} MiB/s, one v3 GetObject stream piped to a file ${filePeer.toFixed(0)} MiB/s: ${(fileOurs / filePeer).toFixed(2)}x (client CPU ${cpu("ours-download-file").toFixed(0)} / ${cpu("v3-get-file").toFixed(0)} ms)`
  )
  console.log(
    `paced sink (${pacedMiBps} MiB/s a connection), ${pacedSize / MiB} MiB: download ${pacedOurs.toFixed(0)} MiB/s against one v3 stream's ${pacedPeer.toFixed(0)} (${(pacedOurs / pacedPeer).toFixed(2)}x); to a file ${pacedFileOurs.toFixed(0)} against ${pacedFilePeer.toFixed(0)} (${(pacedFileOurs / pacedFilePeer).toFixed(2)}x)`
  )
  console.log(
    `download client CPU per transfer: ours ${cpu("ours-download").toFixed(0)} ms, 4 at a time from the start ${cpu("ours-download-fixed").toFixed(0)} ms, one stream of ours ${cpu("ours-get-stream").toFixed(0)} ms; one v3 stream ${cpu("v3-get-stream").toFixed(0)} ms\n`
  )
  const v3Stream = "@aws-sdk/client-s3 GetObject stream"
  record([
    row("manager: 256 MiB upload from a stream (8 MiB x 4)", "MiB/s", upOurs, upPeer, "@aws-sdk/lib-storage"),
    row("manager: 256 MiB upload, peak RSS", "MiB", rssOurs, rssPeer, "@aws-sdk/lib-storage"),
    row(
      "manager: 256 MiB upload from the stream made an Effect Stream",
      "MiB/s",
      upStream,
      upPeer,
      "@aws-sdk/lib-storage"
    ),
    row(
      "manager: 256 MiB upload from the stream made an Effect Stream, peak RSS",
      "MiB",
      rssStream,
      rssPeer,
      "@aws-sdk/lib-storage"
    ),
    row("manager: 256 MiB upload, RSS growth", "MiB", growthOurs, growthPeer, "@aws-sdk/lib-storage"),
    row(
      "manager: 256 MiB upload, client CPU per transfer",
      "ms",
      cpu("ours-upload"),
      cpu("lib-storage-upload"),
      "@aws-sdk/lib-storage"
    ),
    row(
      "manager: 256 MiB download (8 MiB parts, up to 4 at a time, adaptive)",
      "MiB/s",
      downOurs,
      downPeer,
      v3Stream
    ),
    row(
      "manager: 256 MiB download (8 MiB parts, adaptive), client CPU per transfer",
      "ms",
      cpu("ours-download"),
      cpu("v3-get-stream"),
      v3Stream
    ),
    row(
      "manager: 256 MiB download (8 MiB x 4 from the start, adaptive: false)",
      "MiB/s",
      downFixed,
      downPeer,
      v3Stream
    ),
    row(
      "manager: 256 MiB download to a file (8 MiB x 4)",
      "MiB/s",
      fileOurs,
      filePeer,
      "@aws-sdk/client-s3 GetObject stream piped to a file"
    ),
    row(
      `manager: 64 MiB download (8 MiB x 4), sink paced to ${pacedMiBps} MiB/s a connection`,
      "MiB/s",
      pacedOurs,
      pacedPeer,
      v3Stream
    ),
    row(
      `manager: 64 MiB download to a file (8 MiB x 4), sink paced to ${pacedMiBps} MiB/s a connection`,
      "MiB/s",
      pacedFileOurs,
      pacedFilePeer,
      "@aws-sdk/client-s3 GetObject stream piped to a file"
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
  for (const sink of sinks) sink.child.kill()
}
