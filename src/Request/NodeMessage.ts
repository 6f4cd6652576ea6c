/**
 * Reading a Node `http.IncomingMessage` for the Node transport: its headers, its body read whole
 * (one reader, for `exchange` and for `bytes`) or in batches (for a `Stream` and the transfer
 * manager), and the message as the pipeline's `HttpResponse`. Every reader meets the message's
 * end, its errors and a connection that closed early the same way (`onBody`).
 *
 * @since 0.1.0
 */
import type * as http from "node:http"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type ReadBatch, withBatches, withWholeBody } from "./Body.js"
import type { NetworkError, RequestTimeout } from "./Errors.js"
import type { HttpResponse } from "./Transport.js"

export const headersOf = (res: http.IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  const headers = res.headers
  for (const k in headers) {
    const v = headers[k]
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v
  }
  return out
}

/** The message a body cut short by its connection fails with. */
const CLOSED_EARLY = "the connection closed before the whole body arrived"

/**
 * Why a response can no longer be read, if it was destroyed before its body was: its connection
 * closed while nothing listened, and Node destroyed it without an `error` event (its `close` event
 * has gone by), so a reader that starts later must look rather than wait.
 */
export const closedEarly = (res: http.IncomingMessage): Error | undefined =>
  res.destroyed && !res.readableEnded ? (res.errored ?? new Error(CLOSED_EARLY)) : undefined

/** What a body reader does with the message's events. */
interface BodyEvents {
  readonly data: (chunk: Buffer) => void
  readonly end: () => void
  /** An `error` event, or the connection closed before the end. */
  readonly error: (e: unknown) => void
}

/** Listens to a message's body: its chunks, its end, and its failure (an error, or an early close). */
const onBody = (res: http.IncomingMessage, events: BodyEvents): void => {
  let ended = false
  res.on("data", events.data)
  res.once("end", () => {
    ended = true
    events.end()
  })
  res.once("error", events.error)
  // "close" follows "end" on every response: build the error only when it means one
  res.once("close", () => {
    if (!ended) events.error(new Error(CLOSED_EARLY))
  })
}

/** Where a whole body goes: `body` or `failure` is called once. */
export interface WholeBodySink<E> {
  readonly body: (body: Uint8Array) => void
  readonly failure: (error: E) => void
}

/**
 * Reads the rest of a message's body whole, into `sink`: the body, or the failure (`tooLarge` past
 * `max` bytes, the message then destroyed). The caller has checked that the message can still be
 * read (`closedEarly`).
 */
export const readWhole = <E>(
  res: http.IncomingMessage,
  bodyError: (e: unknown) => E,
  sink: WholeBodySink<E>,
  max = Number.POSITIVE_INFINITY,
  tooLarge?: () => E
): void => {
  let finished = false
  const chunks: Array<Buffer> = []
  let size = 0
  onBody(res, {
    data: (c) => {
      size += c.length
      if (size > max && tooLarge !== undefined) {
        res.destroy()
        if (!finished) {
          finished = true
          sink.failure(tooLarge())
        }
        return
      }
      chunks.push(c)
    },
    end: () => {
      if (finished) return
      finished = true
      sink.body(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    },
    error: (e) => {
      if (finished) return
      finished = true
      sink.failure(bodyError(e))
    }
  })
}

/** Bytes a body reader holds before it stops reading the socket (unless a read asks for more). */
const READ_AHEAD = 256 * 1024

/**
 * What a step of a body's `Stream` waits for, unless the socket goes quiet first (then it takes
 * what there is, so a slow body is never held back): on a fast link, one step per several socket
 * chunks (bench/README.md, "Measurements", has the numbers that chose it).
 */
const STREAM_BATCH = 512 * 1024

/**
 * Reads a response body in batches: chunks are kept as they arrive (no copies) and a read takes
 * every chunk there is, so a consumer slower than the socket gets several chunks per step of its
 * own rather than one (a step of an Effect `Stream` costs more than a 64 KiB chunk on a fast link).
 * The socket is paused above `READ_AHEAD` bytes held (or twice what the last read asked for, so a
 * reader of large batches keeps the socket busy while it hands one on), so memory stays bounded.
 */
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
    onBody(res, {
      data: (c) => {
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
      },
      end: () => {
        ended = true
        signal()
      },
      error: (e) => {
        failure ??= bodyError(e)
        signal()
      }
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

/**
 * A message whose body is still to be read as the pipeline's response: `bytes` reads it whole,
 * `stream` in batches; `markStarted` is told when a read begins, `idle` runs the socket's idle
 * timer while a reader waits for data.
 */
export const responseOf = (
  res: http.IncomingMessage,
  bodyError: (e: unknown) => NetworkError | RequestTimeout,
  markStarted: () => void,
  idle: (on: boolean) => void
): HttpResponse => {
  const whenRead = Effect.async<Uint8Array, NetworkError | RequestTimeout>((resume) => {
    markStarted()
    idle(true)
    const closed = closedEarly(res)
    if (closed !== undefined) return void resume(Effect.fail(bodyError(closed)))
    readWhole(res, bodyError, {
      body: (body) => resume(Effect.succeed(body)),
      failure: (error) => resume(Effect.fail(error))
    })
    return Effect.sync(() => res.destroy())
  })
  // A small body has usually arrived whole with its headers (the parser has taken the whole
  // message, `complete`, before the fiber waiting for the response runs): it is taken from the
  // response's buffer at once, without `data` listeners, and the read only waits for `end`
  // (which frees the socket for the next request) in a plain asynchronous step, not one with a
  // canceller, which costs several times the run-loop operations. There is nothing to cancel: the
  // body is in, and `end` (or `close`) follows within the turn.
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
    if (reader === undefined) reader = bodyReader(res, bodyError, markStarted, idle)
    return reader(minBytes, settleWhenQuiet)
  }
  const stream = Stream.suspend(() =>
    Stream.repeatEffectChunkOption(
      Effect.matchEffect(read(STREAM_BATCH, true), {
        onFailure: (e) => Effect.fail(Option.some(e)),
        onSuccess: (chunks) =>
          chunks === undefined ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(chunks))
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
