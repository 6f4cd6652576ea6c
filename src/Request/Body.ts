/**
 * Reading a streaming output member whole: `Body.bytes(out.Body)` (S3 `GetObject`, Lambda
 * `Invoke` payload streams, ...), the counterpart of v3's `transformToByteArray()`.
 *
 * A response body is a `Stream`, and running any `Stream` costs the same fixed machinery (a
 * channel executor, its scope and fibers: 90-200 µs a run measured in `bench/`) however small the
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
import * as Stream from "effect/Stream"

const WholeBody: unique symbol = Symbol.for("effect-aws-sdk/Body/WholeBody")

interface WithWholeBody<E> {
  readonly [WholeBody]: Effect.Effect<Uint8Array, E>
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
