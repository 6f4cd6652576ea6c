/**
 * CBOR decoding: the examples of RFC 8949 Appendix A (the writer's side is in CborWriter.test.ts),
 * malformed and hostile input as `ProtocolError`s that name the byte, and a
 * differential round trip against the v3 SDK's CBOR (`@smithy/core/cbor`).
 */
import { cbor as smithyCbor } from "@smithy/core/cbor"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeCbor, encodeCbor } from "../../../src/Protocols/Cbor.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import { examples, hex } from "../../support/Rfc8949.js"

describe("decodeCbor on RFC 8949 Appendix A", () => {
  it.each(examples)("%s from %s", (value, encoding) => {
    const decoded = decodeCbor(hex(encoding))
    if (typeof value === "number" && Object.is(value, -0)) expect(Object.is(decoded, -0)).toBe(true)
    expect(decoded).toEqual(value)
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
