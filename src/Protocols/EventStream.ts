/**
 * The `application/vnd.amazon.eventstream` framing: one message is
 *
 * ```
 * total length (u32) | headers length (u32) | prelude CRC32 (u32, of the 8 bytes before)
 * headers (headers length bytes) | payload | message CRC32 (u32, of every byte before it)
 * ```
 *
 * all big-endian, a header being `name length (u8) | name (UTF-8) | type (u8) | value`, of ten
 * value types: true, false, byte, short, integer, long, byte array (u16 length), string (u16
 * length, UTF-8), timestamp (i64 epoch milliseconds) and UUID (16 bytes).
 *
 * `encodeMessage` writes one message into one buffer sized first. `MessageDecoder` reads messages
 * from a byte stream cut anywhere (a frame over several chunks, several frames in one chunk). Nothing
 * the server sends is trusted: the prelude's CRC is checked before its lengths are used, the lengths
 * are checked against each other and against the limits before a byte is buffered for them, and
 * every header is checked against the bytes that remain. Whatever is wrong is an
 * `EventStreamError` with a literal `kind`; the decoder never buffers more than one message of at
 * most `maxMessageBytes` (16 MiB of payload and 128 KiB of headers by default, the service limits).
 *
 * Payloads and byte-array header values are views into the bytes decoded (no copy): a frame that
 * arrived whole in one chunk keeps that chunk alive as long as its payload is kept.
 *
 * @since 0.1.0
 */
import { asciiText, isAscii } from "./Ascii.js"
import { utf8Decode, utf8Encode } from "./Bytes.js"
import { crc32 } from "./Crc32.js"
import { ProtocolError } from "./Protocol.js"
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

/** One event-stream message. */
export interface Message {
  readonly headers: Headers
  readonly payload: Uint8Array
}

/** What is wrong with a message (`EventStreamError.kind`). */
export type EventStreamErrorKind =
  /** The prelude's CRC32 is not that of its first 8 bytes. */
  | "PreludeChecksum"
  /** The message's CRC32 is not that of the bytes before it. */
  | "MessageChecksum"
  /** The prelude's lengths contradict each other (a total below 16, headers beyond the total). */
  | "Length"
  /** The message or its headers exceed the limits. */
  | "TooLarge"
  /** A header is malformed: a length beyond the headers, an unknown type, an empty name. */
  | "Header"
  /** The stream ended inside a message. */
  | "Truncated"
  /** A message to encode is not valid (a header value out of range or too long). */
  | "Encode"

/** A message that cannot be decoded or encoded. */
export class EventStreamError extends ProtocolError {
  constructor(
    readonly kind: EventStreamErrorKind,
    reason: string
  ) {
    super(`event stream: ${reason}`)
  }
}

/** The limits the decoder holds messages to, and the CRC32 it checks them with. */
export interface DecoderOptions {
  /** The largest message accepted, in bytes (default `MAX_MESSAGE_BYTES`). */
  readonly maxMessageBytes?: number
  /** The largest headers section accepted, in bytes (default `MAX_HEADERS_BYTES`). */
  readonly maxHeadersBytes?: number
  /**
   * A native CRC32 (`zlib.crc32` in Node 20.15+), `(data, crc)` continuing from `crc`, used for
   * messages of more than `NATIVE_CRC_FROM` bytes, where it is several times faster than the
   * table-driven one here (below that, the call costs more than it saves).
   */
  readonly crc32?: (data: Uint8Array, crc: number) => number
}

/** The message size from which a native CRC32, when given, checks messages. */
export const NATIVE_CRC_FROM = 1024

/** The largest payload the services send or accept: 16 MiB. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
/** The largest headers section: 128 KiB. */
export const MAX_HEADERS_BYTES = 128 * 1024
/** Prelude (12) and message CRC (4). */
export const OVERHEAD_BYTES = 16
/** The largest message by default: the largest payload and headers, with the framing. */
export const MAX_MESSAGE_BYTES = MAX_PAYLOAD_BYTES + MAX_HEADERS_BYTES + OVERHEAD_BYTES
/** The longest byte-array or string header value written (as aws-sdk-go bounds it). */
export const MAX_HEADER_VALUE_BYTES = 32767

const PRELUDE = 12

// ---- encoding

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

