/**
 * What `node:http` alone reaches on this machine for the manager benchmark's download (256 MiB from
 * the loopback sink, 8 MiB parts, 4 at a time): one stream, ranged GETs without order, in order
 * with the parts ahead held in memory (as `S3Manager.download` does), and in order with the parts
 * ahead paused; each in a fresh process, with a small heap and with a 20 MiB live heap (the heap of
 * a process that has an SDK loaded). Prints medians in MiB/s and CPU ms, and each against one
 * stream with the same heap. No SDK is involved: it is the floor under any client's ordered
 * download here.
 * `npx tsx bench/tools/download-floor.ts [rounds]`
 */
import { spawnSync } from "node:child_process"
import { bundle, startSink } from "../lib/sink-process.js"
import { median } from "../lib/stats.js"

const MiB = 1024 * 1024
const size = 256 * MiB
const rounds = Number(process.argv[2] ?? 7)
const worker = bundle("download-floor-worker")
const modes = ["single", "unordered", "ordered", "paused"]
const heaps = [0, 20]

const { child, endpoint } = await startSink(size)
try {
  const results = new Map<string, Array<{ ms: number; cpuMs: number }>>()
  for (let round = 0; round < rounds; round++) {
    for (const heap of heaps) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        const out = spawnSync(
          process.execPath,
          [worker, endpoint, String(size), String(8 * MiB), "4", mode, String(heap)],
          { encoding: "utf8" }
        )
        if (out.status !== 0) throw new Error(`${mode} failed: ${out.stderr}`)
        const r = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "") as { ms: number; cpuMs: number }
        const key = `${mode} ${heap}`
        results.set(key, [...(results.get(key) ?? []), r])
      }
    }
  }
  const mibps = (key: string) => median((results.get(key) ?? []).map((r) => size / MiB / (r.ms / 1000)))
  console.log(`medians of ${rounds} rounds, 256 MiB, 8 MiB parts, 4 at a time, node:http alone:\n`)
  console.log("| mode | live heap | MiB/s | CPU ms | vs one stream, same heap |")
  console.log("|---|--:|--:|--:|--:|")
  for (const heap of heaps) {
    for (const mode of modes) {
      const key = `${mode} ${heap}`
      const cpu = median((results.get(key) ?? []).map((r) => r.cpuMs))
      console.log(
        `| ${mode} | ${heap === 0 ? "small" : `${heap} MiB`} | ${mibps(key).toFixed(0)} | ${cpu.toFixed(0)} | ${(mibps(key) / mibps(`single ${heap}`)).toFixed(2)}x |`
      )
    }
  }
} finally {
  child.kill()
}
