/**
 * A `node:http` server on 127.0.0.1 (a free port) that the test drives: each request is recorded
 * and answered by the handler the test gives. Closed with the scope.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
}

export interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Never answer (to make the client time out). */
  readonly hang?: boolean
  /** Send the status and headers, then one byte of the body every this many ms, never ending. */
  readonly trickleMs?: number
}

export type Handler = (request: RecordedRequest, index: number) => Reply

export interface LoopbackServer {
  readonly url: string
  readonly port: number
  readonly requests: Array<RecordedRequest>
  /** Replaces the handler. */
  handle(handler: Handler): void
}

export const start = (handler: Handler = () => ({ status: 404 })) =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; state: LoopbackServer }>((resume) => {
      let current = handler
      const requests: Array<RecordedRequest> = []
      const server = http.createServer((req, res) => {
        const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers }
        req.resume()
        req.on("end", () => {
          requests.push(recorded)
          const reply = current(recorded, requests.length - 1)
          if (reply.hang === true) return
          if (reply.trickleMs !== undefined) {
            res.writeHead(reply.status, reply.headers)
            res.write("{")
            const timer = setInterval(() => res.write(" "), reply.trickleMs)
            res.on("close", () => clearInterval(timer))
            return
          }
          res.writeHead(reply.status, reply.headers)
          res.end(reply.body ?? "")
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(
          Effect.succeed({
            server,
            state: {
              url: `http://127.0.0.1:${port}`,
              port,
              requests,
              handle(next) {
                current = next
              }
            }
          })
        )
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** A port nothing listens on (bound, then released). */
export const closedPort = Effect.async<number>((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * A clock whose time the test sets, while sleeping for real (so loopback I/O and short retry
 * pauses still work): `withTime(effect)` runs an effect with it.
 */
export const manualClock = (startMillis: number) => {
  let now = startMillis
  const real = Clock.make()
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration: Duration.Duration) => real.sleep(duration)
  }
  return {
    set: (millis: number) => {
      now = millis
    },
    advance: (duration: Duration.DurationInput) => {
      now += Duration.toMillis(Duration.decode(duration))
    },
    withTime: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withClock(effect, clock)
  }
}
