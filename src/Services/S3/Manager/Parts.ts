/**
 * How the transfer manager cuts a body into parts: part sizes, a bounded pool of part buffers, the
 * part readers (a byte array sliced without copying; a stream pulled only when a part is needed),
 * and the per-part and composite checksums S3 computes.
 *
 * Internal to `S3Manager`; exported for its tests.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { base64Decode } from "../../../Protocols/Bytes.js"
import * as Checksums from "../../../Request/Checksums.js"
import { BodyReadError } from "./Errors.js"

export const KiB = 1024
export const MiB = 1024 * KiB
export const GiB = 1024 * MiB

/** S3's limits on multipart uploads. */
export const MAX_PARTS = 10_000
export const MIN_PART_SIZE = 5 * MiB
export const MAX_PART_SIZE = 5 * GiB
export const MAX_OBJECT_SIZE = 5 * 1024 * GiB
/**
 * The largest object S3 can hold: 10,000 parts of 5 GiB (53.7 TB, 48.8 TiB; S3 documents it as
 * "50 TB" since December 2025). A size a server reports beyond it is not believed: downloads and
 * copies refuse it rather than plan for it.
 */
export const MAX_STORED_OBJECT_SIZE = MAX_PARTS * MAX_PART_SIZE
export const DEFAULT_PART_SIZE = 8 * MiB
/** For bodies of unknown length: the part size doubles after every this many parts. */
export const PARTS_PER_SIZE_STEP = 900

/** The checksum the manager sends with every part, or none. */
export type TransferChecksum = Checksums.ChecksumAlgorithm | "none"

/**
 * The size of every part of an upload.
 *
 * - Known length: `partSize`, grown (rounded up to a whole KiB) so the body needs at most 10,000
 *   parts; every part has that size but the last.
 * - Unknown length: `partSize` for parts 1-900, twice that for parts 901-1800, and so on
 *   (capped at 5 GiB): a stream of any size S3 accepts (5 TiB) fits in 10,000 parts even from the
 *   5 MiB minimum (steps of 1,000 would fall short of 5 TiB there), and streams under
 *   `900 x partSize` (7 GiB at the default) never use a larger part. Memory follows the part
 *   size, so a very large stream of unknown length holds larger parts as it goes.
 */
export interface PartSizing {
  readonly sizeOf: (partNumber: number) => number
  /** The first part's size (the threshold under which a body goes as one PutObject). */
  readonly first: number
  /** Parts the body needs, when its length is known. */
  readonly parts: number | undefined
}

