/**
 * `FaultServer` driven by a handler, as the credential tests drive it: each request is recorded,
 * then answered by the handler the test gives (its body sent chunked, as a plain `node:http`
 * reply is). Closed with the scope.
 */
import * as Effect from "effect/Effect"
import * as FaultServer from "./FaultServer.js"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: FaultServer.Received["headers"]
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
  Effect.map(FaultServer.scoped, (server): LoopbackServer => {
    const handle = (next: Handler) =>
      server.scriptWith((request, index) => ({ ...next(request, index), chunked: true }))
    handle(handler)
    return { url: server.url, port: server.port, requests: server.received, handle }
  })

/** A port nothing listens on (bound, then released). */
export const closedPort: Effect.Effect<number> = Effect.promise(FaultServer.closedPort)
