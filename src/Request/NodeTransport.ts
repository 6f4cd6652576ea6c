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
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { formEncode } from "../Protocols/UriEncoding.js"
import { type ReadBatch, withBatches, withWholeBody } from "./Body.js"
import { NetworkError, RequestTimeout, SerializationError } from "./Errors.js"
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
interface Exchange {
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
  readonly exchange: Exchange
}

const headersOf = (res: http.IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  const headers = res.headers
  for (const k in headers) {
    const v = headers[k]
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v
  }
  return out
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

/** Bytes a body reader holds before it stops reading the socket (unless a read asks for more). */
const READ_AHEAD = 256 * 1024

/**
 * What a step of a body's `Stream` waits for, unless the socket goes quiet first (then it takes
 * what there is, so a slow body is never held back): on a fast link, one step per several socket
 * chunks. 256 MiB over loopback: ~380 ms of CPU one step per turn of the event loop, ~325 waiting
 * for 256 KiB, ~275 for 512 KiB (v3's stream: ~260).
 */
const STREAM_BATCH = 512 * 1024

/**
 * Reads a response body in batches: chunks are kept as they arrive (no copies) and a read takes
 * every chunk there is, so a consumer slower than the socket gets several chunks per step of its
 * own rather than one (a step of an Effect `Stream` costs more than a 64 KiB chunk on a fast link).
 * The socket is paused above `READ_AHEAD` bytes held (or twice what the last read asked for, so a
 * reader of large batches keeps the socket busy while it hands one on), so memory stays bounded.
 */
/** The message a body cut short by its connection fails with. */
const CLOSED_EARLY = "the connection closed before the whole body arrived"

/**
 * Why a response can no longer be read, if it was destroyed before its body was: its connection
 * closed while nothing listened, and Node destroyed it without an `error` event (its `close` event
 * has gone by), so a reader that starts later must look rather than wait.
 */
const closedEarly = (res: http.IncomingMessage): Error | undefined =>
  res.destroyed && !res.readableEnded ? (res.errored ?? new Error(CLOSED_EARLY)) : undefined

const bodyReader = <E>(
  res: http.IncomingMessage,
  bodyError: (e: unknown) => E,
  markStarted: () => void,
  idle: (on: boolean) => void
): ((minBytes: number, settleWhenQuiet?: boolean) => ReturnType<ReadBatch<E>>) => {
  let chunks: Array<Uint8Array> = []
  let held = 0
  let ended = false
  let failure: E | undefined
  let listening = false
  let want = 1
  let wake: (() => void) | undefined
  // A waiting read is woken once the data that arrived in this turn of the event loop is in (the
  // socket hands over up to 64 KiB a callback, often many in a row): one step of the reader's
  // fiber per turn, not one per chunk.
  let scheduled = false
  const wakeNow = () => {
    scheduled = false
    wake?.()
  }
  const signal = () => {
    if (wake === undefined || scheduled) return
    scheduled = true
    setImmediate(wakeNow)
  }
  // A read that settles for less once the socket goes quiet: woken with what is held when a whole
  // turn of the event loop brought nothing more.
  let settle = false
  let arrivals = 0
  let seen = -1
  const quietCheck = () => {
    if (wake === undefined || !settle) {
      seen = -1
      return
    }
    if (arrivals === seen) {
      seen = -1
      want = 1
      return wakeNow()
    }
    seen = arrivals
    setImmediate(quietCheck)
  }
  const listen = () => {
    listening = true
    markStarted()
    idle(true)
    res.on("data", (c: Buffer) => {
      chunks.push(c)
      held += c.length
      arrivals++
      if (held >= READ_AHEAD && held >= 2 * want) {
        res.pause()
        idle(false)
      }
      if (held >= want) signal()
      else if (settle && seen === -1 && wake !== undefined) {
        seen = arrivals
        setImmediate(quietCheck)
      }
    })
    res.once("end", () => {
      ended = true
      signal()
    })
    res.once("error", (e) => {
      failure ??= bodyError(e)
      signal()
    })
    // "close" follows "end" on every response: build the error only when it means one
    res.once("close", () => {
      if (!ended) failure ??= bodyError(new Error(CLOSED_EARLY))
      signal()
    })
    const closed = closedEarly(res)
    if (closed !== undefined) failure ??= bodyError(closed)
  }
  /** Every chunk held (`undefined` when none: the end); reading resumes if it was paused. */
  const take = (): ReadonlyArray<Uint8Array> | undefined => {
    if (held === 0) return undefined
    const out = chunks
    chunks = []
    held = 0
    if (!ended && res.isPaused()) {
      idle(true)
      res.resume()
    }
    return out
  }
  const ready = (minBytes: number): Effect.Effect<ReadonlyArray<Uint8Array> | undefined, E> | undefined => {
    if (failure !== undefined) return Effect.fail(failure)
    if ((held > 0 && held >= minBytes) || ended) return Effect.succeed(take())
    return undefined
  }
  return (minBytes, settleWhenQuiet = false) =>
    Effect.suspend(() => {
      want = minBytes
      settle = settleWhenQuiet
      if (!listening) listen()
      const now = ready(minBytes)
      if (now !== undefined) return now
      return Effect.async<ReadonlyArray<Uint8Array> | undefined, E>((resume) => {
        if (res.isPaused()) {
          idle(true)
          res.resume()
        }
        if (settle && held > 0 && seen === -1) {
          seen = arrivals
          setImmediate(quietCheck)
        }
        wake = () => {
          const now = ready(want)
          if (now === undefined) return
          wake = undefined
          resume(now)
        }
        return Effect.sync(() => {
          wake = undefined
        })
      })
    })
}

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
    ): { readonly req: http.ClientRequest; readonly exchange: Exchange } | SerializationError => {
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
      const exchange: Exchange = {
        res: undefined,
        timedOut: undefined,
        // only while the response is unfinished: a finished one's socket may already serve another request
        idle: (on) => {
          if (idleTimeoutMs > 0 && exchange.res?.complete !== true) req.setTimeout(on ? idleTimeoutMs : 0)
        }
      }
      const fail = (timeout: RequestTimeout) => {
        exchange.timedOut = timeout
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
                exchange.res === undefined
                  ? `no response data for ${idleTimeoutMs} ms`
                  : `the response body stalled: no data for ${idleTimeoutMs} ms`,
              phase: exchange.res === undefined ? "response" : "body",
              timeoutMs: idleTimeoutMs
            })
          )
        )
      }
      return { req, exchange }
    }

    const awaitResponse = (
      request: HttpRequest,
      send: SendOptions,
      held: Held
    ): Effect.Effect<Arrived, TransportError> =>
      Effect.suspend(() => {
        const opened = open(request, send)
        if (opened instanceof SerializationError) return Effect.fail(opened)
        const { req, exchange } = opened
        const response = Effect.async<Arrived, TransportError>((resume) => {
          req.once("response", (res) => {
            exchange.res = res
            held.res = res
            // the body is timed again once someone reads it
            exchange.idle(false)
            resume(Effect.succeed({ res, exchange }))
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

    const responseOf = ({ res, exchange }: Arrived, markStarted: () => void): HttpResponse => {
      // Destroying the request for a timeout makes the body fail as "aborted": report the timeout.
      const bodyError = (e: unknown): NetworkError | RequestTimeout =>
        exchange.timedOut ?? toTransportError(e)
      const whenRead = Effect.async<Uint8Array, NetworkError | RequestTimeout>((resume) => {
        markStarted()
        exchange.idle(true)
        let done = false
        const finish = (effect: Effect.Effect<Uint8Array, NetworkError | RequestTimeout>) => {
          if (done) return
          done = true
          resume(effect)
        }
        const closed = closedEarly(res)
        if (closed !== undefined) return void finish(Effect.fail(bodyError(closed)))
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.once("end", () =>
          finish(Effect.succeed(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
        )
        res.once("error", (e) => finish(Effect.fail(bodyError(e))))
        // "close" follows "end" on every response: build the error only when it means one
        res.once("close", () => {
          if (!done) {
            finish(Effect.fail(bodyError(new Error(CLOSED_EARLY))))
          }
        })
        return Effect.sync(() => res.destroy())
      })
      // A small body has usually arrived whole with its headers (the parser has taken the whole
      // message, `complete`, before the fiber waiting for the response runs): it is taken from the
      // response's buffer at once, without `data` listeners, and the read only waits for `end`
      // (which frees the socket for the next request) in a plain asynchronous step, not one with a
      // canceller: `Effect.async` with one is ~12 run-loop operations, this ~3. There is nothing
      // to cancel: the body is in, and `end` (or `close`) follows within the turn.
      let taken = false
      const bytes = Effect.suspend(() => {
        if (
          taken ||
          !res.complete ||
          res.destroyed ||
          res.readableFlowing !== null ||
          res.listenerCount("data") > 0
        )
          return whenRead
        taken = true
        markStarted()
        const body = (res.read() as Buffer | null) ?? Buffer.alloc(0)
        if (res.readableEnded) return Effect.succeed<Uint8Array>(body)
        return Effect.async<Uint8Array>((resume) => {
          const done = () => resume(Effect.succeed(body))
          res.once("end", done)
          res.once("close", done)
        })
      })
      // The batch reader and the `Stream` are made when first used: `Body.bytes` uses neither.
      let reader: ReturnType<typeof bodyReader<NetworkError | RequestTimeout>> | undefined
      const read = (minBytes: number, settleWhenQuiet?: boolean) => {
        if (reader === undefined) reader = bodyReader(res, bodyError, markStarted, exchange.idle)
        return reader(minBytes, settleWhenQuiet)
      }
      const stream = Stream.suspend(() =>
        Stream.repeatEffectChunkOption(
          Effect.matchEffect(read(STREAM_BATCH, true), {
            onFailure: (e) => Effect.fail(Option.some(e)),
            onSuccess: (chunks) =>
              chunks === undefined
                ? Effect.fail(Option.none())
                : Effect.succeed(Chunk.unsafeFromArray(chunks))
          })
        )
      )
      // `Body.bytes` reads a streamed body through `bytes`, skipping the Stream machinery; the
      // transfer manager reads batches through `read`
      return {
        status: res.statusCode ?? 0,
        headers: headersOf(res),
        bytes,
        stream: withBatches(withWholeBody(stream, bytes), read)
      }
    }

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
        const { req, exchange } = opened
        let done = false
        const finish = (effect: Effect.Effect<WholeResponse, TransportError>) => {
          if (done) return
          done = true
          resume(effect)
        }
        const bodyError = (e: unknown): NetworkError | RequestTimeout =>
          exchange.timedOut ?? toTransportError(e)
        req.once("response", (res) => {
          exchange.res = res
          const max = send.maxResponseBytes ?? Number.POSITIVE_INFINITY
          const declared = declaredBodyLength(request.method, res.statusCode ?? 0, res.headers)
          if (declared > max) {
            res.destroy()
            return finish(Effect.fail(responseTooLarge(max, declared)))
          }
          const chunks: Array<Buffer> = []
          let size = 0
          res.on("data", (c: Buffer) => {
            size += c.length
            if (size > max) {
              res.destroy()
              return finish(Effect.fail(responseTooLarge(max, undefined)))
            }
            chunks.push(c)
          })
          res.once("end", () =>
            finish(
              Effect.succeed({
                status: res.statusCode ?? 0,
                headers: headersOf(res),
                body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
              })
            )
          )
          res.once("error", (e) => finish(Effect.fail(bodyError(e))))
          res.once("close", () => {
            if (!done) {
              finish(Effect.fail(bodyError(new Error(CLOSED_EARLY))))
            }
          })
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
      // needs to be masked from interruption (`uninterruptibleMask`, `Effect.scope` and the rest
      // were ~6 run-loop operations a call). Scope.addFinalizerExit, not Effect.addFinalizer: the
      // latter also saves the fiber's FiberRefs to restore them around the finalizer (two FiberRefs
      // diffs and patches, ~10 us a request), which a finalizer that only releases a socket does
      // not need.
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