export const partSizing = (partSize: number, totalBytes: number | undefined): PartSizing => {
  if (totalBytes !== undefined) {
    const needed = Math.ceil(totalBytes / MAX_PARTS)
    const size = needed > partSize ? Math.ceil(needed / KiB) * KiB : partSize
    return { sizeOf: () => size, first: size, parts: Math.max(1, Math.ceil(totalBytes / size)) }
  }
  return {
    sizeOf: (n) => Math.min(MAX_PART_SIZE, partSize * 2 ** Math.floor((n - 1) / PARTS_PER_SIZE_STEP)),
    first: partSize,
    parts: undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Part buffers.

/**
 * At most `count` part buffers live at once: acquiring one waits while they are all in use, which
 * is what holds a stream upload to about `partSize x concurrency` bytes. Buffers are reused.
 */
export interface BufferPool {
  readonly acquire: (size: number) => Effect.Effect<Uint8Array>
  readonly release: (buffer: Uint8Array) => Effect.Effect<void>
  /** Bytes held by buffers now, in use or free (for tests and benchmarks). */
  readonly allocatedBytes: () => number
}

export const makeBufferPool = (count: number): Effect.Effect<BufferPool> =>
  Effect.map(Effect.makeSemaphore(count), (semaphore) => {
    const free: Array<Uint8Array> = []
    let allocated = 0
    return {
      acquire: (size) =>
        Effect.zipRight(
          semaphore.take(1),
          Effect.sync(() => {
            const i = free.findIndex((b) => b.length >= size)
            if (i >= 0) return free.splice(i, 1)[0]!
            // Drop a free buffer too small for the (grown) part size.
            const dropped = free.pop()
            if (dropped !== undefined) allocated -= dropped.length
            allocated += size
            return new Uint8Array(size)
          })
        ),
      release: (buffer) =>
        Effect.suspend(() => {
          free.push(buffer)
          return semaphore.release(1)
        }),
      allocatedBytes: () => allocated
    }
  })

// ---------------------------------------------------------------------------------------------
// Part readers.

/** One part's bytes; `release` returns its buffer to the pool once the part is sent. */
export interface Part {
  readonly partNumber: number
  readonly bytes: Uint8Array
  /** True when the body ended inside this part (it is the last, and shorter than a full part). */
  readonly short: boolean
  readonly release: Effect.Effect<void>
}

/** Hands out parts one at a time; `Option.none` when the body is done. Not safe to call concurrently. */
export interface PartReader<E> {
  readonly next: Effect.Effect<Option.Option<Part>, E>
}

/** Parts of a byte array: views into it, never copies. */
export const bytesReader = (bytes: Uint8Array, sizing: PartSizing): Effect.Effect<PartReader<never>> =>
  Effect.sync(() => {
    let offset = 0
    let partNumber = 0
    return {
      next: Effect.sync(() => {
        if (offset >= bytes.length && partNumber > 0) return Option.none()
        partNumber++
        const size = sizing.sizeOf(partNumber)
        const end = Math.min(bytes.length, offset + size)
        const part: Part = {
          partNumber,
          bytes: bytes.subarray(offset, end),
          short: end - offset < size,
          release: Effect.void
        }
        offset = end
        return Option.some(part)
      })
    }
  })

/**
 * Parts filled by `fill` (bytes copied into the buffer, up to `size`; fewer only at the end of the
 * body), each in a pooled buffer acquired only when the part is asked for; `exhausted` says the
 * body has nothing left. An empty body is one empty part.
 */
const pooledReader = <E>(
  sizing: PartSizing,
  pool: BufferPool,
  fill: (buffer: Uint8Array, size: number) => Effect.Effect<number, E>,
  exhausted: () => boolean
): PartReader<E> => {
  let partNumber = 0
  return {
    next: Effect.suspend(() => {
      if (exhausted()) return Effect.succeed(Option.none())
      const size = sizing.sizeOf(partNumber + 1)
      return Effect.flatMap(pool.acquire(size), (buffer) =>
        fill(buffer, size).pipe(
          Effect.onError(() => pool.release(buffer)),
          Effect.flatMap((filled) => {
            if (filled === 0 && partNumber > 0) {
              return Effect.as(pool.release(buffer), Option.none<Part>())
            }
            partNumber++
            return Effect.succeed(
              Option.some<Part>({
                partNumber,
                bytes: buffer.subarray(0, filled),
                short: filled < size,
                release: pool.release(buffer)
              })
            )
          })
        )
      )
    })
  }
}

/**
 * Parts of a stream, each copied into a pooled buffer: the stream is pulled only while a part is
 * being filled, and a part is filled only when the pool has a buffer for it.
 */
export const streamReader = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  sizing: PartSizing,
  pool: BufferPool
): Effect.Effect<PartReader<E>, never, Scope.Scope | R> =>
  Effect.zipWith(Stream.toPull(stream), Effect.context<R>(), (pullIn, context) => {
    const pull = Effect.provide(pullIn, context)
    let leftover: Uint8Array | undefined
    let queued: Array<Uint8Array> = []
    let ended = false
    const take = (): Uint8Array | undefined => {
      if (leftover !== undefined) {
        const c = leftover
        leftover = undefined
        return c
      }
      return queued.shift()
    }
    const fill = (buffer: Uint8Array, size: number): Effect.Effect<number, E> =>
      Effect.suspend(() => {
        let filled = 0
        const loop: Effect.Effect<number, E> = Effect.suspend(() => {
          while (filled < size) {
            const chunk = take()
            if (chunk === undefined) break
            const n = Math.min(chunk.length, size - filled)
            buffer.set(n === chunk.length ? chunk : chunk.subarray(0, n), filled)
            filled += n
            if (n < chunk.length) leftover = chunk.subarray(n)
          }
          if (filled >= size || ended) return Effect.succeed(filled)
          return Effect.matchEffect(pull, {
            onFailure: Option.match({
              onNone: () => {
                ended = true
                return Effect.succeed(filled)
              },
              onSome: (e) => Effect.fail(e)
            }),
            onSuccess: (chunk) => {
              queued = Chunk.toArray(chunk) as Array<Uint8Array>
              return loop
            }
          })
        })
        return loop
      })
    return pooledReader(sizing, pool, fill, () => ended && leftover === undefined && queued.length === 0)
  })

/**
 * Parts of an `AsyncIterable` of bytes (a Node `Readable`, an async generator), each copied into a
 * pooled buffer by one promise loop per part: the iterable is read only while a part is being
 * filled, and a part is filled only when the pool has a buffer for it. Closing the scope ends the
 * iterable without waiting for it: `return` on its iterator, and `destroy` on a Node stream.
 */
export const iterableReader = (
  iterable: AsyncIterable<Uint8Array>,
  sizing: PartSizing,
  pool: BufferPool
): Effect.Effect<PartReader<BodyReadError>, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => iterable[Symbol.asyncIterator]()),
      (iterator) =>
        Effect.sync(() => {
          // Not awaited: an async generator's `return` waits for a pending `next`, so a Node
          // stream (whose iterator is one) is destroyed as well.
          iterator.return?.()?.catch(() => undefined)
          const destroy = (iterable as { readonly destroy?: unknown }).destroy
          if (typeof destroy === "function") destroy.call(iterable)
        })
    ),
    (iterator) => {
      let leftover: Uint8Array | undefined
      let ended = false
      const fill = (buffer: Uint8Array, size: number): Effect.Effect<number, BodyReadError> =>
        Effect.tryPromise({
          // Interrupted, the loop stops at its next step without touching the buffer again (the
          // buffer goes back to the pool at once).
          try: async (signal) => {
            let filled = 0
            while (filled < size) {
              let chunk = leftover
              leftover = undefined
              if (chunk === undefined) {
                if (ended) break
                const next = await iterator.next()
                if (signal.aborted) break
                if (next.done === true) {
                  ended = true
                  break
                }
                chunk = next.value as unknown as Uint8Array
                if (!(chunk instanceof Uint8Array)) {
                  throw new TypeError(
                    `it gave ${chunk === null ? "null" : typeof chunk} where bytes (a Uint8Array) were expected`
                  )
                }
              }
              const n = Math.min(chunk.length, size - filled)
              buffer.set(n === chunk.length ? chunk : chunk.subarray(0, n), filled)
              filled += n
              if (n < chunk.length) leftover = chunk.subarray(n)
            }
            return filled
          },
          catch: (cause) =>
            new BodyReadError({
              message: `the body failed while it was read: ${cause instanceof Error ? cause.message : String(cause)}`,
              cause
            })
        })
      return pooledReader(sizing, pool, fill, () => ended && leftover === undefined)
    }
  )

// ---------------------------------------------------------------------------------------------
// Checksums.

/**
 * The checksum S3 reports for a multipart object (a "composite" checksum): the checksum of the
 * concatenated raw part checksums, in base64, followed by `-` and the number of parts.
 */
export const compositeChecksum = (
  algorithm: Checksums.ChecksumAlgorithm,
  partChecksums: ReadonlyArray<string>
): string => {
  const h = Checksums.hasher(algorithm)
  // a part checksum that is not base64 adds no bytes, so the composite cannot match S3's
  for (const c of partChecksums) h.update(base64Decode(c) ?? new Uint8Array(0))
  return `${Checksums.digestBase64(h)}-${partChecksums.length}`
}

/** The input member that carries a checksum (`ChecksumCRC32`, ...). */
export const checksumMember = (
  algorithm: Checksums.ChecksumAlgorithm
): "ChecksumCRC32" | "ChecksumCRC32C" | "ChecksumSHA1" | "ChecksumSHA256" => `Checksum${algorithm}`

/** Views of at most `size` bytes over `bytes` (no copies), so a body is written in pieces. */
export const slices = (bytes: Uint8Array, size: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(bytes.length, i + size)))
  return out
}
