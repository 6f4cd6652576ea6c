/**
 * Plain HTTP requests to the metadata endpoints of the instance and container providers, sent
 * through the `Transport` service (so tests use a loopback server): URL parsing, short connect
 * and idle timeouts, a total deadline per request (its retry included: an endpoint that trickles
 * a byte now and then cannot hold a fetch past it), one retry of transient failures, and the
 * whole body read as text (at most 64 KiB: the transport's `maxResponseBytes`, refused while it is read).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { NetworkError, SerializationError } from "../Request/Errors.js"
import { RequestTimeout } from "../Request/Errors.js"
import { exchangeOverSend, type HttpRequest, type TransportService } from "../Request/Transport.js"

/** An endpoint URL split into what a `HttpRequest` needs. */
export interface ParsedUrl {
  readonly protocol: "http:" | "https:"
  /** Without the brackets of an IPv6 literal. */
  readonly hostname: string
  readonly port: number | undefined
  /** The path, percent-encoded, without a trailing slash when it is only `/`. */
  readonly path: string
  readonly query: ReadonlyArray<readonly [string, string]>
}

/** Characters that cannot appear in a URI (RFC 3986): whitespace, controls, `<>"{}|\^` and backtick. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what is rejected
const invalidUriCharacter = /[\u0000-\u0020\u007f<>"{}|\\^`]/

/**
 * Parses an absolute `http`/`https` URL. The error says what is wrong: `invalid uri character`,
 * `URI did not specify a host`, or an unsupported scheme.
 */
export const parseUrl = (text: string): Either.Either<ParsedUrl, string> => {
  const bad = invalidUriCharacter.exec(text)
  if (bad !== null) return Either.left(`invalid uri character ${JSON.stringify(bad[0])}`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left("URI did not specify a host")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(
      `unsupported scheme ${JSON.stringify(url.protocol.slice(0, -1))} (expected http or https)`
    )
  }
  if (url.hostname === "") return Either.left("URI did not specify a host")
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
  return Either.right({
    protocol: url.protocol,
    hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname === "/" ? "" : url.pathname,
    query: [...url.searchParams.entries()]
  })
}

/** A response read in full. Header names are lower case. */
export interface TextResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** What can go wrong on the way (not an HTTP error status: those are responses). */
export type HttpFailure = NetworkError | RequestTimeout | SerializationError

/** One request's settings. */
export interface MetadataRequest {
  readonly method: "GET" | "PUT"
  readonly base: ParsedUrl
  /** Appended to the base URL's path; absent for the base URL itself. */
  readonly path?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Connect and idle timeout of each attempt. */
  readonly timeoutMs: number
  /**
   * The total deadline of the request, its retries included: past it the request fails with a
   * `RequestTimeout` (phase `call`) naming the endpoint, however the answer trickles in.
   */
  readonly totalTimeoutMs: number
  /** Attempts in all (1 = no retry). */
  readonly attempts: number
}

/**
 * The most a metadata answer may hold: tokens, role names and credential documents are a few
 * KiB; anything larger is refused while it is read, not buffered whole.
 */
export const MAX_BODY_BYTES = 64 * 1024

/** The pause before the retry. */
const retryPause = "50 millis"

/** True for what a retry can help with: network errors, timeouts and 5xx answers. */
const transient = (outcome: Either.Either<TextResponse, HttpFailure>): boolean =>
  Either.isLeft(outcome)
    ? outcome.left._tag === "NetworkError" || outcome.left._tag === "RequestTimeout"
    : outcome.right.status >= 500

/**
 * Sends the request, retrying a transient failure (network error, timeout, 5xx) up to
 * `attempts - 1` times after a short pause. The last outcome is returned either way: an error
 * status is a response, not a failure.
 */
export const send = (
  transport: TransportService,
  request: MetadataRequest
): Effect.Effect<TextResponse, HttpFailure> => {
  const http: HttpRequest = {
    method: request.method,
    protocol: request.base.protocol,
    hostname: request.base.hostname,
    port: request.base.port,
    path: request.base.path + (request.path ?? ""),
    query: request.base.query,
    headers: { ...request.headers },
    body: undefined
  }
  const where = describe(request.base, request.path)
  const options = {
    connectTimeoutMs: request.timeoutMs,
    idleTimeoutMs: request.timeoutMs,
    maxResponseBytes: MAX_BODY_BYTES
  }
  const once = Effect.map(
    Effect.suspend(() =>
      transport.exchange === undefined
        ? exchangeOverSend(transport, http, options)
        : transport.exchange(http, options)
    ),
    (response): TextResponse => ({
      status: response.status,
      headers: response.headers,
      body: new TextDecoder().decode(response.body)
    })
  )
  const attempt = (remaining: number): Effect.Effect<TextResponse, HttpFailure> =>
    Effect.flatMap(Effect.either(once), (outcome) =>
      remaining > 1 && transient(outcome)
        ? Effect.zipRight(Effect.sleep(retryPause), attempt(remaining - 1))
        : outcome
    )
  return Effect.timeoutFail(attempt(request.attempts), {
    duration: request.totalTimeoutMs,
    onTimeout: () =>
      new RequestTimeout({
        message: `${where} did not answer in full within ${request.totalTimeoutMs} ms (the deadline of one request, its retry included)`,
        phase: "call",
        timeoutMs: request.totalTimeoutMs
      })
  })
}

/** `http://host:port/path` of a request, for messages. */
export const describe = (base: ParsedUrl, path = ""): string => {
  const host = base.hostname.includes(":") ? `[${base.hostname}]` : base.hostname
  const port = base.port === undefined ? "" : `:${base.port}`
  return `${base.protocol}//${host}${port}${base.path}${path}`
}
