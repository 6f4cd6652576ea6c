/**
 * CBOR: the examples of RFC 8949 Appendix A (decoded, and encoded back where our encoder writes
 * the preferred form), malformed and hostile input as `ProtocolError`s that name the byte, and a
 * differential round trip against the v3 SDK's CBOR (`@smithy/core/cbor`).
 */
import { cbor as smithyCbor } from "@smithy/core/cbor"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CborSimple, decodeCbor, encodeCbor } from "../../../src/Protocols/Cbor.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/** RFC 8949 Appendix A: [value, encoding, whether our encoder writes exactly this]. */
const examples: ReadonlyArray<readonly [unknown, string, boolean]> = [
  [0, "00", true],
  [1, "01", true],
  [10, "0a", true],
  [23, "17", true],
  [24, "1818", true],
  [25, "1819", true],
  [100, "1864", true],
  [1000, "1903e8", true],
  [1000000, "1a000f4240", true],
  [1000000000000, "1b000000e8d4a51000", true],
  [18446744073709551615n, "1bffffffffffffffff", true],
  [18446744073709551616n, "c249010000000000000000", false],
  [-18446744073709551616n, "3bffffffffffffffff", true],
  [-18446744073709551617n, "c349010000000000000000", false],
  [-1, "20", true],
  [-10, "29", true],
  [-100, "3863", true],
  [-1000, "3903e7", true],
  [0, "f90000", false],
  [-0, "f98000", false],
  [1, "f93c00", false],
  [1.1, "fb3ff199999999999a", true],
  [1.5, "f93e00", false],
  [65504, "f97bff", false],
  [100000, "fa47c35000", false],
  [2 ** 128 - 2 ** 104, "fa7f7fffff", false],
  [1.0e300, "fb7e37e43c8800759c", true],
  [2 ** -24, "f90001", false],
  [0.00006103515625, "f90400", false],
  [-4, "f9c400", false],
  [-4.1, "fbc010666666666666", true],
  [Number.POSITIVE_INFINITY, "f97c00", false],
  [Number.NaN, "f97e00", false],
  [Number.NEGATIVE_INFINITY, "f9fc00", false],
  [Number.POSITIVE_INFINITY, "fa7f800000", false],
  [Number.NaN, "fa7fc00000", false],
  [Number.NEGATIVE_INFINITY, "faff800000", false],
  [Number.POSITIVE_INFINITY, "fb7ff0000000000000", true],
  [Number.NaN, "fb7ff8000000000000", true],
  [Number.NEGATIVE_INFINITY, "fbfff0000000000000", true],
  [false, "f4", true],
  [true, "f5", true],
  [null, "f6", true],
  [undefined, "f7", false],
  [new CborSimple(16), "f0", false],
  [new CborSimple(255), "f8ff", false],
  ["2013-03-21T20:04:00Z", "c074323031332d30332d32315432303a30343a30305a", false],
  [new Date(1363896240000), "c11a514b67b0", false],
  [new Date(1363896240500), "c1fb41d452d9ec200000", true],
  [hex("01020304"), "d74401020304", false],
  ["http://www.example.com", "d82076687474703a2f2f7777772e6578616d706c652e636f6d", false],
  [new Uint8Array(0), "40", true],
  [hex("01020304"), "4401020304", true],
  ["", "60", true],
  ["a", "6161", true],
  ["IETF", "6449455446", true],
  ['"\\', "62225c", true],
  ["\u00fc", "62c3bc", true],
  ["\u6c34", "63e6b0b4", true],
  ["\u{10151}", "64f0908591", true],
  [[], "80", true],
  [[1, 2, 3], "83010203", true],
  [[1, [2, 3], [4, 5]], "8301820203820405", true],
  [
    Array.from({ length: 25 }, (_, i) => i + 1),
    "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
    true
  ],
  [{}, "a0", true],
  [{ a: 1, b: [2, 3] }, "a26161016162820203", true],
  [["a", { b: "c" }], "826161a161626163", true],
  [{ a: "A", b: "B", c: "C", d: "D", e: "E" }, "a56161614161626142616361436164614461656145", true],
  [hex("0102030405"), "5f42010243030405ff", false],
  ["streaming", "7f657374726561646d696e67ff", false],
  [[], "9fff", false],
  [[1, [2, 3], [4, 5]], "9f018202039f0405ffff", false],
  [[1, [2, 3], [4, 5]], "9f01820203820405ff", false],
  [[1, [2, 3], [4, 5]], "83018202039f0405ff", false],
  [[1, [2, 3], [4, 5]], "83019f0203ff820405", false],
  [
    Array.from({ length: 25 }, (_, i) => i + 1),
    "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
    false
  ],
  [{ a: 1, b: [2, 3] }, "bf61610161629f0203ffff", false],
  [["a", { b: "c" }], "826161bf61626163ff", false],
  [{ Fun: true, Amt: -2 }, "bf6346756ef563416d7421ff", false]
]

describe("decodeCbor on RFC 8949 Appendix A", () => {
  it.each(examples)("%s from %s", (value, encoding) => {
    const decoded = decodeCbor(hex(encoding))
    if (typeof value === "number" && Object.is(value, -0)) expect(Object.is(decoded, -0)).toBe(true)
    expect(decoded).toEqual(value)
  })
})

