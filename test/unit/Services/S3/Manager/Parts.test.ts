/**
 * The transfer manager's part arithmetic: part sizes (known and unknown lengths), the bounded
 * buffer pool, the part readers, and the composite checksum (held to `@aws-crypto/crc32`).
 */
import { Crc32 } from "@aws-crypto/crc32"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Checksums from "../../../../../src/Request/Checksums.js"
import * as Parts from "../../../../../src/Services/S3/Manager/Parts.js"

const MiB = 1024 * 1024

describe("part sizes", () => {
  it("known length: the requested size while it fits 10,000 parts, grown (to a whole KiB) beyond", () => {
    expect(Parts.partSizing(8 * MiB, 100 * MiB)).toMatchObject({ first: 8 * MiB, parts: 13 })
    expect(Parts.partSizing(8 * MiB, 80_000 * MiB)).toMatchObject({ first: 8 * MiB, parts: 10_000 })
    const grown = Parts.partSizing(8 * MiB, 80_000 * MiB + 1)
    expect(grown.first).toBeGreaterThan(8 * MiB)
    expect(grown.first % 1024).toBe(0)
    expect(grown.parts).toBeLessThanOrEqual(10_000)
    const max = Parts.partSizing(8 * MiB, Parts.MAX_OBJECT_SIZE)
    expect(max.parts).toBeLessThanOrEqual(10_000)
    expect(max.first).toBeLessThanOrEqual(Parts.MAX_PART_SIZE)
    expect(Parts.partSizing(8 * MiB, 0)).toMatchObject({ first: 8 * MiB, parts: 1 })
  })

  it("unknown length: doubles every 900 parts, capped at 5 GiB; 5 TiB fits in 10,000 parts, even from 5 MiB", () => {
    const s = Parts.partSizing(8 * MiB, undefined)
    expect([s.sizeOf(1), s.sizeOf(900), s.sizeOf(901), s.sizeOf(1801), s.sizeOf(10_000)]).toEqual([
      8 * MiB,
      8 * MiB,
      16 * MiB,
      32 * MiB,
      Parts.MAX_PART_SIZE
    ])
    let total = 0
    for (let n = 1; n <= 10_000; n++) total += s.sizeOf(n)
    expect(total).toBeGreaterThanOrEqual(Parts.MAX_OBJECT_SIZE)
    const small = Parts.partSizing(5 * MiB, undefined)
    let smallTotal = 0
    for (let n = 1; n <= 10_000; n++) smallTotal += small.sizeOf(n)
    expect(smallTotal).toBeGreaterThanOrEqual(Parts.MAX_OBJECT_SIZE)
  })
})

describe("buffer pool", () => {
  it.effect("holds at most `count` buffers; acquiring waits until one is released, which is reused", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(2)
      const a = yield* pool.acquire(10)
      yield* pool.acquire(10)
      const third = yield* Effect.fork(pool.acquire(10))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(third))).toBe(true)
      yield* pool.release(a)
      const c = yield* Fiber.join(third)
      expect(c).toBe(a)
      expect(pool.allocatedBytes()).toBe(20)
    })
  )
})

