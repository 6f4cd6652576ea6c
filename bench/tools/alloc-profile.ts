/**
 * Where one client's GetObject loop allocates: V8's sampling heap profiler with the objects
 * already collected by minor and major GCs included (what `--heap-prof` leaves out), over a loop
 * against the fixed-response server. Writes a `.heapprofile` (summarise it with
 * `bench/tools/cpuprofile-summary.ts`-style tooling, or load it in Chrome DevTools).
 * `npx tsx bench/tools/run-compiled.ts bench/tools/alloc-profile.ts [client] [calls] [out]`
 */
import * as fs from "node:fs"
import * as inspector from "node:inspector"
import { makeClient } from "../lib/clients.js"
import { startFixedServer } from "../lib/servers.js"

const name = process.argv[2] ?? "ours"
const calls = Number(process.argv[3] ?? 5000)
const out = process.argv[4] ?? "/tmp/alloc.heapprofile"
const session = new inspector.Session()
session.connect()
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)))
  )

const server = await startFixedServer(1024)
try {
  const client = await makeClient(name, {
    endpoint: server.endpoint,
    bucket: "bench",
    key: "data/object-1k.bin",
    bytes: 1024,
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "secret"
  })
  await client.run(3000, 32)
  await post("HeapProfiler.enable")
  await post("HeapProfiler.startSampling", {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true
  })
  await client.run(calls, 32)
  const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown }
  fs.writeFileSync(out, JSON.stringify(profile))
  await client.close()
  console.log(`${name}: wrote ${out}`)
} finally {
  server.stop()
}
