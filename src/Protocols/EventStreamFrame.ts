/**
 * One event-stream message, whole: the framing
 *
 * ```
 * total length (u32) | headers length (u32) | prelude CRC32 (u32, of the 8 bytes before)
 * headers (headers length bytes) | payload | message CRC32 (u32, of every byte before it)
 * ```
 *
 * all big-endian (`EventStream.ts` re-exports the public part; the headers are read and written
 * by `EventStreamHeaders.ts`). `encodeMessage` writes one message into one buffer sized first;
 * `decodeMessage` reads exactly one. `readPrelude` and `decodeFrame` are the steps
 * `MessageDecoder` reads a stream with: the prelude's CRC is checked before its lengths are used,
 * the lengths against each other and the limits before a byte is buffered for them.
 *
 * @since 0.1.0
 */
import { crc32 } from "./Crc32.js"
import { EventStreamError } from "./EventStreamError.js"
import { decodeHeaders, encodeHeaders, type Headers } from "./EventStreamHeaders.js"

/** One event-stream message. */
export interface Message {
  readonly headers: Headers
  readonly payload: Uint8Array
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
/** The prelude: total length, headers length and their CRC32. */
export const PRELUDE = 12

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

/** What the prelude says, once checked. */
export interface Prelude {
  readonly total: number
  readonly headersLength: number
  readonly crc: number
}

/**
 * Checks a prelude (12 bytes at `at`): its CRC first, then its lengths, against each other and the
 * limits, before anything is read or buffered on their word.
 */
export const readPrelude = (
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
export const decodeFrame = (
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
  const headers = prelude.headersLength === 0 ? {} : decodeHeaders(bytes, view, at + PRELUDE, headersEnd, at)
  return { headers, payload: bytes.subarray(headersEnd, end - 4) }
}

export const viewOf = (bytes: Uint8Array): DataView =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

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
