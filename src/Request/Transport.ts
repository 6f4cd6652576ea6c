/**
 * The `Transport` service: sends one signed HTTP request and hands back the response.
 *
 * The request pipeline talks to this small interface rather than to an HTTP library, so the
 * default Node transport (`NodeTransport`, keep-alive `node:http` agents: nothing to bundle) can
 * be swapped for any `@effect/platform` `HttpClient` (`fromHttpClient`: fetch in browsers, a test
 * client, a user's own) or a fault-injecting double in tests.
 *
 * A response lives in the `Scope` of the caller: when the scope closes the connection is
 * released (returned to the pool after a small unread remainder is drained, or destroyed), read
 * or not.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { formEncode } from "../Protocols/UriEncoding.js"
import { type NetworkError, type RequestTimeout, SerializationError } from "./Errors.js"

/** A request body that is produced while it is sent. Re-run on retry, so it must be replayable. */
export interface StreamBody {
  readonly _tag: "StreamBody"
  readonly stream: Stream.Stream<Uint8Array, unknown>
  /** The total length in bytes, when known (sent as `Content-Length`). */
  readonly length: number | undefined
}

export type HttpRequestBody = Uint8Array | StreamBody | undefined

/** A fully resolved, signed HTTP request. Header names are lower case. */
export interface HttpRequest {
  readonly method: string
  readonly protocol: "http:" | "https:"
  readonly hostname: string
  readonly port: number | undefined
  /** The path, percent-encoded. */
  readonly path: string
  /** Query parameters, not encoded. */
  readonly query: ReadonlyArray<readonly [string, string]>
  readonly headers: Readonly<Record<string, string>>
  readonly body: HttpRequestBody
}

/** The failures a transport can report. */
export type TransportError = NetworkError | RequestTimeout | SerializationError

/** A response whose body has not been read yet. Header names are lower case. */
export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The body as a stream of chunks; can be consumed once, instead of `bytes`. */
  readonly stream: Stream.Stream<Uint8Array, NetworkError | RequestTimeout>
  /** Reads the whole body; instead of `stream`. */
  readonly bytes: Effect.Effect<Uint8Array, NetworkError | RequestTimeout>
}

/** Per-request settings a transport honours. */
export interface SendOptions {
  /** Fail with `RequestTimeout` (phase `connect`) when no connection is made within this time. */
  readonly connectTimeoutMs?: number | undefined
  /** Fail with `RequestTimeout` when the socket is idle this long while waiting or reading. */
  readonly idleTimeoutMs?: number | undefined
}

/** A response read whole. Header names are lower case. */
export interface WholeResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

export interface TransportService {
  /**
   * Sends the request and reads the whole response body; the connection is released before this
   * completes. Interrupting the fiber aborts the request at once. Optional: without it the
   * pipeline uses `send` in a scope of its own (one scope per attempt costs real time; the
   * Node transport implements this in one step).
   */
  readonly exchange?: (
    request: HttpRequest,
    options: SendOptions
  ) => Effect.Effect<WholeResponse, TransportError>
  /**
   * Sends the request. Interrupting the fiber aborts the request at once; the response body is
   * released when the surrounding scope closes.
   */
  readonly send: (
    request: HttpRequest,
    options: SendOptions
  ) => Effect.Effect<HttpResponse, TransportError, Scope.Scope>
}

export class Transport extends Context.Tag("effect-aws-sdk/Transport")<Transport, TransportService>() {}

/** `http://host:port/path?query` of a request, the query encoded as it is signed. */
export const urlOf = (request: HttpRequest): string => {
  const port = request.port === undefined ? "" : `:${request.port}`
  const query = formEncode(request.query)
  return `${request.protocol}//${request.hostname}${port}${request.path}${query === "" ? "" : `?${query}`}`
}

/** A whole exchange over `send`, for transports without an `exchange` of their own. */
export const exchangeOverSend = (
  transport: TransportService,
  request: HttpRequest,
  options: SendOptions
): Effect.Effect<WholeResponse, TransportError> =>
  Effect.scoped(
    Effect.flatMap(transport.send(request, options), (response) =>
      Effect.map(response.bytes, (body) => ({ status: response.status, headers: response.headers, body }))
    )
  )

/** The failure of a caller's streamed request body, as every transport reports it. */
export const bodyStreamError = (cause: unknown): SerializationError =>
  new SerializationError({
    message: `the request body stream failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    operation: "",
    direction: "request",
    cause
  })
