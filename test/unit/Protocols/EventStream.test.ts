/**
 * The event-stream framing beyond the official vectors: round trips of any message cut into any
 * chunks, and every way a server can send a bad frame, each a typed `EventStreamError` of the
 * right kind, found before anything is buffered on the frame's word.
 */

import * as zlib from "node:zlib"
import { crc32 as awsCrc32 } from "@aws-crypto/crc32"
import { EventStreamCodec, Int64 } from "@smithy/core/event-streams"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { crc32 } from "../../../src/Protocols/Crc32.js"
import {
  decodeMessage,
  EventStreamError,
  type EventStreamErrorKind,
  encodeMessage,
  type HeaderValue,
  MAX_MESSAGE_BYTES,
  type Message,
  MessageDecoder,
  NATIVE_CRC_FROM
} from "../../../src/Protocols/EventStream.js"

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A frame with the given header bytes and payload, both CRCs right unless overridden. */
const frame = (
  headers: Uint8Array,
  payload: Uint8Array,
  override: { total?: number; headersLength?: number } = {}
): Uint8Array => {
  const total = 16 + headers.length + payload.length
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  view.setUint32(0, override.total ?? total)
  view.setUint32(4, override.headersLength ?? headers.length)
  view.setUint32(8, crc32(out.subarray(0, 8)))
  out.set(headers, 12)
  out.set(payload, 12 + headers.length)
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)))
  return out
}

/** Just a prelude claiming `total` and `headersLength`, with a right prelude CRC. */
const prelude = (total: number, headersLength: number): Uint8Array => {
  const out = new Uint8Array(12)
  const view = new DataView(out.buffer)
  view.setUint32(0, total)
  view.setUint32(4, headersLength)
  view.setUint32(8, crc32(out.subarray(0, 8)))
  return out
}

const errorOf = (f: () => unknown): EventStreamError => {
  try {
    f()
  } catch (e) {
    if (e instanceof EventStreamError) return e
    throw e
  }
  throw new Error("expected an EventStreamError")
}

const expectKind = (f: () => unknown, kind: EventStreamErrorKind): EventStreamError => {
  const error = errorOf(f)
  expect(error.kind, error.message).toBe(kind)
  return error
}

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

const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
  fc.boolean().map((value) => ({ type: "boolean", value }) as const),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: "byte", value }) as const),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ type: "short", value }) as const),
  fc.integer().map((value) => ({ type: "integer", value }) as const),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ type: "long", value }) as const),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ type: "binary", value }) as const),
  fc.string({ unit: "grapheme", maxLength: 40 }).map((value) => ({ type: "string", value }) as const),
  fc
    .integer({ min: -8.64e15, max: 8.64e15 })
    .map((ms) => ({ type: "timestamp", value: new Date(ms) }) as const),
  fc.uuid().map((value) => ({ type: "uuid", value: value.toLowerCase() }) as const)
)

const message: fc.Arbitrary<Message> = fc.record({
  headers: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }).filter((s) => utf8(s).length <= 255),
    headerValue,
    { maxKeys: 6 }
  ),
  payload: fc.uint8Array({ maxLength: 200 })
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

describe("differential against @smithy/core's EventStreamCodec (the v3 SDK's)", () => {
  const codec = new EventStreamCodec(
    (b: Uint8Array) => new TextDecoder().decode(b),
    (s: string) => new TextEncoder().encode(s)
  )
  type TheirValue = { type: string; value: unknown }
  const theirs = (h: HeaderValue): TheirValue =>
    h.type === "long" ? { type: "long", value: new Int64(bytes64(h.value)) } : h
  const bytes64 = (n: bigint): Uint8Array => {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigInt64(0, n)
    return b
  }
  const ours = (h: TheirValue): HeaderValue =>
    (h.type === "long"
      ? {
          type: "long",
          value: ((b) => new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0))((h.value as Int64).bytes)
        }
      : h.type === "binary"
        ? { type: "binary", value: new Uint8Array(h.value as Uint8Array) }
        : h) as HeaderValue

  it("each decodes what the other encodes, to the same bytes", () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m)
        const decoded = codec.decode(bytes)
        expect(
          Object.fromEntries(Object.entries(decoded.headers).map(([k, v]) => [k, ours(v as TheirValue)]))
        ).toEqual(m.headers)
        expect(new Uint8Array(decoded.body)).toEqual(m.payload)
        const again = codec.encode({
          headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, theirs(v)])) as never,
          body: m.payload
        })
        expect(new Uint8Array(again)).toEqual(bytes)
      })
    )
  })
})