describe("encodeCbor", () => {
  it.each(examples.filter(([, , exact]) => exact))("writes %s as %s", (value, encoding) => {
    expect(toHex(encodeCbor(value))).toBe(encoding)
  })

  it("writes integers around every head boundary in the shortest form and reads them back", () => {
    const edges = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]
    for (const n of edges) {
      for (const v of [n, -n - 1]) {
        const bytes = encodeCbor(v)
        const size = n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : n < 2 ** 32 ? 5 : 9
        expect(bytes.length, String(v)).toBe(size)
        expect(decodeCbor(bytes)).toBe(v)
      }
    }
  })
})

const malformed = (what: string | RegExp, bytes: string): void => {
  let error: unknown
  try {
    decodeCbor(hex(bytes))
  } catch (e) {
    error = e
  }
  expect(error, bytes).toBeInstanceOf(ProtocolError)
  expect((error as Error).message).toMatch(what)
  expect((error as Error).message).toMatch(/at byte \d+/)
}

describe("malformed and hostile CBOR", () => {
  it("every proper prefix of a valid item is an error, never a RangeError", () => {
    for (const [, encoding] of examples) {
      const bytes = hex(encoding)
      for (let n = 0; n < bytes.length; n++) {
        expect(() => decodeCbor(bytes.subarray(0, n)), `${encoding}[0, ${n})`).toThrow(ProtocolError)
      }
    }
  })

  it("declared lengths are checked against the bytes left before anything is allocated", () => {
    malformed(/a byte string of declared length 18446744073709551615/, "5bffffffffffffffff")
    malformed(/a text string of declared length 4294967295/, "7affffffff")
    malformed(/an array of declared length 4294967295/, "9affffffff")
    malformed(/a map of declared length 4 does not fit in the 3 bytes left/, "a4616101")
    malformed(/an array of declared length 3/, "830102")
  })

  it("nesting is bounded", () => {
    const deep = "81".repeat(200) + "00"
    malformed(/nesting deeper than 128/, deep)
    expect(decodeCbor(hex("81".repeat(10) + "00"), { maxDepth: 10 })).toBeDefined()
    expect(() => decodeCbor(hex("81".repeat(11) + "00"), { maxDepth: 10 })).toThrow(/nesting deeper/)
  })

  it("reserved and misplaced items are errors", () => {
    malformed(/reserved additional information 28/, "1c")
    malformed(/reserved additional information 30/, "fe")
    malformed(/a break outside/, "ff")
    malformed(/a break outside/, "8101ff".slice(0, 2) + "ff")
    malformed(/indefinite-length integer/, "1f")
    malformed(/indefinite-length tag/, "df")
    malformed(/not a definite string of its type/, "5f6161ff")
    malformed(/not a definite string of its type/, "7f5f41ffff")
    malformed(/map key is not a text string/, "a10102")
    malformed(/not valid UTF-8/, "62c328")
    malformed(/not valid UTF-8/, "7f61c36128ff")
    malformed(/bytes after the data item/, "0102")
    malformed(/tag 1 \(epoch time\) holds no number/, "c16161")
    malformed(/simple value 5 in two bytes/, "f805")
  })

  it("a byte string is a copy, from a Buffer too, so a kept blob does not keep the body", () => {
    const body = Buffer.from("4401020304", "hex")
    const blob = decodeCbor(body) as Uint8Array
    expect(blob).toEqual(hex("01020304"))
    expect(blob.buffer).not.toBe(body.buffer)
  })

  it("a map key __proto__ is an ordinary key", () => {
    const value = decodeCbor(encodeCbor(JSON.parse('{"__proto__": {"polluted": true}}'))) as Record<
      string,
      unknown
    >
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(["__proto__"])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

/** JSON-like values both implementations represent alike. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "grapheme" }),
    fc.boolean(),
    fc.constant(null),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie("v"), { maxLength: 5 }),
    fc.dictionary(
      fc.string().filter((k) => k !== "__proto__"),
      tie("v"),
      { maxKeys: 5 }
    )
  )
})).v

/** Buffers (which @smithy/core gives for byte strings) as plain Uint8Arrays. */
const plain = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return new Uint8Array(v)
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  return v
}

describe("differential against @smithy/core/cbor", () => {
  it("each decodes what the other encodes", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(plain(smithyCbor.deserialize(encodeCbor(v)))).toEqual(v)
        expect(decodeCbor(smithyCbor.serialize(v))).toEqual(v)
      })
    )
  })
})

/** Runs `f`; anything thrown must be a ProtocolError (never a TypeError or RangeError). */
const onlyProtocolErrors = (f: () => unknown): void => {
  try {
    f()
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e
  }
}

describe("hostile bytes", () => {
  it("random bytes decode to a value or a ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => onlyProtocolErrors(() => decodeCbor(b))),
      {
        numRuns: 5000
      }
    )
  })

  it("valid CBOR with bytes flipped, cut or grown decodes to a value or a ProtocolError", () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.integer({ min: 1, max: 255 }), (v, at, flip) => {
        const bytes = encodeCbor(v)
        const i = at % bytes.length
        const flipped = bytes.slice()
        flipped[i]! ^= flip
        onlyProtocolErrors(() => decodeCbor(flipped))
        onlyProtocolErrors(() => decodeCbor(bytes.subarray(0, i)))
        const grown = new Uint8Array(bytes.length + 1)
        grown.set(bytes)
        grown[bytes.length] = flip
        onlyProtocolErrors(() => decodeCbor(grown))
      }),
      { numRuns: 2000 }
    )
  })
})
