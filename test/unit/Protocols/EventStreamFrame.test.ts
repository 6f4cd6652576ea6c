/**
 * One event-stream message: a differential round trip against the v3 SDK's codec, and every way a
 * server can send a bad prelude or frame, each a typed `EventStreamError` of the right kind, found
 * before anything is buffered on the frame's word; a native CRC32 for large messages.
 */
import * as zlib from "node:zlib"
import { EventStreamCodec, Int64 } from "@smithy/core/event-streams"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MessageDecoder } from "../../../src/Protocols/EventStream.js"
import {
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  NATIVE_CRC_FROM
} from "../../../src/Protocols/EventStreamFrame.js"
import type { HeaderValue } from "../../../src/Protocols/EventStreamHeaders.js"
import { expectKind, message, prelude, utf8 } from "../../support/EventStreamFrames.js"

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
        // v3's codec stores headers with `headers[name] = value`, so a header named `__proto__`
        // sets its object's prototype and is lost there (ours keeps it: the test below)
        fc.pre(!Object.hasOwn(m.headers, "__proto__"))
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

  it("a header named __proto__ is an own header, and no object's prototype changes", () => {
    const headers = Object.fromEntries([["__proto__", { type: "short", value: 7 }]]) as Record<
      string,
      HeaderValue
    >
    const decoded = decodeMessage(encodeMessage({ headers, payload: new Uint8Array(0) }))
    expect(Object.hasOwn(decoded.headers, "__proto__")).toBe(true)
    expect(Object.getOwnPropertyDescriptor(decoded.headers, "__proto__")?.value).toEqual({
      type: "short",
      value: 7
    })
    expect(Object.getPrototypeOf(decoded.headers)).toBe(Object.prototype)
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
