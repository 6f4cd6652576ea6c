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
import { settled } from "../../../../support/Clock.js"

const MiB = 1024 * 1024

/** `effect`'s result once every other fiber has run; a failure naming `what` if it still waits. */
const answered = <A, E>(effect: Effect.Effect<A, E>, what: string): Effect.Effect<A, E> =>
  Effect.flatMap(Effect.fork(effect), (fiber) => Effect.flatten(settled(fiber, what)))

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
      const c = yield* Effect.flatten(settled(third, "the third acquire once a buffer was released"))
      expect(c).toBe(a)
      expect(pool.allocatedBytes()).toBe(20)
    })
  )
})

describe("part readers", () => {
  const collect = <E>(reader: Parts.PartReader<E>) =>
    Effect.gen(function* () {
      const out: Array<{ n: number; bytes: Array<number>; short: boolean }> = []
      // a reader that never ends fails here, saying so, instead of looping until vitest's timeout
      for (let i = 0; ; i++) {
        if (i === 1000) return yield* Effect.dieMessage("the reader did not end after 1,000 parts")
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
      // it would wait for ever had the buffer not gone back to the pool: fail at once instead
      yield* answered(pool.acquire(4), "a buffer for the next part after the failed one")
    })
  )

  it.scoped("a stream's failure is the reader's, and the buffer goes back to the pool", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(1)
      const failing = Stream.concat(Stream.make(new Uint8Array([1])), Stream.fail("broken"))
      const reader = yield* Parts.streamReader(failing, Parts.partSizing(4, undefined), pool)
      expect(yield* Effect.flip(reader.next)).toBe("broken")
      // it would wait for ever had the buffer not gone back to the pool: fail at once instead
      yield* answered(pool.acquire(4), "a buffer for the next part after the failed one")
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

describe("the manager's planning, at its bounds (issue 26)", () => {
  const KiB = 1024
  const GiB = 1024 * MiB

  it("known length: every part has the one size; grown only past 10,000 parts, to the next whole KiB", () => {
    const exact = Parts.partSizing(8 * MiB, 80_000 * MiB)
    expect([exact.first, exact.parts, exact.sizeOf(1), exact.sizeOf(10_000)]).toEqual([
      8 * MiB,
      10_000,
      8 * MiB,
      8 * MiB
    ])
    const grown = Parts.partSizing(8 * MiB, 80_000 * MiB + 1)
    expect([grown.first, grown.parts, grown.sizeOf(1), grown.sizeOf(9_999)]).toEqual([
      8 * MiB + KiB,
      9_999,
      8 * MiB + KiB,
      8 * MiB + KiB
    ])
    const largest = Parts.partSizing(5 * MiB, Parts.MAX_OBJECT_SIZE)
    expect([largest.first, largest.parts]).toEqual([549_755_904, 10_000])
    expect(Parts.partSizing(8 * MiB, 80_000 * MiB - 1).parts).toBe(10_000)
    expect(Parts.partSizing(8 * MiB, 8 * MiB + 1).parts).toBe(2)
    expect(Parts.partSizing(8 * MiB, 8 * MiB).parts).toBe(1)
    expect(Parts.partSizing(8 * MiB, 1).parts).toBe(1)
  })

  it("unknown length: the size doubles at parts 901, 1801, ... and stops at exactly 5 GiB", () => {
    const s = Parts.partSizing(8 * MiB, undefined)
    expect([s.first, s.parts]).toEqual([8 * MiB, undefined])
    expect([900, 901, 1800, 1801, 2700, 2701].map(s.sizeOf)).toEqual([
      8 * MiB,
      16 * MiB,
      16 * MiB,
      32 * MiB,
      32 * MiB,
      64 * MiB
    ])
    expect([9_000, 9_001, 10_000].map(s.sizeOf)).toEqual([4 * GiB, 5 * GiB, 5 * GiB])
    expect(Parts.MAX_STORED_OBJECT_SIZE).toBe(10_000 * 5 * GiB)
    expect([
      Parts.MIN_PART_SIZE,
      Parts.DEFAULT_PART_SIZE,
      Parts.MAX_PARTS,
      Parts.PARTS_PER_SIZE_STEP
    ]).toEqual([5 * MiB, 8 * MiB, 10_000, 900])
  })

  it.effect("the pool reuses the first free buffer large enough, and drops one too small", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(2)
      const small = yield* pool.acquire(10)
      const large = yield* pool.acquire(30)
      expect(pool.allocatedBytes()).toBe(40)
      yield* pool.release(small)
      yield* pool.release(large)
      expect(yield* pool.acquire(30)).toBe(large) // exactly large enough
      expect(yield* pool.acquire(10)).toBe(small)
      expect(pool.allocatedBytes()).toBe(40)
      yield* pool.release(small)
      const grown = yield* pool.acquire(20) // the 10-byte one is too small: dropped, a new one made
      expect(grown).not.toBe(small)
      expect(grown.length).toBe(20)
      expect(pool.allocatedBytes()).toBe(50)
    })
  )

  /** A sizing whose part n has n bytes: shows which part number each size was asked for. */
  const growing: Parts.PartSizing = { sizeOf: (n) => n, first: 1, parts: undefined }
  const collectAll = <E>(reader: Parts.PartReader<E>) =>
    Effect.gen(function* () {
      const out: Array<readonly [number, Array<number>, boolean]> = []
      for (let i = 0; i < 20; i++) {
        const part = yield* reader.next
        if (Option.isNone(part)) return out
        out.push([part.value.partNumber, Array.from(part.value.bytes), part.value.short])
        yield* part.value.release
      }
      throw new Error("the reader did not end after 20 parts")
    })
  const expected = [
    [1, [1], false],
    [2, [2, 3], false],
    [3, [4, 5, 6], false],
    [4, [7], true]
  ]

  it.scoped("every reader asks the size of part n for part n", () =>
    Effect.gen(function* () {
      const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7])
      expect(yield* collectAll(yield* Parts.bytesReader(bytes, growing))).toEqual(expected)
      const pool = yield* Parts.makeBufferPool(1)
      const stream = Stream.fromChunks(
        Chunk.make(bytes.subarray(0, 2), bytes.subarray(2, 5)),
        Chunk.make(bytes.subarray(5))
      )
      expect(yield* collectAll(yield* Parts.streamReader(stream, growing, pool))).toEqual(expected)
      const iterable = (async function* () {
        yield bytes.subarray(0, 2)
        yield bytes.subarray(2, 5)
        yield bytes.subarray(5)
      })()
      expect(yield* collectAll(yield* Parts.iterableReader(iterable, growing, pool))).toEqual(expected)
    })
  )

  it.scoped("a body of exactly whole parts ends without an empty part, from every reader", () =>
    Effect.gen(function* () {
      const six = new Uint8Array([1, 2, 3, 4, 5, 6])
      const whole = [
        [1, [1, 2, 3], false],
        [2, [4, 5, 6], false]
      ]
      expect(yield* collectAll(yield* Parts.bytesReader(six, Parts.partSizing(3, 6)))).toEqual(whole)
      const pool = yield* Parts.makeBufferPool(1)
      const sizing = Parts.partSizing(3, undefined)
      expect(yield* collectAll(yield* Parts.streamReader(Stream.make(six), sizing, pool))).toEqual(whole)
      const iterable = (async function* () {
        yield six
      })()
      expect(yield* collectAll(yield* Parts.iterableReader(iterable, sizing, pool))).toEqual(whole)
    })
  )

  it.scoped("an AsyncIterable that gives something other than bytes fails saying what it gave", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(1)
      for (const [given, what] of [
        ["text", "string"],
        [null, "null"],
        [[1, 2], "object"]
      ] as const) {
        const iterable = (async function* () {
          yield given as unknown as Uint8Array
        })()
        const reader = yield* Parts.iterableReader(iterable, Parts.partSizing(4, undefined), pool)
        const error = yield* Effect.flip(reader.next)
        expect(error.message).toBe(
          `the body failed while it was read: it gave ${what} where bytes (a Uint8Array) were expected`
        )
      }
      const throwsText = yield* Parts.iterableReader(
        (async function* () {
          yield new Uint8Array(0)
          throw "plain text"
        })(),
        Parts.partSizing(4, undefined),
        pool
      )
      expect((yield* Effect.flip(throwsText.next)).message).toBe(
        "the body failed while it was read: plain text"
      )
      // every failed part gave its buffer back: one more acquire does not wait
      yield* answered(pool.acquire(4), "a buffer for a part after the failed ones")
    })
  )

  it.effect("closing the scope ends the iterable: return() on its iterator, destroy() on a Node stream", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(1)
      const seen: Array<string> = []
      const source = {
        [Symbol.asyncIterator]: () => ({
          next: () => Promise.resolve({ done: false as const, value: new Uint8Array([1]) }),
          return: () => {
            seen.push("return")
            return Promise.resolve({ done: true as const, value: undefined })
          }
        }),
        destroy: () => {
          seen.push("destroy")
        }
      }
      yield* Effect.scoped(
        Effect.flatMap(
          Parts.iterableReader(source, Parts.partSizing(4, undefined), pool),
          (reader) => reader.next
        )
      )
      expect(seen).toEqual(["return", "destroy"])
    })
  )

  it("checksum members and composite checksums name the algorithm and count the parts", () => {
    expect((["CRC32", "CRC32C", "SHA1", "SHA256"] as const).map(Parts.checksumMember)).toEqual([
      "ChecksumCRC32",
      "ChecksumCRC32C",
      "ChecksumSHA1",
      "ChecksumSHA256"
    ])
    const one = Checksums.checksumBase64("SHA256", new Uint8Array([1]))
    expect(Parts.compositeChecksum("SHA256", [one, one]).endsWith("-2")).toBe(true)
    expect(Parts.compositeChecksum("SHA256", [one])).not.toBe(
      Parts.compositeChecksum("SHA256", [one, one]).slice(0, -2) + "-1"
    )
    expect(Parts.slices(new Uint8Array(8), 4).map((s) => s.length)).toEqual([4, 4])
    expect(Parts.slices(new Uint8Array(0), 4)).toEqual([])
  })
})

