/**
 * The default transport on Node: `node:http` / `node:https` with keep-alive agents.
 *
 * Built on Node's own HTTP stack rather than `undici`: undici bundles to 535 KB minified, which
 * alone is more than this SDK's budget for a whole one-call program; Node's modules cost nothing
 * to bundle. Agents are scoped: closing the layer's scope destroys every socket.
 *
 * @since 0.1.0
 */
import * as http from "node:http"
import * as https from "node:https"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { formEncode } from "../Protocols/UriEncoding.js"
import { NetworkError, RequestTimeout, SerializationError } from "./Errors.js"
import { headersOf, readWhole, responseOf as responseFromMessage } from "./NodeMessage.js"
import {
  bodyStreamError,
  DEFAULT_IDLE_TIMEOUT_MS,
  declaredBodyLength,
  exchangeOverSend,
  type HttpRequest,
  type HttpResponse,
  responseTooLarge,
  type SendOptions,
  type StreamBody,
  Transport,
  type TransportError,
  type TransportService,
  type WholeResponse
} from "./Transport.js"

export interface NodeTransportOptions {
  /** Sockets per host (default 50). */
  readonly maxSockets?: number
  /** Idle keep-alive sockets are closed after this long (default 15 s). */
  readonly keepAliveTimeoutMs?: number
  /** Default connect timeout (default 10 s). */
  readonly connectTimeoutMs?: number
  /**
   * Default socket idle timeout while waiting for a response or for body data a reader asked for
   * (default 60 s, botocore's read timeout). A body nobody reads, or one paused because its reader
   * is slower than the socket, is not timed: the reader is the one who waits.
   */
  readonly idleTimeoutMs?: number
  /** Unread response remainders up to this size are drained so the socket can be reused (64 KiB). */
  readonly drainLimitBytes?: number
  /** A remainder still not drained after this long is dropped with its socket (default 1 s). */
  readonly drainTimeoutMs?: number
}

const networkError = (e: unknown): NetworkError => {
  const err = e as NodeJS.ErrnoException
  return new NetworkError({
    message: err?.message ? `network error: ${err.message}` : "network error",
    code: typeof err?.code === "string" ? err.code : undefined,
    cause: e
  })
}

class TimeoutSignal extends Error {
  constructor(readonly timeout: RequestTimeout) {
    super(timeout.message)
  }
}

const toTransportError = (e: unknown): NetworkError | RequestTimeout =>
  e instanceof TimeoutSignal ? e.timeout : networkError(e)

/** One request on the wire: its response once it arrived, and the time limit that ended it, if any. */
interface InFlight {
  res: http.IncomingMessage | undefined
  timedOut: RequestTimeout | undefined
  /** Runs the idle timer (while the SDK waits for data) or stops it (while nobody asks for any). */
  readonly idle: (on: boolean) => void
}

export { DEFAULT_IDLE_TIMEOUT_MS }

/** The response of a `send`, once it arrived, for the finalizer that releases it. */
interface Held {
  res: http.IncomingMessage | undefined
  started: boolean
  /** The scope's exit, when it closed before the response arrived. */
  closed: Exit.Exit<unknown, unknown> | undefined
}

interface Arrived {
  readonly res: http.IncomingMessage
  readonly inFlight: InFlight
}

const pathWithQuery = (request: HttpRequest): string => {
  if (request.query.length === 0) return request.path
  return `${request.path}?${formEncode(request.query)}`
}

/** Writes a streamed body with backpressure, then ends the request. */
const writeStream = (req: http.ClientRequest, body: StreamBody): Effect.Effect<void, SerializationError> =>
  Stream.runForEach(body.stream, (chunk) =>
    Effect.async<void>((resume) => {
      if (req.write(chunk)) return resume(Effect.void)
      const onDrain = () => {
        req.off("close", onDrain)
        resume(Effect.void)
      }
      req.once("drain", onDrain)
      req.once("close", onDrain)
    })
  ).pipe(
    Effect.mapError(bodyStreamError),
    Effect.andThen(Effect.async<void>((resume) => void req.end(() => resume(Effect.void))))
  )

