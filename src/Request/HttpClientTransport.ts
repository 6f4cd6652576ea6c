/**
 * A `Transport` over any `@effect/platform` `HttpClient`: fetch in browsers and edge runtimes
 * (`FetchHttpClient.layer`), a test client, or a user's own client with its middleware.
 *
 * The idle timeout (`SendOptions.idleTimeoutMs`, default 60 s) bounds the wait for the response
 * of a request without a streamed body, and each wait for a chunk of a body read as a stream;
 * connecting is the client's own affair (its own timeouts apply).
 *
 * The platform client's built-in tracing is turned off for SDK requests unless asked for: the SDK
 * has its own spans, and the platform's cost real time on every request (DESIGN.md section 7).
 *
 * @since 0.1.0
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { withWholeBody } from "./Body.js"
import { NetworkError, RequestTimeout, type SerializationError } from "./Errors.js"
import {
  bodyStreamError,
  DEFAULT_IDLE_TIMEOUT_MS,
  type HttpRequest,
  Transport,
  type TransportService,
  urlOf
} from "./Transport.js"

export interface HttpClientTransportOptions {
  /** Keep the platform client's own request spans (default false). */
  readonly tracing?: boolean
}

const networkError = (e: HttpClientError.HttpClientError): NetworkError =>
  new NetworkError({ message: `network error: ${e.message}`, code: e.reason, cause: e })

/** Where the failure of a request's own body stream is kept, as the client reports it only as a transport error. */
interface BodyFailure {
  error: SerializationError | undefined
}

const toPlatformRequest = (
  request: HttpRequest,
  failure: BodyFailure
): HttpClientRequest.HttpClientRequest => {
  const base = HttpClientRequest.make(request.method as "POST")(urlOf(request), {
    headers: request.headers
  })
  const body = request.body
  if (body === undefined) return base
  if (body instanceof Uint8Array) {
    return HttpClientRequest.setBody(base, HttpBody.uint8Array(body, request.headers["content-type"]))
  }
  const stream = Stream.mapError(body.stream, (e) => {
    failure.error = bodyStreamError(e)
    return failure.error
  })
  return HttpClientRequest.setBody(
    base,
    HttpBody.stream(stream, request.headers["content-type"], body.length)
  )
}

/** A body stream whose every wait for a chunk is bounded by the idle timeout. */
const stalls = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  idleMs: number
): Stream.Stream<Uint8Array, E | RequestTimeout> =>
  idleMs > 0
    ? Stream.timeoutFail(
        stream,
        () =>
          new RequestTimeout({
            message: `the response body stalled: no data for ${idleMs} ms`,
            phase: "body",
            timeoutMs: idleMs
          }),
        Duration.millis(idleMs)
      )
    : stream

/** Adapts a platform `HttpClient` to the SDK's `Transport`. */
export const fromHttpClient = (
  client: HttpClient.HttpClient,
  options: HttpClientTransportOptions = {}
): TransportService => {
  const http = options.tracing === true ? client : HttpClient.withTracerDisabledWhen(client, () => true)
  return {
    send: (request, sendOptions) =>
      Effect.suspend(() => {
        const failure: BodyFailure = { error: undefined }
        const idleMs = sendOptions.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
        const executed = Effect.mapError(
          http.execute(toPlatformRequest(request, failure)),
          (e) => failure.error ?? networkError(e)
        )
        // an upload's time is the caller's stream's: only a request sent whole waits against the clock
        const sent =
          idleMs > 0 && (request.body === undefined || request.body instanceof Uint8Array)
            ? Effect.timeoutFail(executed, {
                duration: Duration.millis(idleMs),
                onTimeout: () =>
                  new RequestTimeout({
                    message: `no response within ${idleMs} ms`,
                    phase: "response",
                    timeoutMs: idleMs
                  })
              })
            : executed
        return Effect.map(sent, (response) => {
          const bytes = Effect.map(
            Effect.mapError(response.arrayBuffer, networkError),
            (b) => new Uint8Array(b)
          )
          return {
            status: response.status,
            headers: response.headers,
            bytes,
            // `Body.bytes` reads a streamed body through `bytes`, skipping the Stream machinery
            stream: withWholeBody(stalls(Stream.mapError(response.stream, networkError), idleMs), bytes)
          }
        })
      })
  }
}

/** The transport over whatever `HttpClient` the context provides. */
export const layer = (
  options?: HttpClientTransportOptions
): Layer.Layer<Transport, never, HttpClient.HttpClient> =>
  Layer.effect(
    Transport,
    Effect.map(HttpClient.HttpClient, (client) => fromHttpClient(client, options))
  )
