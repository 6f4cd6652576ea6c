/**
 * Event-stream frames for tests: frames built by hand (right CRCs unless overridden), arbitrary
 * header values and messages, and the expectation of an `EventStreamError` of a kind.
 */
import * as fc from "fast-check"
import { expect } from "vitest"
import { crc32 } from "../../src/Protocols/Crc32.js"
import {
  EventStreamError,
  type EventStreamErrorKind,
  type HeaderValue,
  type Message
} from "../../src/Protocols/EventStream.js"

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A frame with the given header bytes and payload, both CRCs right unless overridden. */
export const frame = (
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
export const prelude = (total: number, headersLength: number): Uint8Array => {
  const out = new Uint8Array(12)
  const view = new DataView(out.buffer)
  view.setUint32(0, total)
  view.setUint32(4, headersLength)
  view.setUint32(8, crc32(out.subarray(0, 8)))
  return out
}

export const errorOf = (f: () => unknown): EventStreamError => {
  try {
    f()
  } catch (e) {
    if (e instanceof EventStreamError) return e
    throw e
  }
  throw new Error("expected an EventStreamError")
}

export const expectKind = (f: () => unknown, kind: EventStreamErrorKind): EventStreamError => {
  const error = errorOf(f)
  expect(error.kind, error.message).toBe(kind)
  return error
}

export const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
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

export const message: fc.Arbitrary<Message> = fc.record({
  headers: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }).filter((s) => utf8(s).length <= 255),
    headerValue,
    { maxKeys: 6 }
  ),
  payload: fc.uint8Array({ maxLength: 200 })
})
