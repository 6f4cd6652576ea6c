/**
 * `MessageDecoder`: round trips of any messages cut into any chunks, what it holds, a stream that
 * ends inside a message, a decoder that stays broken after an error, and hostile byte streams
 * (the framing of one message is in EventStreamFrame.test.ts, the headers in
 * EventStreamHeaders.test.ts).
 */
import * as zlib from "node:zlib"
import { crc32 as awsCrc32 } from "@aws-crypto/crc32"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { crc32 } from "../../../src/Protocols/Crc32.js"
import {
  decodeMessage,
  EventStreamError,
  encodeMessage,
  type Message,
  MessageDecoder
} from "../../../src/Protocols/EventStream.js"
import { errorOf, expectKind, message, prelude, utf8 } from "../../support/EventStreamFrames.js"

describe("crc32", () => {
  it("equals zlib's and @aws-crypto's on any bytes, and continues across a split", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length === 0 ? 0 : cut % bytes.length
        const expected = zlib.crc32(bytes)
        expect(crc32(bytes)).toBe(expected)
        expect(awsCrc32(bytes)).toBe(expected)
        expect(crc32(bytes, crc32(bytes, 0, 0, at), at)).toBe(expected)
      })
    )
  })
})

describe("encodeMessage and MessageDecoder", () => {
  it("round-trip any messages, cut into any chunks", () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 64 })),
        (ms, cuts) => {
          const bytes = ms.map(encodeMessage)
          for (const [i, b] of bytes.entries()) expect(decodeMessage(b)).toEqual(ms[i])
          const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0))
          let at = 0
          for (const b of bytes) {
            all.set(b, at)
            at += b.length
          }
          const decoder = new MessageDecoder()
          const got: Array<Message> = []
          let i = 0
          let c = 0
          while (i < all.length) {
            const size = cuts.length === 0 ? all.length : cuts[c++ % cuts.length]!
            got.push(...decoder.push(all.subarray(i, i + size)))
            i += size
          }
          decoder.end()
          expect(got).toEqual(ms)
        }
      )
    )
  })

  it("reads a frame that arrives whole in a chunk without copying its payload", () => {
    const bytes = encodeMessage({ headers: {}, payload: utf8("hello") })
    const [m] = new MessageDecoder().push(bytes)
    expect(m!.payload.buffer).toBe(bytes.buffer)
  })

  it("holds at most one incomplete message and reports how much", () => {
    const bytes = encodeMessage({ headers: { a: { type: "string", value: "x" } }, payload: utf8("payload") })
    const decoder = new MessageDecoder()
    expect(decoder.push(bytes.subarray(0, 5))).toEqual([])
    expect(decoder.pendingBytes).toBe(5)
    expect(decoder.push(bytes.subarray(5, 20))).toEqual([])
    expect(decoder.pendingBytes).toBe(20)
    expect(decoder.push(bytes.subarray(20))).toHaveLength(1)
    expect(decoder.pendingBytes).toBe(0)
  })
})

describe("a stream that stops or breaks", () => {
  it("a stream that ends inside a message is Truncated, in the prelude or after it", () => {
    const bytes = encodeMessage({ headers: {}, payload: utf8("abc") })
    for (const cut of [1, 11, 12, 13, bytes.length - 1]) {
      const decoder = new MessageDecoder()
      decoder.push(bytes.subarray(0, cut))
      expectKind(() => decoder.end(), "Truncated")
    }
    expectKind(() => decodeMessage(bytes.subarray(0, 5)), "Truncated")
    expectKind(() => decodeMessage(bytes.subarray(0, bytes.length - 1)), "Truncated")
  })

  it("a decoder that failed keeps failing with the same error, holding nothing", () => {
    const decoder = new MessageDecoder()
    const bad = prelude(20, 0)
    bad[0]! ^= 1
    const first = errorOf(() => decoder.push(bad))
    expect(errorOf(() => decoder.push(encodeMessage({ headers: {}, payload: utf8("") })))).toBe(first)
    expect(errorOf(() => decoder.end())).toBe(first)
  })
})

describe("hostile bytes", () => {
  it("random bytes, and valid streams with a byte flipped, end in messages or an EventStreamError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .tuple(
              fc.array(message, { minLength: 1, maxLength: 3 }),
              fc.nat(),
              fc.integer({ min: 1, max: 255 })
            )
            .map(([ms, at, flip]) => {
              const bytes = Buffer.concat(ms.map(encodeMessage))
              bytes[at % bytes.length]! ^= flip
              return new Uint8Array(bytes)
            })
        ),
        fc.integer({ min: 1, max: 50 }),
        (bytes, size) => {
          const decoder = new MessageDecoder({ maxMessageBytes: 4096 })
          try {
            for (let i = 0; i < bytes.length; i += size) decoder.push(bytes.subarray(i, i + size))
            decoder.end()
          } catch (e) {
            if (!(e instanceof EventStreamError)) throw e
          }
        }
      ),
      { numRuns: 3000 }
    )
  })
})
