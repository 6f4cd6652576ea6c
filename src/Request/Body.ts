/**
 * Reading a streaming output member whole: `Body.bytes(out.Body)` (S3 `GetObject`, Lambda
 * `Invoke` payload streams, ...), the counterpart of v3's `transformToByteArray()`; and marking a
 * streamed request body that can be run again: `Body.replayable(stream)`.
 *
 * A response body is a `Stream`, and running any `Stream` costs the same fixed machinery (a
 * channel executor, its scope and fibers; bench/README.md has the figures) however small the
 * body. When the transport that produced the stream can hand over the whole body directly, the
 * stream carries that reader and `bytes` uses it; any other stream (a transformed one, a user's
 * own) is collected as usual. Either way the body is consumed once, in the caller's scope.
 *
 * @example
 * const data = yield* Effect.scoped(
 *   Effect.flatMap(S3.getObject({ Bucket, Key }), (out) => Body.bytes(out.Body))
 * )
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

const WholeBody: unique symbol = Symbol.for("effect-aws-sdk/Body/WholeBody")
const Replayable: unique symbol = Symbol.for("effect-aws-sdk/Body/Replayable")
const Batches: unique symbol = Symbol.for("effect-aws-sdk/Body/Batches")

interface WithWholeBody<E> {
  readonly [WholeBody]: Effect.Effect<Uint8Array, E>
}

/**
 * Reads the next batch of a body: every chunk that arrived since the last read, waiting until at
 * least `minBytes` are there (or the body ended); `undefined` once the body is over.
 */
export type ReadBatch<E> = (minBytes: number) => Effect.Effect<ReadonlyArray<Uint8Array> | undefined, E>

interface WithBatches<E> {
  readonly [Batches]: ReadBatch<E>
}

const EMPTY = new Uint8Array(0)

/**
 * Marks a response stream with the effect that reads the same body whole (for transports): both
 * consume the one response, so only one of them may run.
 */
export const withWholeBody = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  bytes: Effect.Effect<Uint8Array, E>
): Stream.Stream<Uint8Array, E> => Object.assign(stream, { [WholeBody]: bytes })

const hasWholeBody = <E>(
  stream: Stream.Stream<Uint8Array, E>
): stream is Stream.Stream<Uint8Array, E> & WithWholeBody<E> => WholeBody in stream

/**
 * Marks a response stream with the transport's own batch reader of the same body (for
 * transports): both consume the one response, so only one of them may run.
 */
export const withBatches = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  read: ReadBatch<E>
): Stream.Stream<Uint8Array, E> => Object.assign(stream, { [Batches]: read })

const hasBatches = <E>(
  stream: Stream.Stream<Uint8Array, E>
): stream is Stream.Stream<Uint8Array, E> & WithBatches<E> => Batches in stream

/**
 * A reader of a body in batches, for consumers that move bytes along without looking at each chunk
 * (the transfer manager): with the transport's reader, chunks are handed over as they arrived,
 * without running a `Stream` (whose per-chunk machinery costs more than the bytes on a fast link);
 * any other stream is pulled through `Stream.toPull` in the scope. The body is consumed once.
 */
export const batches = <E>(
  body: Stream.Stream<Uint8Array, E> | undefined
): Effect.Effect<ReadBatch<E>, never, Scope.Scope> =>
  body === undefined
    ? Effect.succeed(() => Effect.succeed(undefined))
    : hasBatches(body)
      ? Effect.succeed(body[Batches])
      : Effect.map(Stream.toPull(body), (pull): ReadBatch<E> => {
          let ended = false
          return (minBytes) =>
            Effect.suspend(() => {
              if (ended) return Effect.succeed(undefined)
              const got: Array<Uint8Array> = []
              let held = 0
              const more: Effect.Effect<ReadonlyArray<Uint8Array> | undefined, E> = Effect.matchEffect(pull, {
                onFailure: Option.match({
                  onNone: () => {
                    ended = true
                    return Effect.succeed(got.length === 0 ? undefined : got)
                  },
                  onSome: Effect.fail
                }),
                onSuccess: (chunk) => {
                  for (const c of chunk) {
                    got.push(c)
                    held += c.length
                  }
                  return held > 0 && held >= minBytes ? Effect.succeed(got) : more
                }
              })
              return more
            })
        })

