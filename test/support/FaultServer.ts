/**
 * A loopback HTTP server driven per test: it answers each request with the next scripted reply
 * (status, headers, body, delays, resets, stalls), records what it received, and counts open
 * sockets so tests can prove connections are released.
 */
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface Reply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
  /** Wait this long before sending the status line. */
  readonly delayMs?: number
  /** Destroy the socket before any response, or after half the body was sent. */
  readonly reset?: "beforeHeaders" | "midBody"
  /** Send the headers and part of the body, then nothing more (the socket stays open). */
  readonly stallBody?: boolean
}

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

export interface FaultServer {
  readonly url: string
  readonly port: number
  readonly received: Array<Received>
  /** Replies still to come; the last one repeats when the script runs out. */
  readonly script: (replies: ReadonlyArray<Reply>) => void
  /** Sockets currently open on the server side. */
  readonly openSockets: () => number
  /** Waits (real time) until no socket is open, up to `timeoutMs`; returns how many remain. */
  readonly waitForSocketsClosed: (timeoutMs?: number) => Promise<number>
  readonly close: () => Promise<void>
}

export const start = async (): Promise<FaultServer> => {
  let replies: Array<Reply> = [{ status: 200, body: "{}" }]
  const received: Array<Received> = []
  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks)
      })
      const reply = (replies.length > 1 ? replies.shift() : replies[0]) ?? {}
      const send = () => {
        if (reply.reset === "beforeHeaders") return req.socket.destroy()
        const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body)
        res.writeHead(reply.status ?? 200, { "content-length": String(body.length), ...reply.headers })
        if (reply.reset === "midBody" || reply.stallBody) {
          res.write(body.subarray(0, Math.floor(body.length / 2)))
          if (reply.reset === "midBody") setTimeout(() => req.socket.destroy(), 5)
          return
        }
        res.end(body)
      }
      if (reply.delayMs) setTimeout(send, reply.delayMs)
      else send()
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    script: (next) => {
      replies = [...next]
    },
    openSockets: () => sockets.size,
    waitForSocketsClosed: async (timeoutMs = 2000) => {
      const until = Date.now() + timeoutMs
      while (sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
      return sockets.size
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}

/** The server as a scoped resource. */
export const scoped: Effect.Effect<FaultServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(start),
  (s) => Effect.promise(s.close)
)
