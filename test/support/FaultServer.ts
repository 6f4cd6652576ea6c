/**
 * A loopback HTTP server driven per test: it answers each request with the next scripted reply
 * (status, headers, body, delays, resets, truncations, stalls), records what it received, and
 * counts open and busy sockets so tests can prove connections are released.
 */
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import * as net from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface Reply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
  /** Wait this long before sending the status line. */
  readonly delayMs?: number
  /**
   * Break the connection: `beforeHeaders` destroys the socket before any response;
   * `midHeaders` writes part of the status line and headers, then resets the socket (RST);
   * `midBody` sends the headers and half the body, then resets the socket (RST).
   */
  readonly reset?: "beforeHeaders" | "midHeaders" | "midBody"
  /**
   * Send the headers (with the Content-Length of the whole body) and half the body, then close
   * the connection cleanly (FIN): a body cut short although its length was announced correctly.
   */
  readonly truncate?: boolean
  /** Send the headers and part of the body, then nothing more (the socket stays open). */
  readonly stallBody?: boolean
  /** Send the body chunked, without a Content-Length. */
  readonly chunked?: boolean
  /** Never answer (the request waits until the client gives up). */
  readonly hang?: boolean
  /** Send the status and headers, then one byte of the body every this many ms, never ending. */
  readonly trickleMs?: number
}

export interface Received {
  readonly method: string
  /** The request target exactly as it arrived on the request line (never normalised). */
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

export interface FaultServer {
  readonly url: string
  readonly port: number
  /** What arrived, in order (empty when the server was started with `record: false`). */
  readonly received: Array<Received>
  /** How many requests arrived, recorded or not. */
  readonly requestCount: () => number
  /** Replies still to come; the last one repeats when the script runs out. */
  readonly script: (replies: ReadonlyArray<Reply>) => void
  /** Replies chosen per request by a function (of the request and its 0-based arrival index). */
  readonly scriptWith: (reply: (request: Received, index: number) => Reply) => void
  /** Sockets currently open on the server side. */
  readonly openSockets: () => number
  /**
   * Open sockets that carry an exchange the server has not finished: a request waiting for its
   * reply, or a reply the server stalled. A client that released its connections leaves none.
   */
  readonly busySockets: () => number
  /** Waits (real time) until no socket is open, up to `timeoutMs`; returns how many remain. */
  readonly waitForSocketsClosed: (timeoutMs?: number) => Promise<number>
  /** Waits (real time) until no socket is busy, up to `timeoutMs`; returns how many remain busy. */
  readonly waitForIdle: (timeoutMs?: number) => Promise<number>
  readonly close: () => Promise<void>
}

export interface FaultServerOptions {
  /** Keep every request in `received` (default true; a soak turns it off to measure memory). */
  readonly record?: boolean
}

const waitFor = async (count: () => number, timeoutMs: number): Promise<number> => {
  const until = Date.now() + timeoutMs
  while (count() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
  return count()
}

export const start = async (options: FaultServerOptions = {}): Promise<FaultServer> => {
  let replies: Array<Reply> = [{ status: 200, body: "{}" }]
  let chooser: ((request: Received, index: number) => Reply) | undefined
  let count = 0
  const received: Array<Received> = []
  const sockets = new Set<Socket>()
  /** Exchanges in progress per socket (requests whose reply the server has not finished). */
  const pending = new Map<Socket, number>()
  const server = http.createServer((req, res) => {
    const socket = req.socket
    pending.set(socket, (pending.get(socket) ?? 0) + 1)
    res.once("finish", () => pending.set(socket, Math.max(0, (pending.get(socket) ?? 1) - 1)))
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const request: Received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks)
      }
      const index = count++
      if (options.record !== false) received.push(request)
      const reply = chooser
        ? chooser(request, index)
        : ((replies.length > 1 ? replies.shift() : replies[0]) ?? {})
      const send = () => {
        if (socket.destroyed || reply.hang === true) return
        if (reply.reset === "beforeHeaders") return socket.destroy()
        if (reply.trickleMs !== undefined) {
          res.writeHead(reply.status ?? 200, reply.headers)
          res.write("{")
          const timer = setInterval(() => res.write(" "), reply.trickleMs)
          res.on("close", () => clearInterval(timer))
          return
        }
        if (reply.reset === "midHeaders") {
          socket.write(`HTTP/1.1 ${reply.status ?? 200} OK\r\nContent-Type: application/x-amz-js`)
          setTimeout(() => socket.resetAndDestroy(), 5)
          return
        }
        const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body)
        res.writeHead(
          reply.status ?? 200,
          reply.chunked ? reply.headers : { "content-length": String(body.length), ...reply.headers }
        )
        if (reply.reset === "midBody" || reply.truncate || reply.stallBody) {
          res.write(body.subarray(0, Math.floor(body.length / 2)))
          if (reply.reset === "midBody") setTimeout(() => socket.resetAndDestroy(), 5)
          if (reply.truncate) setTimeout(() => socket.end(), 5)
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
    socket.on("close", () => {
      sockets.delete(socket)
      pending.delete(socket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  const busy = () => [...pending.values()].filter((n) => n > 0).length
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    requestCount: () => count,
    script: (next) => {
      chooser = undefined
      replies = [...next]
    },
    scriptWith: (reply) => {
      chooser = reply
    },
    openSockets: () => sockets.size,
    busySockets: busy,
    waitForSocketsClosed: (timeoutMs = 2000) => waitFor(() => sockets.size, timeoutMs),
    waitForIdle: (timeoutMs = 2000) => waitFor(busy, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}

/** The server as a scoped resource. */
export const scoped: Effect.Effect<FaultServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => start()),
  (s) => Effect.promise(s.close)
)

/** A server with options, as a scoped resource. */
export const scopedWith = (options: FaultServerOptions): Effect.Effect<FaultServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(options)),
    (s) => Effect.promise(s.close)
  )

/** A loopback port nobody listens on (bound, then released). */
export const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