describe("the part readers' ends and interruptions (issue 26)", () => {
  it("a part size just fitting 10,000 parts is kept as it is, not rounded to a KiB", () => {
    expect(Parts.partSizing(1000, 10_000_000)).toMatchObject({ first: 1000, parts: 10_000 })
  })

  it.scoped("after a short last part, the end comes at once, without waiting for a buffer", () =>
    Effect.gen(function* () {
      const sizing = Parts.partSizing(4, undefined)
      const fromStream = yield* Parts.streamReader(
        Stream.make(new Uint8Array([1, 2, 3])),
        sizing,
        yield* Parts.makeBufferPool(1)
      )
      const fromIterable = yield* Parts.iterableReader(
        (async function* () {
          yield new Uint8Array([1, 2, 3])
        })(),
        sizing,
        yield* Parts.makeBufferPool(1)
      )
      for (const [what, reader] of [
        ["stream", fromStream],
        ["iterable", fromIterable]
      ] as const) {
        const first = yield* reader.next
        expect(Option.map(first, (p) => [Array.from(p.bytes), p.short])).toEqual(
          Option.some([[1, 2, 3], true])
        )
        // the only buffer is still held by part 1 (its upload runs): the end must not need one
        const end = yield* answered(reader.next, `the ${what} reader's end while its only buffer is in use`)
        expect(Option.isNone(end)).toBe(true)
      }
    })
  )

  it.scoped("an interrupted part read never writes into its buffer once the pool has it back", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(1)
      let answer: ((chunk: IteratorResult<Uint8Array>) => void) | undefined
      const source: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => ({
          next: () =>
            new Promise<IteratorResult<Uint8Array>>((resolve) => {
              answer = resolve
            })
        })
      }
      const reader = yield* Parts.iterableReader(source, Parts.partSizing(4, undefined), pool)
      const reading = yield* Effect.fork(reader.next)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(reading)
      const buffer = yield* answered(pool.acquire(4), "the interrupted part's buffer back in the pool")
      buffer.fill(0)
      answer?.({ done: false, value: new Uint8Array([9, 9, 9, 9]) })
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
      expect(Array.from(buffer)).toEqual([0, 0, 0, 0])
    })
  )

  it.effect(
    "closing the scope copes with iterators without return(), or whose return() gives no promise",
    () =>
      Effect.gen(function* () {
        const one = () => Promise.resolve({ done: false as const, value: new Uint8Array([1]) })
        const plain: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: one }) }
        const odd = {
          [Symbol.asyncIterator]: () => ({ next: one, return: () => undefined })
        } as unknown as AsyncIterable<Uint8Array>
        for (const source of [plain, odd]) {
          const exit = yield* Effect.exit(
            Effect.scoped(
              Effect.flatMap(
                Parts.iterableReader(source, Parts.partSizing(4, undefined), yield* Parts.makeBufferPool(1)),
                (r) => r.next
              )
            )
          )
          expect(exit._tag).toBe("Success")
        }
      })
  )
})