describe("part readers", () => {
  const collect = <E>(reader: Parts.PartReader<E>) =>
    Effect.gen(function* () {
      const out: Array<{ n: number; bytes: Array<number>; short: boolean }> = []
      while (true) {
        const part = yield* reader.next
        if (Option.isNone(part)) return out
        out.push({ n: part.value.partNumber, bytes: Array.from(part.value.bytes), short: part.value.short })
        yield* part.value.release
      }
    })

  it.effect("a byte array: views of partSize, the last one short", () =>
    Effect.gen(function* () {
      const reader = yield* Parts.bytesReader(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), Parts.partSizing(3, 7))
      expect(yield* collect(reader)).toEqual([
        { n: 1, bytes: [1, 2, 3], short: false },
        { n: 2, bytes: [4, 5, 6], short: false },
        { n: 3, bytes: [7], short: true }
      ])
      const empty = yield* Parts.bytesReader(new Uint8Array(0), Parts.partSizing(3, 0))
      expect(yield* collect(empty)).toEqual([{ n: 1, bytes: [], short: true }])
    })
  )

  it.scoped(
    "a stream: chunks of any size cut at part boundaries; an exact multiple ends without an empty part",
    () =>
      Effect.gen(function* () {
        const pool = yield* Parts.makeBufferPool(2)
        const chunks = Stream.fromChunks(
          Chunk.make(new Uint8Array([1, 2]), new Uint8Array([3, 4, 5, 6, 7])),
          Chunk.make(new Uint8Array([8]))
        )
        const reader = yield* Parts.streamReader(chunks, Parts.partSizing(4, undefined), pool)
        expect(yield* collect(reader)).toEqual([
          { n: 1, bytes: [1, 2, 3, 4], short: false },
          { n: 2, bytes: [5, 6, 7, 8], short: false }
        ])
        const one = yield* Parts.streamReader(
          Stream.make(new Uint8Array([9])),
          Parts.partSizing(4, undefined),
          pool
        )
        expect(yield* collect(one)).toEqual([{ n: 1, bytes: [9], short: true }])
        const none = yield* Parts.streamReader(Stream.empty, Parts.partSizing(4, undefined), pool)
        expect(yield* collect(none)).toEqual([{ n: 1, bytes: [], short: true }])
      })
  )

  it.scoped("an AsyncIterable: cut at part boundaries like a stream; its failure is a BodyReadError", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(1)
      const from = (...chunks: Array<Array<number>>) =>
        (async function* () {
          for (const c of chunks) yield new Uint8Array(c)
        })()
      const reader = yield* Parts.iterableReader(
        from([1, 2], [3, 4, 5, 6, 7], [8]),
        Parts.partSizing(4, undefined),
        pool
      )
      expect(yield* collect(reader)).toEqual([
        { n: 1, bytes: [1, 2, 3, 4], short: false },
        { n: 2, bytes: [5, 6, 7, 8], short: false }
      ])
      const none = yield* Parts.iterableReader(from(), Parts.partSizing(4, undefined), pool)
      expect(yield* collect(none)).toEqual([{ n: 1, bytes: [], short: true }])
      const failing = yield* Parts.iterableReader(
        (async function* () {
          yield new Uint8Array([1])
          throw new Error("broken")
        })(),
        Parts.partSizing(4, undefined),
        pool
      )
      const error = yield* Effect.flip(failing.next)
      expect(error._tag).toBe("BodyReadError")
      expect(error.message).toBe("the body failed while it was read: broken")
      yield* pool.acquire(4) // would wait for ever if the buffer had not been released
    })
  )

  it.scoped("a stream's failure is the reader's, and the buffer goes back to the pool", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(1)
      const failing = Stream.concat(Stream.make(new Uint8Array([1])), Stream.fail("broken"))
      const reader = yield* Parts.streamReader(failing, Parts.partSizing(4, undefined), pool)
      expect(yield* Effect.flip(reader.next)).toBe("broken")
      yield* pool.acquire(4) // would wait for ever if the buffer had not been released
    })
  )
})

describe("composite checksum", () => {
  it("is the checksum of the concatenated raw part checksums, with -N (held to @aws-crypto/crc32)", () => {
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), new Uint8Array(1000).fill(7)]
    const partSums = parts.map((p) => Checksums.checksumBase64("CRC32", p))
    const reference = new Crc32()
    for (const p of parts) {
      const c = new Crc32().update(p).digest()
      const raw = new Uint8Array(4)
      new DataView(raw.buffer).setUint32(0, c >>> 0, false)
      reference.update(raw)
    }
    const expected = new Uint8Array(4)
    new DataView(expected.buffer).setUint32(0, reference.digest() >>> 0, false)
    expect(Parts.compositeChecksum("CRC32", partSums)).toBe(`${Buffer.from(expected).toString("base64")}-3`)
  })

  it("slices are views, never copies", () => {
    const bytes = new Uint8Array(10)
    const s = Parts.slices(bytes, 4)
    expect(s.map((x) => x.length)).toEqual([4, 4, 2])
    expect(s.every((x) => x.buffer === bytes.buffer)).toBe(true)
  })
})
