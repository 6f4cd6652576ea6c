/**
 * The headers of an event-stream message, both ways (`EventStream.ts` re-exports the public part).
 * A header is `name length (u8) | name (UTF-8) | type (u8) | value`, of ten value types: true,
 * false, byte, short, integer, long, byte array (u16 length), string (u16 length, UTF-8),
 * timestamp (i64 epoch milliseconds) and UUID (16 bytes), all big-endian.
 *
 * `encodeHeaders` checks every value against its type before writing any; `decodeHeaders` checks
 * every header against the bytes that remain, and fails with a `Header` error that says where.
 * Byte-array values are views into the bytes decoded (no copy).
 *
 * @since 0.1.0
 */
import { asciiText, isAscii } from "./Ascii.js"
import { utf8Decode, utf8Encode } from "./Bytes.js"
import { EventStreamError } from "./EventStreamError.js"
import { setOwn } from "./Values.js"

/** A header value, by its wire type. */
export type HeaderValue =
  | { readonly type: "boolean"; readonly value: boolean }
  | { readonly type: "byte"; readonly value: number }
  | { readonly type: "short"; readonly value: number }
  | { readonly type: "integer"; readonly value: number }
  | { readonly type: "long"; readonly value: bigint }
  | { readonly type: "binary"; readonly value: Uint8Array }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "timestamp"; readonly value: Date }
  /** The 16 bytes as lower-case hex in the 8-4-4-4-12 form. */
  | { readonly type: "uuid"; readonly value: string }

/** Headers by name. */
export type Headers = Readonly<Record<string, HeaderValue>>

/** The longest byte-array or string header value written (as aws-sdk-go bounds it). */
export const MAX_HEADER_VALUE_BYTES = 32767

const TYPE_CODES = {
  boolean: 0,
  byte: 2,
  short: 3,
  integer: 4,
  long: 5,
  binary: 6,
  string: 7,
  timestamp: 8,
  uuid: 9
} as const

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const encodeError = (name: string, what: string): never => {
  throw new EventStreamError("Encode", `header ${JSON.stringify(name)}: ${what}`)
}

const checkInt = (name: string, value: number, bits: number): number => {
  const limit = 2 ** (bits - 1)
  if (!Number.isInteger(value) || value < -limit || value >= limit)
    encodeError(name, `${value} is not a ${bits}-bit integer`)
  return value
}

/** A header's value bytes (after the type byte), or the fixed size for numbers. */
const valueSize = (name: string, header: HeaderValue, encoded: Array<Uint8Array>): number => {
  switch (header.type) {
    case "boolean":
      return 0
    case "byte":
      checkInt(name, header.value, 8)
      return 1
    case "short":
      checkInt(name, header.value, 16)
      return 2
    case "integer":
      checkInt(name, header.value, 32)
      return 4
    case "long":
      if (header.value < -(2n ** 63n) || header.value >= 2n ** 63n)
        encodeError(name, `${header.value} is not a 64-bit integer`)
      return 8
    case "timestamp": {
      const ms = header.value.getTime()
      if (!Number.isSafeInteger(ms)) encodeError(name, "invalid Date")
      return 8
    }
    case "uuid":
      if (!UUID.test(header.value)) encodeError(name, "a UUID is 32 hex digits in the 8-4-4-4-12 form")
      return 16
    case "binary":
    case "string": {
      const bytes = header.type === "binary" ? header.value : utf8Encode(header.value)
      if (bytes.length > MAX_HEADER_VALUE_BYTES)
        encodeError(name, `a value of ${bytes.length} bytes exceeds ${MAX_HEADER_VALUE_BYTES}`)
      encoded.push(bytes)
      return 2 + bytes.length
    }
  }
}

