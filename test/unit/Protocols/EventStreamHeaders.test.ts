/**
 * Event-stream headers: every malformed header a server can send is a `Header` error that says
 * where, whole or streamed, random header bytes behind valid checksums decode or fail so, and
 * encoding checks every value against its type.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MessageDecoder } from "../../../src/Protocols/EventStream.js"
import { EventStreamError } from "../../../src/Protocols/EventStreamError.js"
import { decodeMessage, encodeMessage } from "../../../src/Protocols/EventStreamFrame.js"
import type { HeaderValue } from "../../../src/Protocols/EventStreamHeaders.js"
import { expectKind, frame, utf8 } from "../../support/EventStreamFrames.js"

describe("bad headers from a server", () => {
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
