/**
 * A loopback HTTP server that answers every request with the same fixed S3 GetObject response
 * (1 KiB by default), so that the server is never what limits a client benchmark. Run in its own
 * process (`startFixedServer` in `servers.ts` forks it) so its CPU is not counted as the client's.
 * Bodies of requests are read and dropped. Prints nothing; tells the parent its port over IPC.
 *
 * `BENCH_BODY_BYTES` sets the body size.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const size = Number(process.env.BENCH_BODY_BYTES ?? 1024)
const body = Buffer.alloc(size, "abcdefghijklmnopqrstuvwxyz0123456789")

let date = new Date().toUTCString()
setInterval(() => {
  date = new Date().toUTCString()
}, 1000).unref()

let n = 0
const server = http.createServer((req, res) => {
  n++
  const headers: Record<string, string | number> = {
    "x-amz-id-2": "ef8yU9AS1ed4OpIszj7UDNEHGran",
    "x-amz-request-id": `318BC8BC14${(n & 0xffff).toString(16).padStart(4, "0")}`,
    date,
    "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT",
    etag: '"fba9dede5f27731c9771645a39863328"',
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
    server: "AmazonS3"
  }
  const send = () => {
    if (req.method === "HEAD") {
      res.writeHead(200, { ...headers, "content-length": size })
      res.end()
    } else if (req.method === "GET") {
      res.writeHead(200, { ...headers, "content-length": size })
      res.end(body)
    } else {
      res.writeHead(200, { ...headers, "content-length": 0 })
      res.end()
    }
  }
  if (req.method === "GET" || req.method === "HEAD") {
    req.resume()
    send()
  } else {
    req.on("data", () => {})
    req.on("end", send)
  }
})
server.keepAliveTimeout = 60_000
server.headersTimeout = 65_000
server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as AddressInfo).port
  if (process.send) process.send({ port })
  else console.log(`http://127.0.0.1:${port}`)
})
process.on("disconnect", () => process.exit(0))
