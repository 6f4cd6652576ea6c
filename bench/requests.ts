/**
 * Client CPU per request and requests/s: GetObject of 1 KiB, sequential and at concurrency 32,
 * against a loopback server that returns a fixed response (in its own process, so the server is
 * not the bottleneck and its CPU is not counted), and against s3rver (also in its own process).
 *
 * All clients live in this one process and take turns: every round runs each client once (the
 * order rotating between rounds), after warm-up rounds; a full GC runs before each turn so no
 * client pays for another's garbage. Client CPU is `process.cpuUsage()` (user + system, all
 * threads of this process) over the turn, divided by the calls made. Medians over the rounds.
 *
 * `npx tsx bench/requests.ts [--only fixed|s3rver] [--rounds N] [--clients ours,aws4fetch]`
 */
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { arg } from "./lib/args.js"
import { ALL, type BenchClient, makeClient, OURS, type Target } from "./lib/clients.js"
import { record, row } from "./lib/results.js"
import { type Server, s3rverKey, startFixedServer, startS3rver } from "./lib/servers.js"
import { fmt, median, printTable, rotations, spread } from "./lib/stats.js"

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

const rounds = Number(arg("rounds") ?? process.env.BENCH_ROUNDS ?? 7)
const only = arg("only")
const clientNames = (arg("clients")?.split(",") ?? [...ALL]).filter((c) => c.length > 0)

interface Scenario {
  readonly server: "fixed" | "s3rver"
  readonly concurrency: number
  /** calls per turn */
  readonly calls: number
  readonly warmupRounds: number
}

const allScenarios: ReadonlyArray<Scenario> = [
  { server: "fixed", concurrency: 32, calls: 2000, warmupRounds: 2 },
  { server: "fixed", concurrency: 1, calls: 1000, warmupRounds: 1 },
  { server: "s3rver", concurrency: 32, calls: 1000, warmupRounds: 1 },
  { server: "s3rver", concurrency: 1, calls: 500, warmupRounds: 1 }
]
const scenarios = allScenarios.filter((s) => only === undefined || s.server === only)

interface Turn {
  readonly cpuPerCall: number
  readonly perSecond: number
  readonly serverCpuPerCall: number
}

const turn = async (client: BenchClient, server: Server, s: Scenario): Promise<Turn> => {
  gc()
  const serverCpu0 = server.cpuMicros()
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await client.run(s.calls, s.concurrency)
  const wallNs = Number(process.hrtime.bigint() - t0)
  const cpu = process.cpuUsage(cpu0)
  const serverCpu = server.cpuMicros() - serverCpu0
  return {
    cpuPerCall: (cpu.user + cpu.system) / s.calls,
    perSecond: s.calls / (wallNs / 1e9),
    serverCpuPerCall: serverCpu / s.calls
  }
}

const runScenario = async (s: Scenario, server: Server, target: Target) => {
  const label = `GetObject 1 KiB, ${s.server === "fixed" ? "fixed-response server" : "s3rver"}, ${
    s.concurrency === 1 ? "sequential" : `concurrency ${s.concurrency}`
  }`
  console.log(`\n### ${label} (${s.calls} calls a turn, ${s.warmupRounds} warm-up + ${rounds} rounds)\n`)
  const clients: Array<BenchClient> = []
  for (const name of clientNames) clients.push(await makeClient(name, target))
  const turns = new Map<string, Array<Turn>>(clients.map((c) => [c.name, []]))
  for (let r = 0; r < s.warmupRounds + rounds; r++) {
    for (const client of rotations(clients, r)) {
      const t = await turn(client, server, s)
      if (r >= s.warmupRounds) turns.get(client.name)!.push(t)
    }
  }
  for (const c of clients) await c.close()
  const summary = clients.map((c) => {
    const ts = turns.get(c.name)!
    return {
      name: c.name,
      cpu: median(ts.map((t) => t.cpuPerCall)),
      cpuSpread: spread(ts.map((t) => t.cpuPerCall)),
      rps: median(ts.map((t) => t.perSecond)),
      serverCpu: median(ts.map((t) => t.serverCpuPerCall))
    }
  })
  const v3 = summary.find((x) => x.name === "@aws-sdk/client-s3")
  printTable(
    ["client", "CPU µs/call", "IQR/median", "calls/s", "server CPU µs/call", "CPU vs v3", "calls/s vs v3"],
    summary.map((x) => [
      x.name,
      fmt(x.cpu),
      `${(x.cpuSpread * 100).toFixed(0)}%`,
      fmt(x.rps, 0),
      fmt(x.serverCpu),
      v3 ? `${(x.cpu / v3.cpu).toFixed(2)}x` : "—",
      v3 ? `${(x.rps / v3.rps).toFixed(2)}x` : "—"
    ])
  )
  const ours = summary.find((x) => x.name === OURS)
  if (ours === undefined) return []
  return summary
    .filter((x) => x.name !== OURS)
    .flatMap((peer) => [
      row(`${label}: client CPU per call`, "µs", ours.cpu, peer.cpu, peer.name),
      row(`${label}: calls/s`, "calls/s", ours.rps, peer.rps, peer.name)
    ])
}

const base = { bucket: "bench", key: s3rverKey, bytes: 1024 }
const rows = []
for (const kind of ["fixed", "s3rver"] as const) {
  const these = scenarios.filter((s) => s.server === kind)
  if (these.length === 0) continue
  const server = kind === "fixed" ? await startFixedServer(1024) : await startS3rver(1024)
  const target: Target =
    kind === "fixed"
      ? { ...base, endpoint: server.endpoint, accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }
      : { ...base, endpoint: server.endpoint, accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
  try {
    for (const s of these) rows.push(...(await runScenario(s, server, target)))
  } finally {
    server.stop()
  }
}
console.log("")
record(rows)
