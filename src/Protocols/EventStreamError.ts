/**
 * The error of the event-stream framing (`EventStream.ts` re-exports it): what is wrong, as a
 * literal `kind`, and where, in the message.
 *
 * @since 0.1.0
 */
import { ProtocolError } from "./Protocol.js"

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