/** Makes a transport over agents that live as long as the scope. */
export const make = (options: NodeTransportOptions = {}) =>
  Effect.gen(function* () {
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 50,
      timeout: options.keepAliveTimeoutMs ?? 15_000,
      scheduling: "lifo" as const
    }
    const httpAgent = new http.Agent(agentOptions)
    const httpsAgent = new https.Agent(agentOptions)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        httpAgent.destroy()
        httpsAgent.destroy()
      })
    )
    const drainLimit = options.drainLimitBytes ?? 65_536

    /** Creates the Node request with its timers; Node refuses what HTTP/1.1 cannot carry. */
    const open = (
      request: HttpRequest,
      send: SendOptions
    ): { readonly req: http.ClientRequest; readonly inFlight: InFlight } | SerializationError => {
      const connectTimeoutMs = send.connectTimeoutMs ?? options.connectTimeoutMs ?? 10_000
      const idleTimeoutMs = send.idleTimeoutMs ?? options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
      const mod = request.protocol === "https:" ? https : http
      let req: http.ClientRequest
      try {
        req = mod.request({
          agent: request.protocol === "https:" ? httpsAgent : httpAgent,
          method: request.method,
          hostname: request.hostname,
          port: request.port,
          path: pathWithQuery(request),
          headers: request.headers
        })
      } catch (e) {
        return new SerializationError({
          message: `the request cannot be sent as HTTP: ${e instanceof Error ? e.message : String(e)}`,
          operation: "",
          direction: "request",
          cause: e
        })
      }
      const inFlight: InFlight = {
        res: undefined,
        timedOut: undefined,
        // only while the response is unfinished: a finished one's socket may already serve another request
        idle: (on) => {
          if (idleTimeoutMs > 0 && inFlight.res?.complete !== true) req.setTimeout(on ? idleTimeoutMs : 0)
        }
      }
      const fail = (timeout: RequestTimeout) => {
        inFlight.timedOut = timeout
        req.destroy(new TimeoutSignal(timeout))
      }
      req.once("socket", (socket) => {
        if (socket.connecting) {
          const timer = setTimeout(
            () =>
              fail(
                new RequestTimeout({
                  message: `no connection to ${request.hostname} within ${connectTimeoutMs} ms`,
                  phase: "connect",
                  timeoutMs: connectTimeoutMs
                })
              ),
            connectTimeoutMs
          )
          socket.once("connect", () => clearTimeout(timer))
          socket.once("close", () => clearTimeout(timer))
        }
      })
      if (idleTimeoutMs > 0) {
        // The socket's idle timer runs while waiting for the response, and while a reader waits for body data.
        req.setTimeout(idleTimeoutMs, () =>
          fail(
            new RequestTimeout({
              message:
                inFlight.res === undefined
                  ? `no response data for ${idleTimeoutMs} ms`
                  : `the response body stalled: no data for ${idleTimeoutMs} ms`,
              phase: inFlight.res === undefined ? "response" : "body",
              timeoutMs: idleTimeoutMs
            })
          )
        )
      }
      return { req, inFlight }
    }

    const awaitResponse = (
      request: HttpRequest,
      send: SendOptions,
      held: Held
    ): Effect.Effect<Arrived, TransportError> =>
      Effect.suspend(() => {
        const opened = open(request, send)
        if (opened instanceof SerializationError) return Effect.fail(opened)
        const { req, inFlight } = opened
        const response = Effect.async<Arrived, TransportError>((resume) => {
          req.once("response", (res) => {
            inFlight.res = res
            held.res = res
            // the body is timed again once someone reads it
            inFlight.idle(false)
            resume(Effect.succeed({ res, inFlight }))
          })
          req.once("error", (e) => resume(Effect.fail(toTransportError(e))))
          return Effect.sync(() => req.destroy())
        })
        const body = request.body
        if (body === undefined || body instanceof Uint8Array) {
          req.end(body)
          return response
        }
        return Effect.gen(function* () {
          const writer = yield* Effect.fork(writeStream(req, body))
          const res = yield* Effect.raceFirst(response, Fiber.join(writer).pipe(Effect.andThen(Effect.never)))
          // The server answered before the body was sent in full: stop writing.
          yield* Fiber.interrupt(writer)
          return res
        })
      })

    const drainTimeoutMs = options.drainTimeoutMs ?? 1_000
    const release = (res: http.IncomingMessage, started: boolean) =>
      Effect.sync(() => {
        // a body in whole but not read: reading it out ends the response, which frees the socket
        if (res.complete) return void (res.readableEnded || res.resume())
        const length = Number(res.headers["content-length"])
        if (started || !(length <= drainLimit)) return void res.destroy()
        // Drain a small remainder so the socket can be reused, but not for ever: a server that
        // stalls would otherwise hold the socket, and a slot of the pool, as long as it likes.
        const timer = setTimeout(() => res.destroy(), drainTimeoutMs)
        timer.unref()
        const done = () => clearTimeout(timer)
        res.once("end", done)
        res.once("close", done)
        res.resume()
      })

    const responseOf = ({ res, inFlight }: Arrived, markStarted: () => void): HttpResponse =>
      // Destroying the request for a timeout makes the body fail as "aborted": report the timeout.
      responseFromMessage(res, (e) => inFlight.timedOut ?? toTransportError(e), markStarted, inFlight.idle)

    /**
     * The whole exchange of a request with a byte body in one asynchronous step: send, read the
     * complete body, and the socket goes back to the pool. Interruption destroys the request.
     */
    const exchangeWhole = (
      request: HttpRequest,
      send: SendOptions
    ): Effect.Effect<WholeResponse, TransportError> =>
      Effect.async<WholeResponse, TransportError>((resume) => {
        const opened = open(request, send)
        if (opened instanceof SerializationError) return resume(Effect.fail(opened))
        const { req, inFlight } = opened
        let done = false
        const finish = (effect: Effect.Effect<WholeResponse, TransportError>) => {
          if (done) return
          done = true
          resume(effect)
        }
        const bodyError = (e: unknown): NetworkError | RequestTimeout =>
          inFlight.timedOut ?? toTransportError(e)
        req.once("response", (res) => {
          inFlight.res = res
          const max = send.maxResponseBytes ?? Number.POSITIVE_INFINITY
          const declared = declaredBodyLength(request.method, res.statusCode ?? 0, res.headers)
          if (declared > max) {
            res.destroy()
            return finish(Effect.fail(responseTooLarge(max, declared)))
          }
          readWhole<TransportError>(
            res,
            bodyError,
            {
              body: (body) =>
                finish(Effect.succeed({ status: res.statusCode ?? 0, headers: headersOf(res), body })),
              failure: (error) => finish(Effect.fail(error))
            },
            max,
            () => responseTooLarge(max, undefined)
          )
        })
        req.once("error", (e) => finish(Effect.fail(toTransportError(e))))
        req.end(request.body as Uint8Array | undefined)
        return Effect.sync(() => {
          done = true
          req.destroy()
        })
      })

    const service: TransportService = {
      exchange: (request, send) =>
        request.body === undefined || request.body instanceof Uint8Array
          ? exchangeWhole(request, send)
          : exchangeOverSend(service, request, send),
      // The response's release is put in the caller's scope before the request is sent, and the
      // response is recorded by its listener, so no step between its arrival and the finalizer
      // needs to be masked from interruption (masking costs run-loop operations on every call).
      // Scope.addFinalizerExit, not Effect.addFinalizer: the latter also saves and restores the
      // fiber's FiberRefs around the finalizer, which one that only releases a socket does not need.
      send: (request, send) =>
        Effect.withFiberRuntime<HttpResponse, TransportError, Scope.Scope>((fiber) => {
          const scope = Context.unsafeGet(fiber.currentContext, Scope.Scope)
          const held: Held = { res: undefined, started: false, closed: undefined }
          const finalizer = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
            const res = held.res
            if (res === undefined) {
              // nothing arrived (yet): a response arriving after the scope closed is released then
              held.closed = exit
              return Effect.void
            }
            return Exit.isInterrupted(exit) ? Effect.sync(() => res.destroy()) : release(res, held.started)
          }
          const markStarted = () => {
            held.started = true
          }
          return Effect.zipRight(
            Scope.addFinalizerExit(scope, finalizer),
            Effect.flatMap(awaitResponse(request, send, held), (arrived) => {
              const response = responseOf(arrived, markStarted)
              return held.closed === undefined
                ? Effect.succeed(response)
                : Effect.as(finalizer(held.closed), response)
            })
          )
        })
    }
    return service
  })

/** The Node transport as a layer; its sockets are closed when the layer's scope closes. */
export const layer = (options?: NodeTransportOptions): Layer.Layer<Transport> =>
  Layer.scoped(Transport, make(options))