describe("bad frames from a server", () => {
  it("a prelude claiming more than the limit fails on its 12 bytes, before anything is buffered", () => {
    const decoder = new MessageDecoder()
    expectKind(() => decoder.push(prelude(0xffffffff, 0)), "TooLarge")
    expectKind(() => new MessageDecoder({ maxMessageBytes: 1024 }).push(prelude(1025, 0)), "TooLarge")
    expect(new MessageDecoder({ maxMessageBytes: 1024 }).push(prelude(1024, 0))).toEqual([])
    expectKind(() => new MessageDecoder().push(prelude(MAX_MESSAGE_BYTES + 1, 0)), "TooLarge")
    expectKind(() => new MessageDecoder({ maxHeadersBytes: 10 }).push(prelude(100, 11)), "TooLarge")
  })

  it("lengths that contradict each other are a Length error", () => {
    expectKind(() => new MessageDecoder().push(prelude(15, 0)), "Length")
    expectKind(() => new MessageDecoder().push(prelude(0, 0)), "Length")
    expectKind(() => new MessageDecoder().push(prelude(100, 85)), "Length")
    expect(new MessageDecoder().push(prelude(100, 84))).toEqual([])
    // a whole message longer than its prelude says
    const bytes = encodeMessage({ headers: {}, payload: utf8("x") })
    const longer = new Uint8Array(bytes.length + 1)
    longer.set(bytes)
    expectKind(() => decodeMessage(longer), "Length")
  })

  it("the prelude CRC is checked before its lengths", () => {
    const bad = prelude(0xffffffff, 0)
    bad[11]! ^= 1
    expectKind(() => new MessageDecoder().push(bad), "PreludeChecksum")
  })

  it("a corrupt byte anywhere after the prelude is a MessageChecksum error", () => {
    const bytes = encodeMessage({
      headers: { ":event-type": { type: "string", value: "Records" } },
      payload: utf8("{}")
    })
    for (let i = 12; i < bytes.length; i++) {
      const copy = bytes.slice()
      copy[i]! ^= 0x40
      expectKind(() => new MessageDecoder().push(copy), "MessageChecksum")
    }
  })

  const headerCases: ReadonlyArray<readonly [string, Uint8Array]> = [
    ["an empty name", Uint8Array.of(0, 0)],
    ["a name past the end", Uint8Array.of(5, 97, 98)],
    ["a name with no type byte", Uint8Array.of(2, 97, 98)],
    ["an unknown type", Uint8Array.of(1, 97, 10)],
    ["an int32 cut short", Uint8Array.of(1, 97, 4, 0, 0)],
    ["an int64 cut short", Uint8Array.of(1, 97, 5, 0, 0, 0, 0, 0, 0, 0)],
    ["a uuid cut short", Uint8Array.of(1, 97, 9, 1, 2, 3)],
    ["a string length cut short", Uint8Array.of(1, 97, 7, 0)],
    ["a string longer than the headers", Uint8Array.of(1, 97, 7, 0, 5, 104, 105)],
    ["a byte array longer than the headers", Uint8Array.of(1, 97, 6, 255, 255, 1)],
    ["a good header then a broken one", Uint8Array.of(1, 97, 0, 1, 98, 3, 0)],
    [
      "a timestamp beyond the range of dates",
      Uint8Array.of(1, 97, 8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
    ]
  ]

  it.each(headerCases)("%s is a Header error, whole or streamed", (_, headers) => {
    const bytes = frame(headers, utf8("payload"))
    const error = expectKind(() => decodeMessage(bytes), "Header")
    expect(error.message).toMatch(/at byte \d+ of the message/)
    const decoder = new MessageDecoder()
    expectKind(() => {
      for (let i = 0; i < bytes.length; i += 3) decoder.push(bytes.subarray(i, i + 3))
    }, "Header")
  })

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

  it("a header named __proto__ is an ordinary header", () => {
    const bytes = frame(Uint8Array.of(9, ...utf8("__proto__"), 0), new Uint8Array(0))
    const m = decodeMessage(bytes)
    expect(Object.getPrototypeOf(m.headers)).toBe(Object.prototype)
    expect(Object.keys(m.headers)).toEqual(["__proto__"])
  })
})

describe("encoding checks what it writes", () => {
  const cases: ReadonlyArray<readonly [string, HeaderValue]> = [
    ["byte", { type: "byte", value: 128 }],
    ["short", { type: "short", value: -32769 }],
    ["integer", { type: "integer", value: 2 ** 31 }],
    ["integer", { type: "integer", value: 1.5 }],
    ["long", { type: "long", value: 2n ** 63n }],
    ["timestamp", { type: "timestamp", value: new Date(Number.NaN) }],
    ["uuid", { type: "uuid", value: "not-a-uuid" }],
    ["string", { type: "string", value: "x".repeat(32768) }],
    ["binary", { type: "binary", value: new Uint8Array(32768) }]
  ]
  it.each(cases)("a %s out of range is an Encode error", (_, value) => {
    expectKind(() => encodeMessage({ headers: { h: value }, payload: new Uint8Array(0) }), "Encode")
  })

  it("names of 0 or more than 255 bytes are rejected", () => {
    const v: HeaderValue = { type: "boolean", value: true }
    expectKind(() => encodeMessage({ headers: { "": v }, payload: new Uint8Array(0) }), "Encode")
    expectKind(
      () => encodeMessage({ headers: { ["n".repeat(256)]: v }, payload: new Uint8Array(0) }),
      "Encode"
    )
    expect(
      decodeMessage(encodeMessage({ headers: { ["n".repeat(255)]: v }, payload: new Uint8Array(0) })).headers
    ).toEqual({
      ["n".repeat(255)]: v
    })
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

describe("hostile headers behind valid checksums", () => {
  it("random header bytes in a frame with right CRCs decode to headers or a Header error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 10 }), (headers, payload) => {
        try {
          const m = decodeMessage(frame(headers, payload))
          expect(m.payload).toEqual(payload)
          // what decodes re-encodes to a message that decodes the same
          expect(decodeMessage(encodeMessage(m)).headers).toEqual(m.headers)
        } catch (e) {
          if (!(e instanceof EventStreamError)) throw e
          expect(e.kind).toBe("Header")
        }
      }),
      { numRuns: 3000 }
    )
  })
})

describe("a native CRC32", () => {
  it("checks messages above NATIVE_CRC_FROM, with the same results", () => {
    let calls = 0
    const native = (data: Uint8Array, crc: number) => {
      calls++
      return zlib.crc32(data, crc)
    }
    const small = encodeMessage({ headers: {}, payload: new Uint8Array(100) })
    const large = encodeMessage({ headers: {}, payload: new Uint8Array(NATIVE_CRC_FROM + 1).fill(7) })
    const decoder = new MessageDecoder({ crc32: native })
    expect(decoder.push(Buffer.concat([small, large]))).toHaveLength(2)
    expect(calls).toBe(1)
    const bad = large.slice()
    bad[500]! ^= 1
    expectKind(() => new MessageDecoder({ crc32: native }).push(bad), "MessageChecksum")
    expectKind(() => decodeMessage(bad, { crc32: native }), "MessageChecksum")
    expect(calls).toBe(3)
  })
})
