/**
 * One download of `bench/tools/download-floor.ts`, with `node:http` alone (no SDK), in a process of
 * its own: `node download-floor-worker.mjs <endpoint> <bytes> <partSize> <concurrency> <mode> <heapMiB>`.
 * Modes:
 * - `single`: one GET of the whole object;
 * - `unordered`: ranged GETs, `concurrency` at a time, bytes dropped as they arrive (no order kept:
 *   what a download to a file with positioned writes needs);
 * - `ordered`: the same GETs put back in order as `S3Manager.download` does: a part ahead of the
 *   head keeps what it reads in memory until it is the head;
 * - `paused`: in order, but a part ahead stops reading (its socket paused) until it is the head,
 *   so the kernel's socket buffers hold its read-ahead instead of the process.
 * Before the transfer the process builds a live heap of `heapMiB` (plain objects, as an SDK and its
 * caller's code keep alive), since what holding parts costs depends on the heap the collector walks.
 * Prints one JSON line: milliseconds and CPU time (user + system) of the transfer.
 */
import * as http from "node:http"

const [endpoint = "", bytesArg = "", partArg = "", concurrencyArg = "", mode = "", heapArg = "0"] =
  process.argv.slice(2)
const total = Number(bytesArg)
const partSize = Number(partArg)
const concurrency = Number(concurrencyArg)

const ballast: Array<unknown> = []
while (process.memoryUsage().heapUsed < Number(heapArg) * 1024 * 1024) {
  for (let i = 0; i < 10_000; i++) ballast.push({ n: i, s: `item ${i}`, list: [i, i + 1], nested: { i } })
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const get = (range: string | undefined, onResponse: (res: http.IncomingMessage) => void) =>
  new Promise<void>((resolve, reject) => {
    const req = http.get(
      `${endpoint}/bench/k`,
      { agent, headers: range === undefined ? {} : { range } },
      (res) => {
        onResponse(res)
        res.once("end", resolve)
        res.once("error", reject)
      }
    )
    req.once("error", reject)
  })

let received = 0
const count = (c: Buffer) => {
  received += c.length
}

interface Part {
  held: Array<Buffer>
  res: http.IncomingMessage | undefined
  done: boolean
}

/** Ranged GETs `concurrency` at a time; `ordered` keeps parts ahead of the head (held or paused). */
const ranged = (ordered: boolean, pause: boolean) =>
  new Promise<void>((resolve, reject) => {
    const count_ = Math.ceil(total / partSize)
    const parts: Array<Part | undefined> = []
    let next = 0
    let head = 0
    const start = () => {
      if (next >= count_) return
      const i = next++
      const part: Part = { held: [], res: undefined, done: false }
      parts[i] = part
      const a = i * partSize
      get(`bytes=${a}-${Math.min(total, a + partSize) - 1}`, (res) => {
        part.res = res
        if (ordered && pause && i !== head) res.pause()
        res.on("data", (c: Buffer) => (ordered && i !== head ? part.held.push(c) : count(c)))
      }).then(() => {
        part.done = true
        if (!ordered) {
          parts[i] = undefined
          start()
          if (parts.every((p) => p === undefined) && next >= count_) resolve()
          return
        }
        while (parts[head]?.done) {
          parts[head] = undefined
          head++
          start()
          const now = parts[head]
          if (now === undefined) continue
          for (const c of now.held) count(c)
          now.held = []
          now.res?.resume()
        }
        if (head >= count_) resolve()
      }, reject)
    }
    for (let k = 0; k < concurrency; k++) start()
  })

// one small GET first, so every mode starts with a warm agent and parser
await get("bytes=0-0", (res) => res.resume())
received = 0
const cpu0 = process.cpuUsage()
const t0 = performance.now()
if (mode === "single") await get(undefined, (res) => res.on("data", count))
else await ranged(mode !== "unordered", mode === "paused")
const ms = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
if (received !== total) throw new Error(`${mode}: received ${received} bytes of ${total}`)
console.log(JSON.stringify({ mode, heapMiB: Number(heapArg), ms, cpuMs: (cpu.user + cpu.system) / 1000 }))
process.exit(0)