/** The bytes of one message: prelude, headers, payload and both CRCs. */
export const encodeMessage = (message: Message): Uint8Array => {
  const headers = encodeHeaders(message.headers)
  const total = OVERHEAD_BYTES + headers.length + message.payload.length
  if (headers.length > MAX_HEADERS_BYTES)
    throw new EventStreamError("Encode", `headers of ${headers.length} bytes exceed ${MAX_HEADERS_BYTES}`)
  if (message.payload.length > MAX_PAYLOAD_BYTES)
    throw new EventStreamError(
      "Encode",
      `a payload of ${message.payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`
    )
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  view.setUint32(0, total)
  view.setUint32(4, headers.length)
  const preludeCrc = crc32(out, 0, 0, 8)
  view.setUint32(8, preludeCrc)
  out.set(headers, PRELUDE)
  out.set(message.payload, PRELUDE + headers.length)
  view.setUint32(total - 4, crc32(out, preludeCrc, 8, total - 4))
  return out
}

// ---- decoding

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

/** Reads the headers section `bytes[from, to)` of a message (error offsets count from its start). */
const decodeHeaders = (bytes: Uint8Array, view: DataView, from: number, to: number): Headers => {
  const headers: Record<string, HeaderValue> = {}
  let at = from
  const base = from - PRELUDE
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

/** What the prelude says, once checked. */
interface Prelude {
  readonly total: number
  readonly headersLength: number
  readonly crc: number
}

/**
 * Checks a prelude (12 bytes at `at`): its CRC first, then its lengths, against each other and the
 * limits, before anything is read or buffered on their word.
 */
const readPrelude = (
  bytes: Uint8Array,
  view: DataView,
  at: number,
  maxMessage: number,
  maxHeaders: number
): Prelude => {
  const total = view.getUint32(at)
  const headersLength = view.getUint32(at + 4)
  const crc = view.getUint32(at + 8)
  const actual = crc32(bytes, 0, at, at + 8)
  if (actual !== crc)
    throw new EventStreamError(
      "PreludeChecksum",
      `prelude checksum mismatch (sent ${crc}, computed ${actual})`
    )
  if (total < OVERHEAD_BYTES)
    throw new EventStreamError("Length", `a message length of ${total} is below the minimum of 16`)
  if (headersLength > total - OVERHEAD_BYTES)
    throw new EventStreamError(
      "Length",
      `headers of ${headersLength} bytes do not fit in a message of ${total} bytes`
    )
  if (total > maxMessage)
    throw new EventStreamError("TooLarge", `a message of ${total} bytes exceeds the limit of ${maxMessage}`)
  if (headersLength > maxHeaders)
    throw new EventStreamError(
      "TooLarge",
      `headers of ${headersLength} bytes exceed the limit of ${maxHeaders}`
    )
  return { total, headersLength, crc }
}

/** Decodes a whole message, `bytes[at, at + prelude.total)`, whose prelude is checked. */
const decodeFrame = (
  bytes: Uint8Array,
  view: DataView,
  at: number,
  prelude: Prelude,
  native: ((data: Uint8Array, crc: number) => number) | undefined
): Message => {
  const end = at + prelude.total
  const crc = view.getUint32(end - 4)
  const actual =
    native !== undefined && prelude.total > NATIVE_CRC_FROM
      ? native(bytes.subarray(at + 8, end - 4), prelude.crc) >>> 0
      : crc32(bytes, prelude.crc, at + 8, end - 4)
  if (actual !== crc)
    throw new EventStreamError(
      "MessageChecksum",
      `message checksum mismatch (sent ${crc}, computed ${actual})`
    )
  const headersEnd = at + PRELUDE + prelude.headersLength
  const headers = prelude.headersLength === 0 ? {} : decodeHeaders(bytes, view, at + PRELUDE, headersEnd)
  return { headers, payload: bytes.subarray(headersEnd, end - 4) }
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Decodes exactly one message from `bytes` (all of it: a message shorter or longer than its
 * prelude says is an error).
 */
export const decodeMessage = (bytes: Uint8Array, limits?: DecoderOptions): Message => {
  if (bytes.length < PRELUDE)
    throw new EventStreamError("Truncated", `${bytes.length} bytes end inside a message's prelude`)
  const view = viewOf(bytes)
  const prelude = readPrelude(
    bytes,
    view,
    0,
    limits?.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    limits?.maxHeadersBytes ?? MAX_HEADERS_BYTES
  )
  if (bytes.length !== prelude.total)
    throw new EventStreamError(
      bytes.length < prelude.total ? "Truncated" : "Length",
      `the message is ${prelude.total} bytes by its prelude, ${bytes.length} given`
    )
  return decodeFrame(bytes, view, 0, prelude, limits?.crc32)
}

const NONE: ReadonlyArray<Message> = Object.freeze([])

const appended = (out: Array<Message> | undefined, message: Message): Array<Message> => {
  if (out === undefined) return [message]
  out.push(message)
  return out
}

/**
 * Decodes messages from a byte stream, chunk by chunk, cut anywhere. It holds at most one
 * incomplete message (at most `maxMessageBytes`); a message that arrives whole in a chunk is read
 * from the chunk itself without a copy. After an error it is broken: every later call throws the
 * same error (the stream cannot be resynchronised once a frame is corrupt).
 */
export class MessageDecoder {
  readonly #maxMessage: number
  readonly #maxHeaders: number
  /** The prelude while fewer than 12 bytes of it have arrived. */
  readonly #prelude = new Uint8Array(PRELUDE)
  #preludeFilled = 0
  /** The message being assembled across chunks, once its prelude is checked. */
  #frame: Uint8Array | undefined
  #framePrelude: Prelude | undefined
  #frameFilled = 0
  #failed: EventStreamError | undefined

  readonly #crc32: ((data: Uint8Array, crc: number) => number) | undefined

  constructor(limits?: DecoderOptions) {
    this.#crc32 = limits?.crc32
    this.#maxMessage = limits?.maxMessageBytes ?? MAX_MESSAGE_BYTES
    this.#maxHeaders = limits?.maxHeadersBytes ?? MAX_HEADERS_BYTES
  }

  /** Bytes held of an incomplete message. */
  get pendingBytes(): number {
    return this.#frame === undefined ? this.#preludeFilled : this.#frameFilled
  }

  /** The messages that `chunk` completes, in order. */
  push(chunk: Uint8Array): ReadonlyArray<Message> {
    if (this.#failed !== undefined) throw this.#failed
    try {
      return this.#push(chunk)
    } catch (e) {
      if (e instanceof EventStreamError) {
        this.#failed = e
        this.#frame = undefined
      }
      throw e
    }
  }

  /** Ends the stream: an error if it ended inside a message. */
  end(): void {
    if (this.#failed !== undefined) throw this.#failed
    const pending = this.pendingBytes
    if (pending > 0) {
      const expected = this.#framePrelude === undefined ? "its prelude" : `${this.#framePrelude.total} bytes`
      this.#failed = new EventStreamError(
        "Truncated",
        `the stream ended ${pending} bytes into a message (expected ${expected})`
      )
      this.#frame = undefined
      throw this.#failed
    }
  }

  #push(chunk: Uint8Array): ReadonlyArray<Message> {
    let out: Array<Message> | undefined
    let at = 0
    const length = chunk.length
    let view: DataView | undefined
    while (at < length) {
      if (this.#frame !== undefined) {
        // filling a message that started in an earlier chunk
        const frame = this.#frame
        const take = Math.min(frame.length - this.#frameFilled, length - at)
        frame.set(chunk.subarray(at, at + take), this.#frameFilled)
        this.#frameFilled += take
        at += take
        if (this.#frameFilled < frame.length) break
        const message = decodeFrame(frame, viewOf(frame), 0, this.#framePrelude!, this.#crc32)
        this.#frame = undefined
        this.#framePrelude = undefined
        this.#frameFilled = 0
        out = appended(out, message)
        continue
      }
      if (this.#preludeFilled > 0 || length - at < PRELUDE) {
        // a prelude cut between chunks
        const prelude = this.#prelude
        const take = Math.min(PRELUDE - this.#preludeFilled, length - at)
        prelude.set(chunk.subarray(at, at + take), this.#preludeFilled)
        this.#preludeFilled += take
        at += take
        if (this.#preludeFilled < PRELUDE) break
        this.#preludeFilled = 0
        this.#start(readPrelude(prelude, viewOf(prelude), 0, this.#maxMessage, this.#maxHeaders), prelude, 0)
        continue
      }
      view ??= viewOf(chunk)
      const prelude = readPrelude(chunk, view, at, this.#maxMessage, this.#maxHeaders)
      if (length - at >= prelude.total) {
        out = appended(out, decodeFrame(chunk, view, at, prelude, this.#crc32))
        at += prelude.total
        continue
      }
      this.#start(prelude, chunk, at)
      at += PRELUDE
    }
    return out ?? NONE
  }

  /** Starts assembling a message whose checked prelude is `source[at, at + 12)`. */
  #start(prelude: Prelude, source: Uint8Array, at: number): void {
    const frame = new Uint8Array(prelude.total)
    frame.set(source.subarray(at, at + PRELUDE), 0)
    this.#frame = frame
    this.#framePrelude = prelude
    this.#frameFilled = PRELUDE
  }
}
