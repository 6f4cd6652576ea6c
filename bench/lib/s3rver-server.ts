/**
 * s3rver in its own process (so its CPU is not counted as the client's), with bucket `bench`
 * holding `BENCH_KEY` (1 KiB by default). Tells the parent its port over IPC; deletes its
 * directory when the parent goes.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { AwsClient } from "aws4fetch"

const require = createRequire(import.meta.url)
interface S3rverInstance {
  run(): Promise<{ readonly port: number }>
  close(): Promise<void>
}
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => S3rverInstance

const size = Number(process.env.BENCH_BODY_BYTES ?? 1024)
const key = process.env.BENCH_KEY ?? "data/object-1k.bin"
const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir()
const directory = fs.mkdtempSync(path.join(base, "bench-s3rver-"))
const server = new S3rver({
  port: 0,
  address: "127.0.0.1",
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: [{ name: "bench", configs: [] }]
})
const { port } = await server.run()
const endpoint = `http://127.0.0.1:${port}`
const aws = new AwsClient({
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
  service: "s3",
  region: "us-east-1"
})
const put = await aws.fetch(`${endpoint}/bench/${key}`, {
  method: "PUT",
  body: Buffer.alloc(size, "abcdefghijklmnopqrstuvwxyz0123456789")
})
if (put.status !== 200) throw new Error(`PUT to s3rver: HTTP ${put.status}: ${await put.text()}`)

const stop = () => {
  fs.rmSync(directory, { recursive: true, force: true })
  process.exit(0)
}
process.on("disconnect", stop)
process.on("SIGTERM", stop)
if (process.send) process.send({ port })
else console.log(endpoint)
