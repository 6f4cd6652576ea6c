/**
 * One transfer of the manager benchmark, in a process of its own so its peak memory is its own:
 * `tsx bench/lib/manager-worker.ts <case> <endpoint> <bytes> <partSize> <concurrency>` where case is
 * `ours-upload`, `ours-upload-stream`, `lib-storage-upload`, `ours-download` (adaptive, as by default),
 * `ours-download-fixed` (`adaptive: false`), `v3-get-stream`,
 * `ours-get-stream`, `ours-download-file` or `v3-get-file`. Uploads read a generated Node `Readable`
 * (fresh 64 KiB chunks): given as the body as it is (ours and lib-storage), or turned into an Effect
 * `Stream` first (`ours-upload-stream`, `Stream.fromAsyncIterable`); stream downloads are consumed and dropped, file downloads written to a temporary file
 * (`S3Manager.downloadFile`; v3's stream through `stream.pipeline` into `fs.createWriteStream`). Prints one JSON line: milliseconds, the process's CPU time (user + system) over the
 * transfer, peak RSS (the process's high-water mark), RSS before the transfer (after imports and
 * client set-up), and the bytes moved. With `BENCH_MEMORY_TRACE=1` it samples all of
 * `process.memoryUsage()` (rss, heap, external, arrayBuffers) instead of RSS alone and prints the
 * samples to stderr (a diagnostic: the fuller sampling costs CPU; same for every case).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"

const [which = "", endpoint = "", bytesArg = "", partArg = "", concurrencyArg = ""] = process.argv.slice(2)
const total = Number(bytesArg)
const partSize = Number(partArg)
const concurrency = Number(concurrencyArg)

const pattern = Buffer.alloc(64 * 1024)
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 13 + 1) & 0xff

/** `total` bytes in fresh 64 KiB chunks, as a file or socket stream would give them. */
const source = (): Readable => {
  let sent = 0
  return new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (sent >= total) return void this.push(null)
      const n = Math.min(pattern.length, total - sent)
      const chunk = Buffer.allocUnsafe(n)
      pattern.copy(chunk, 0, 0, n)
      sent += n
      this.push(chunk)
    }
  })
}

/** Where the file downloads write (removed after the transfer). */
const target = path.join(os.tmpdir(), `bench-manager-${process.pid}.bin`)

let peak = 0
const trace = process.env.BENCH_MEMORY_TRACE === "1"
const samples: Array<string> = []
const t0ms = Date.now()
const sample = () => {
  if (trace) {
    const m = process.memoryUsage()
    const mib = (x: number) => (x / 1048576).toFixed(0)
    samples.push(
      [
        Date.now() - t0ms,
        mib(m.rss),
        mib(m.heapUsed),
        mib(m.heapTotal),
        mib(m.external),
        mib(m.arrayBuffers)
      ].join("\t")
    )
  }
  const rss = process.memoryUsage.rss()
  if (rss > peak) peak = rss
}

const main = async (): Promise<{ moved: number; run: () => Promise<number> }> => {
  if (which.startsWith("ours")) {
    const Effect = await import("effect/Effect")
    const Layer = await import("effect/Layer")
    const Stream = await import("effect/Stream")
    const ManagedRuntime = await import("effect/ManagedRuntime")
    const Credentials = await import("../../src/Credentials/Credentials.js")
    const NodeTransport = await import("../../src/Request/NodeTransport.js")
    const S3 = await import("../../src/Services/S3/index.js")
    const S3Manager = await import("../../src/Services/S3/Manager/index.js")
    const Session = await import("../../src/Session/Session.js")
    const session = Session.layerWithoutTransport({
      region: "us-east-1",
      endpoint,
      credentials: Credentials.fromStatic(
        Credentials.make({ accessKeyId: "AKID", secretAccessKey: "SECRET" })
      ),
      s3: { forcePathStyle: true },
      requestChecksumCalculation: "when_required"
    })
    const runtime = ManagedRuntime.make(
      S3.layer().pipe(Layer.provide(session), Layer.provide(NodeTransport.layer()))
    )
    await runtime.runPromise(Effect.void)
    const count = <E, R>(s: import("effect/Stream").Stream<Uint8Array, E, R>) =>
      Stream.runFold(s, 0, (n, c) => n + c.length)
    if (which === "ours-upload" || which === "ours-upload-stream") {
      return {
        moved: total,
        run: () => {
          const readable = source()
          const Body = which === "ours-upload" ? readable : Stream.fromAsyncIterable(readable, (e) => e)
          return runtime.runPromise(
            Effect.map(
              S3Manager.upload(
                { Bucket: "bench", Key: "k", Body, ContentType: "application/octet-stream" },
                { partSize, concurrency }
              ),
              (o) => o.bytes
            )
          )
        }
      }
    }
    if (which === "ours-download-file") {
      const NodeFileSystem = await import("../../src/Session/NodeFileSystem.js")
      return {
        moved: total,
        run: () =>
          runtime.runPromise(
            Effect.map(
              Effect.provide(
                S3Manager.downloadFile({ Bucket: "bench", Key: "k" }, target, { partSize, concurrency }),
                NodeFileSystem.layer
              ),
              (o) => o.bytes
            )
          )
      }
    }
    if (which === "ours-download" || which === "ours-download-fixed") {
      const adaptive = which === "ours-download"
      return {
        moved: total,
        run: () =>
          runtime.runPromise(
            count(S3Manager.download({ Bucket: "bench", Key: "k" }, { partSize, concurrency, adaptive }))
          )
      }
    }
    return {
      moved: total,
      run: () =>
        runtime.runPromise(
          Effect.scoped(
            Effect.flatMap(S3.getObject({ Bucket: "bench", Key: "k" }), (o) => count(o.Body ?? Stream.empty))
          )
        )
    }
  }
  const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3")
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })
  if (which === "lib-storage-upload") {
    const { Upload } = await import("@aws-sdk/lib-storage")
    return {
      moved: total,
      run: async () => {
        const upload = new Upload({
          client,
          params: { Bucket: "bench", Key: "k", Body: source(), ContentType: "application/octet-stream" },
          partSize,
          queueSize: concurrency
        })
        await upload.done()
        return total
      }
    }
  }
  if (which === "v3-get-file") {
    const { pipeline } = await import("node:stream/promises")
    const fs = await import("node:fs")
    return {
      moved: total,
      run: async () => {
        const out = await client.send(new GetObjectCommand({ Bucket: "bench", Key: "k" }))
        await pipeline(out.Body as Readable, fs.createWriteStream(target))
        return fs.statSync(target).size
      }
    }
  }
  return {
    moved: total,
    run: async () => {
      const out = await client.send(new GetObjectCommand({ Bucket: "bench", Key: "k" }))
      let n = 0
      for await (const c of out.Body as AsyncIterable<Uint8Array>) n += c.length
      return n
    }
  }
}

const { run } = await main()
sample()
const before = peak
const timer = setInterval(sample, 5)
const cpu0 = process.cpuUsage()
const t0 = process.hrtime.bigint()
const moved = await run()
const ms = Number(process.hrtime.bigint() - t0) / 1e6
const cpu = process.cpuUsage(cpu0)
clearInterval(timer)
fs.rmSync(target, { force: true })
sample()
const maxRss = process.resourceUsage().maxRSS * 1024
if (trace) console.error(`ms\trss\theapUsed\theapTotal\texternal\tarrayBuffers (MiB)\n${samples.join("\n")}`)
console.log(
  JSON.stringify({
    which,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    moved,
    peakRss: Math.max(peak, maxRss),
    rssBefore: before
  })
)
process.exit(0)