/**
 * The same body, with every chunk shown to `see` as it is read and `end` asked once the body is
 * over (a failure it returns ends the body instead): for checks over the whole body, such as a
 * response checksum. Whichever way the body is read (as a stream, whole, or in batches), it
 * passes through both; the body is still consumed once.
 */
export const observed = <E, E2>(
  body: Stream.Stream<Uint8Array, E>,
  see: (chunk: Uint8Array) => void,
  end: () => E2 | undefined
): Stream.Stream<Uint8Array, E | E2> => {
  // asked once, however often a reader comes back after the end
  let verdict: { readonly failure: E2 | undefined } | undefined
  const judge = (): E2 | undefined => {
    verdict ??= { failure: end() }
    return verdict.failure
  }
  const finish = Effect.suspend(() => {
    const failure = judge()
    return failure === undefined ? Effect.void : Effect.fail(failure)
  })
  const stream: Stream.Stream<Uint8Array, E | E2> = Stream.concat(
    Stream.mapChunks(body, (chunk) => {
      for (const c of chunk) see(c)
      return chunk
    }),
    Stream.suspend(() => {
      const failure = judge()
      return failure === undefined ? Stream.empty : Stream.fail(failure)
    })
  )
  const marked = hasWholeBody(body)
    ? withWholeBody(
        stream,
        Effect.flatMap(body[WholeBody], (bytes) => {
          see(bytes)
          return Effect.as(finish, bytes)
        })
      )
    : stream
  if (!hasBatches(body)) return marked
  const read = body[Batches]
  return withBatches(marked, (minBytes) =>
    Effect.flatMap(read(minBytes), (chunks) => {
      if (chunks === undefined) return Effect.as(finish, undefined)
      for (const c of chunks) see(c)
      return Effect.succeed(chunks)
    })
  )
}

/** The parts joined into one array (the part itself when there is only one). */
export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (parts.length === 1) return parts[0]!
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/** The whole body as bytes (empty when there is none). */
export const bytes = <E>(body: Stream.Stream<Uint8Array, E> | undefined): Effect.Effect<Uint8Array, E> =>
  body === undefined
    ? Effect.succeed(EMPTY)
    : hasWholeBody(body)
      ? body[WholeBody]
      : Effect.map(Stream.runCollect(body), (chunks) => concat(Chunk.toReadonlyArray(chunks)))

const decoder = new TextDecoder()

/** The whole body as UTF-8 text. */
export const text = <E>(body: Stream.Stream<Uint8Array, E> | undefined): Effect.Effect<string, E> =>
  Effect.map(bytes(body), (b) => decoder.decode(b))

/**
 * Marks a streamed request body as one that produces the same bytes each time it is run (a file
 * opened afresh by each run, bytes already in memory): a retry runs it again. Any other stream
 * may be readable only once (a Node `Readable` made a `Stream`), so the SDK keeps what it sent,
 * up to `replayBufferBytes`, to send that again instead, and does not retry a call that sent more.
 *
 * @example
 * const Body = Body.replayable(Stream.suspend(() => fileSystem.stream(path)))
 */
export const replayable = <E>(stream: Stream.Stream<Uint8Array, E>): Stream.Stream<Uint8Array, E> =>
  Object.assign(
    Stream.suspend(() => stream),
    { [Replayable]: true }
  )

/** Whether the stream was marked with `replayable`. */
export const isReplayable = (stream: Stream.Stream<Uint8Array, unknown>): boolean => Replayable in stream
