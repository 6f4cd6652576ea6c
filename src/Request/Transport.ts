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
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { formEncode } from "../Protocols/UriEncoding.js"
import { concat } from "./Body.js"
import { type NetworkError, type RequestTimeout, SerializationError } from "./Errors.js"

/**
 * A request body that is produced while it is sent. When `length` is known the pipeline has
 * already held the stream to it (`exactLength`): the stream fails rather than yield a byte past
 * it or end short, so a transport that writes what the stream yields never puts more or fewer
 * bytes on the wire than it declared.
 */
export interface StreamBody {
  readonly _tag: "StreamBody"
  readonly stream: Stream.Stream<Uint8Array, unknown>
  /** The total length in bytes, when known (sent as `Content-Length`). */
  readonly length: number | undefined
  /** The stream produces the same bytes each time it runs (`Body.replayable`): a retry runs it again. */
  readonly replayable?: boolean | undefined
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

/** The default idle timeout of a call (`SendOptions.idleTimeoutMs`): botocore's read timeout. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000

/** Per-request settings a transport honours. */
export interface SendOptions {
  /** Fail with `RequestTimeout` (phase `connect`) when no connection is made within this time. */
  readonly connectTimeoutMs?: number | undefined
  /** Fail with `RequestTimeout` when the socket is idle this long while waiting or reading. */
  readonly idleTimeoutMs?: number | undefined
  /**
   * `exchange` fails with `SerializationError` (and drops the connection) when the response body
   * is larger than this, declared or as it arrives, instead of buffering it.
   */
  readonly maxResponseBytes?: number | undefined
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
  // An IPv6 address is kept bare for node:http; in a URL it is bracketed.
  const host = request.hostname.includes(":") ? `[${request.hostname}]` : request.hostname
  return `${request.protocol}//${host}${port}${request.path}${query === "" ? "" : `?${query}`}`
}

/** A whole exchange over `send`, for transports without an `exchange` of their own. */
export const exchangeOverSend = (
  transport: TransportService,
  request: HttpRequest,
  options: SendOptions
): Effect.Effect<WholeResponse, TransportError> =>
  Effect.scoped(
    Effect.flatMap(transport.send(request, options), (response) =>
      Effect.map(boundedBytes(request, response, options.maxResponseBytes), (body) => ({
        status: response.status,
        headers: response.headers,
        body
      }))
    )
  )

const sizeText = (n: number): string =>
  n % 1048576 === 0 ? `${n / 1048576} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`

/** The failure of a response read whole that is larger than allowed. */
export const responseTooLarge = (max: number, declared: number | undefined): SerializationError =>
  new SerializationError({
    message:
      `the response body is larger than ${sizeText(max)}, the most a call reads whole (maxResponseBytes)` +
      `${declared === undefined ? "" : `: it declares ${declared} bytes`}; the connection was dropped`,
    operation: "",
    direction: "response"
  })

/**
 * The length a response declares for its own body: none for the answer to a HEAD (whose
 * `Content-Length` is the resource's) or a 204 / 304, which have no body.
 */
export const declaredBodyLength = (
  method: string,
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>
): number => {
  if (method === "HEAD" || status === 204 || status === 304) return 0
  const header = headers["content-length"]
  return typeof header === "string" ? Number(header) : Number.NaN
}

/**
 * A response's body read whole, but no more than `max` bytes: a larger declared length fails at
 * once, and a body without one is counted as it arrives (the connection is dropped when it fails).
 */
export const boundedBytes = (
  request: HttpRequest,
  response: HttpResponse,
  max: number | undefined
): Effect.Effect<Uint8Array, TransportError> => {
  if (max === undefined) return response.bytes
  const declared = declaredBodyLength(request.method, response.status, response.headers)
  if (declared > max) return Effect.fail(responseTooLarge(max, declared))
  // a declared length within the cap bounds what the client reads
  if (declared >= 0) return response.bytes
  return Effect.suspend(() => {
    let size = 0
    return Effect.map(
      Stream.runFoldEffect(response.stream, [] as Array<Uint8Array>, (parts, chunk) => {
        size += chunk.length
        if (size > max) return Effect.fail(responseTooLarge(max, undefined))
        parts.push(chunk)
        return Effect.succeed(parts)
      }),
      concat
    )
  })
}

/** The failure of a caller's streamed request body, as every transport reports it. */
export const bodyStreamError = (cause: unknown): SerializationError =>
  cause instanceof SerializationError
    ? cause
    : new SerializationError({
        message: `the request body stream failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        operation: "",
        direction: "request",
        cause
      })

const lengthMismatch = (message: string): SerializationError =>
  new SerializationError({ message, operation: "", direction: "request" })

/**
 * The stream held to exactly `length` bytes: it fails when it has more (before yielding the chunk
 * that crosses the declared length) and at its end when it had fewer. The chunk that completes the
 * length is held back until the stream ends, so a body found too long never reaches the server as
 * a complete request. A transport that meets the failure abandons the request (its socket is
 * destroyed, never reused), so no byte past the declared length reaches the wire, where it would
 * be read as the start of another request on a keep-alive connection.
 */
export const exactLength = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  length: number,
  declaredAs = "Content-Length"
): Stream.Stream<Uint8Array, E | SerializationError> =>
  Stream.suspend(() => {
    let sent = 0
    let last: Chunk.Chunk<Uint8Array> | undefined
    return Stream.concat(
      Stream.mapChunksEffect(stream, (chunk) => {
        let size = 0
        for (const c of chunk) size += c.length
        if (size === 0) return Effect.succeed(chunk)
        if (last !== undefined || sent + size > length) {
          return Effect.fail(
            lengthMismatch(
              `the request body is longer than its declared length of ${length} bytes (${declaredAs}): it produced ` +
                `at least ${sent + size}; the request was abandoned before its end, and nothing past the declared length was sent`
            )
          )
        }
        sent += size
        if (sent < length) return Effect.succeed(chunk)
        last = chunk
        return Effect.succeed(Chunk.empty<Uint8Array>())
      }),
      Stream.suspend(() =>
        sent !== length
          ? Stream.fail(
              lengthMismatch(
                `the request body ended after ${sent} bytes, short of its declared length of ${length} bytes (${declaredAs}); the request was abandoned`
              )
            )
          : last === undefined
            ? Stream.empty
            : Stream.fromChunk(last)
      )
    )
  })
