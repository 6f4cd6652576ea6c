/**
 * A loopback S3 for the transfer benchmarks that stores nothing, so the client is what is measured
 * (s3rver caps near 120 MiB/s here). Multipart calls are answered at once (UploadPart after its
 * body is read and dropped); GetObject and HeadObject serve a generated object of
 * `BENCH_OBJECT_BYTES` (Range supported) from one repeated 1 MiB block. With `BENCH_CONN_MIBPS`
 * each response is paced to that many MiB/s (a link where every connection has its own limit, as
 * S3's do). Run in its own process; tells the parent its port over IPC.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const objectBytes = Number(process.env.BENCH_OBJECT_BYTES ?? 256 * 1024 * 1024)
const block = Buffer.alloc(1024 * 1024)
for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff
const etag = '"0123456789abcdef0123456789abcdef"'
/** Bytes per second one response may go at (0: as fast as the socket takes them). */
const connRate = Number(process.env.BENCH_CONN_MIBPS ?? 0) * 1024 * 1024
/** A paced response is written in slices of this size. */
const PACED_SLICE = 256 * 1024

const xml = (res: http.ServerResponse, body: string) => {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
  res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

/** Writes `[start, end]` of the object from the repeated block, with backpressure (and pacing). */
const serve = (res: http.ServerResponse, start: number, end: number) => {
  let at = start
  const began = performance.now()
  const pump = () => {
    while (at <= end) {
      if (connRate > 0) {
        // not ahead of the rate: wait until the bytes sent so far are due
        const due = began + ((at - start) / connRate) * 1000
        const wait = due - performance.now()
        if (wait > 1) return void setTimeout(pump, wait)
      }
      const offset = at % block.length
      const n = Math.min(block.length - offset, end - at + 1, connRate > 0 ? PACED_SLICE : block.length)
      at += n
      if (!res.write(block.subarray(offset, offset + n))) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
}

let uploads = 0
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost")
  const q = url.searchParams
  const method = req.method
  if (method === "GET" || method === "HEAD") {
    req.resume()
    const headers = { etag, "accept-ranges": "bytes", "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT" }
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""))
    if (range !== null && method === "GET") {
      const start = Number(range[1])
      const end = Math.min(objectBytes - 1, range[2] === "" ? objectBytes - 1 : Number(range[2]))
      res.writeHead(206, {
        ...headers,
        "content-length": end - start + 1,
        "content-range": `bytes ${start}-${end}/${objectBytes}`
      })
      return serve(res, start, end)
    }
    res.writeHead(200, { ...headers, "content-length": objectBytes })
    return method === "HEAD" ? res.end() : serve(res, 0, objectBytes - 1)
  }
  req.on("data", () => {})
  req.on("end", () => {
    if (method === "POST" && q.has("uploads")) {
      return xml(
        res,
        `<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u${++uploads}</UploadId></InitiateMultipartUploadResult>`
      )
    }
    if (method === "POST" && q.has("uploadId")) {
      return xml(
        res,
        `<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>${etag}</ETag></CompleteMultipartUploadResult>`
      )
    }
    if (method === "DELETE") {
      res.writeHead(204)
      return res.end()
    }
    res.writeHead(200, { etag, "content-length": 0 })
    res.end()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as AddressInfo).port
  if (process.send) process.send({ port })
  else console.log(`http://127.0.0.1:${port}`)
})
process.on("disconnect", () => process.exit(0))
