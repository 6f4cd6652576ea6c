/**
 * Loopback servers for the client benchmarks, each in a child process of its own so that its CPU
 * is not counted as the client's: the fixed-response server and s3rver.
 */
import { type ChildProcess, fork } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { benchDir } from "./results.js"

export interface Server {
  readonly endpoint: string
  readonly pid: number
  /** CPU time the server process used so far (user + system, µs), from /proc. */
  readonly cpuMicros: () => number
  readonly stop: () => void
}

const ticksPerSecond = 100

/** utime + stime of a process in µs, read from /proc (Linux). */
export const processCpuMicros = (pid: number): number => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond
  } catch {
    return Number.NaN
  }
}

const start = (file: string, env: Record<string, string>): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(path.join(benchDir, "lib", file), [], {
      // the server runs TypeScript through tsx, and never inherits flags like --cpu-prof
      execArgv: ["--conditions=effect-aws-sdk/source", "--import", "tsx"],
      cwd: path.join(benchDir, ".."),
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const onExit = (code: number | null) => reject(new Error(`${file} exited (${code}) before it listened`))
    child.once("exit", onExit)
    child.once("error", reject)
    child.once("message", (m: { port: number }) => {
      child.off("exit", onExit)
      resolve({
        endpoint: `http://127.0.0.1:${m.port}`,
        pid: child.pid!,
        cpuMicros: () => processCpuMicros(child.pid!),
        stop: () => {
          if (child.connected) child.disconnect()
          child.kill("SIGTERM")
        }
      })
    })
  })

/** The fixed-response server (every request: 200 with a `bytes`-long body). */
export const startFixedServer = (bytes = 1024): Promise<Server> =>
  start("fixed-server.ts", { BENCH_BODY_BYTES: String(bytes) })

export const s3rverKey = "data/object-1k.bin"

/** s3rver with bucket `bench` and `s3rverKey` in it. */
export const startS3rver = (bytes = 1024): Promise<Server> =>
  start("s3rver-server.ts", { BENCH_BODY_BYTES: String(bytes), BENCH_KEY: s3rverKey })
