/**
 * The S3 transfer manager (the Go SDK's `s3manager`): a large file uploaded in concurrent parts
 * and downloaded back with concurrent ranged GETs, each with a progress bar, then compared.
 *
 *   npm run example:transfer -- [--file path] [--size-mib 64] [-b bucket]
 *
 * Without `--file` it writes a file of `--size-mib` random MiB first. Interrupting (Ctrl-C)
 * aborts the multipart upload, so no parts are left behind, and removes a partial download.
 */
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as S3 from "../src/Services/S3/index.js"
import * as S3Manager from "../src/Services/S3/Manager/index.js"
import * as NodeFileSystem from "../src/Session/NodeFileSystem.js"
import * as Environment from "./support/Environment.js"

const bucket = Environment.flag("-b") ?? "transfers"
const sizeMiB = Number(Environment.flag("--size-mib") ?? 64)

const bar = (label: string, done: number, total: number | undefined) =>
  Effect.sync(() => {
    if (total === undefined || total === 0) return
    const width = 30
    const filled = Math.round((done / total) * width)
    const line = `${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${((done / total) * 100).toFixed(0).padStart(3)}%`
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`)
    else if (done === total) process.stderr.write(`${line}\n`)
  })

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

const program = Effect.gen(function* () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "transfer-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
  let source = Environment.flag("--file")
  if (source === undefined) {
    source = path.join(dir, "source.bin")
    fs.writeFileSync(source, randomBytes(sizeMiB * 1024 * 1024))
  }
  const size = fs.statSync(source).size
  if (Environment.isLocal()) yield* S3.createBucket({ Bucket: bucket })

  const started = Date.now()
  const uploaded = yield* S3Manager.upload(
    { Bucket: bucket, Key: path.basename(source), Body: S3Manager.file(source) },
    {
      partSize: 8 * 1024 * 1024,
      concurrency: 4,
      onProgress: (p) => bar("upload  ", p.bytesSent, p.totalBytes)
    }
  )
  const upSeconds = (Date.now() - started) / 1000
  yield* Console.log(
    `\nuploaded ${(size / 1048576).toFixed(1)} MiB in ${upSeconds.toFixed(2)} s (${(size / 1048576 / upSeconds).toFixed(0)} MiB/s), ETag ${uploaded.ETag}`
  )

  const target = path.join(dir, "downloaded.bin")
  const downStarted = Date.now()
  yield* S3Manager.downloadFile({ Bucket: bucket, Key: path.basename(source) }, target, {
    partSize: 8 * 1024 * 1024,
    concurrency: 4,
    onProgress: (p) => bar("download", p.bytesReceived, p.totalBytes)
  })
  const downSeconds = (Date.now() - downStarted) / 1000
  yield* Console.log(
    `\ndownloaded in ${downSeconds.toFixed(2)} s (${(size / 1048576 / downSeconds).toFixed(0)} MiB/s)`
  )
  const same = sha256(source) === sha256(target)
  yield* Console.log(same ? "the downloaded file is identical (SHA-256)" : "the downloaded file DIFFERS")
  if (!same) process.exitCode = 1
}).pipe(
  Effect.scoped,
  Effect.provide(NodeFileSystem.layer),
  Effect.provide(S3.layer()),
  Effect.provide(Environment.session("s3"))
)

Environment.run("transfer", program)