const writeUuid = (out: Uint8Array, at: number, uuid: string): void => {
  const hex = uuid.replace(/-/g, "")
  for (let i = 0; i < 16; i++) out[at + i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
}

/** The bytes of a message's headers section. */
export const encodeHeaders = (headers: Headers): Uint8Array => {
  const names: Array<Uint8Array> = []
  const values: Array<Uint8Array> = []
  let size = 0
  for (const name in headers) {
    const header = headers[name]!
    const nameBytes = utf8Encode(name)
    if (nameBytes.length === 0 || nameBytes.length > 255) encodeError(name, "a name is 1 to 255 bytes")
    if (!(header.type in TYPE_CODES)) encodeError(name, `unknown type ${String(header.type)}`)
    names.push(nameBytes)
    size += 1 + nameBytes.length + 1 + valueSize(name, header, values)
  }
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  let n = 0
  let v = 0
  for (const name in headers) {
    const header = headers[name]!
    const nameBytes = names[n++]!
    out[at++] = nameBytes.length
    out.set(nameBytes, at)
    at += nameBytes.length
    switch (header.type) {
      case "boolean":
        out[at++] = header.value ? 0 : 1
        break
      case "byte":
        out[at++] = TYPE_CODES.byte
        view.setInt8(at, header.value)
        at += 1
        break
      case "short":
        out[at++] = TYPE_CODES.short
        view.setInt16(at, header.value)
        at += 2
        break
      case "integer":
        out[at++] = TYPE_CODES.integer
        view.setInt32(at, header.value)
        at += 4
        break
      case "long":
        out[at++] = TYPE_CODES.long
        view.setBigInt64(at, header.value)
        at += 8
        break
      case "timestamp":
        out[at++] = TYPE_CODES.timestamp
        view.setBigInt64(at, BigInt(header.value.getTime()))
        at += 8
        break
      case "uuid":
        out[at++] = TYPE_CODES.uuid
        writeUuid(out, at, header.value)
        at += 16
        break
      case "binary":
      case "string": {
        const bytes = values[v++]!
        out[at++] = TYPE_CODES[header.type]
        view.setUint16(at, bytes.length)
        out.set(bytes, at + 2)
        at += 2 + bytes.length
        break
      }
    }
  }
  return out
}

const headerError = (what: string, offset: number): never => {
  throw new EventStreamError("Header", `${what} (at byte ${offset} of the message)`)
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

const readUuid = (bytes: Uint8Array, at: number): string => {
  let s = ""
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-"
    s += HEX[bytes[at + i]!]!
  }
  return s
}

/** Short ASCII text without a decoder call (header names, event types, content types). */
const readText = (bytes: Uint8Array, from: number, to: number): string =>
  to - from <= 64 && isAscii(bytes, from, to)
    ? asciiText(bytes, from, to)
    : utf8Decode(bytes.subarray(from, to))

/** The bytes after the type byte of each type (for byte arrays and strings, their length). */
const FIXED_SIZES = [0, 0, 1, 2, 4, 8, 2, 2, 8, 16]

const overrun = (name: string, start: number): never =>
  headerError(`the value of header ${JSON.stringify(name)} runs past the headers`, start)

const TRUE: HeaderValue = { type: "boolean", value: true }
const FALSE: HeaderValue = { type: "boolean", value: false }

/**
 * Reads the headers section `bytes[from, to)` of a message that starts at `base` (error offsets
 * count from there).
 */
export const decodeHeaders = (
  bytes: Uint8Array,
  view: DataView,
  from: number,
  to: number,
  base: number
): Headers => {
  const headers: Record<string, HeaderValue> = {}
  let at = from
  while (at < to) {
    const start = at
    const nameLength = bytes[at++]!
    if (nameLength === 0) headerError("a header with an empty name", start - base)
    if (at + nameLength + 1 > to) headerError("a header name runs past the headers", start - base)
    const name = readText(bytes, at, at + nameLength)
    at += nameLength
    const type = bytes[at++]!
    if (type >= FIXED_SIZES.length)
      headerError(`header ${JSON.stringify(name)} has unknown type ${type}`, start - base)
    if (at + FIXED_SIZES[type]! > to) overrun(name, start - base)
    let value: HeaderValue
    switch (type) {
      case 0:
        value = TRUE
        break
      case 1:
        value = FALSE
        break
      case 2:
        value = { type: "byte", value: view.getInt8(at) }
        at += 1
        break
      case 3:
        value = { type: "short", value: view.getInt16(at) }
        at += 2
        break
      case 4:
        value = { type: "integer", value: view.getInt32(at) }
        at += 4
        break
      case 5:
        value = { type: "long", value: view.getBigInt64(at) }
        at += 8
        break
      case 6:
      case 7: {
        const length = view.getUint16(at)
        at += 2
        if (at + length > to) overrun(name, start - base)
        value =
          type === 6
            ? { type: "binary", value: bytes.subarray(at, at + length) }
            : { type: "string", value: readText(bytes, at, at + length) }
        at += length
        break
      }
      case 8: {
        const date = new Date(Number(view.getBigInt64(at)))
        if (Number.isNaN(date.getTime()))
          headerError(`header ${JSON.stringify(name)} is a timestamp beyond the range of dates`, start - base)
        value = { type: "timestamp", value: date }
        at += 8
        break
      }
      case 9:
        value = { type: "uuid", value: readUuid(bytes, at) }
        at += 16
        break
      default:
        return headerError(`header ${JSON.stringify(name)} has unknown type ${type}`, start - base)
    }
    setOwn(headers, name, value)
  }
  return headers
}
