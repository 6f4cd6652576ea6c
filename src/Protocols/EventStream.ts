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
 * This module is the incremental `MessageDecoder`; one whole message is `EventStreamFrame.ts`, the
 * headers `EventStreamHeaders.ts`, the error `EventStreamError.ts`, re-exported here.
 *
 * @since 0.1.0
 */
import { EventStreamError } from "./EventStreamError.js"
import {
  type DecoderOptions,
  decodeFrame,
  MAX_HEADERS_BYTES,
  MAX_MESSAGE_BYTES,
  type Message,
  PRELUDE,
  type Prelude,
  readPrelude,
  viewOf
} from "./EventStreamFrame.js"

export { EventStreamError, type EventStreamErrorKind } from "./EventStreamError.js"
export {
  type DecoderOptions,
  decodeMessage,
  encodeMessage,
  MAX_HEADERS_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_PAYLOAD_BYTES,
  type Message,
  NATIVE_CRC_FROM,
  OVERHEAD_BYTES
} from "./EventStreamFrame.js"
export {
  encodeHeaders,
  type Headers,
  type HeaderValue,
  MAX_HEADER_VALUE_BYTES
} from "./EventStreamHeaders.js"

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
