/**
 * Event-stream messages to typed events and back, over the shape of an event-stream union (the
 * structure marked `eventstream`, whose members are the event structures, marked `event`, and
 * the modeled exceptions, marked `exception`).
 *
 * A message's `:message-type` says what it is:
 * - `event`: `:event-type` names the union member (`initial-response` / `initial-request`: the
 *   RPC protocols' first message, the output's or input's other members). The member's
 *   `eventheader` members are read from the headers of the same name, its `eventpayload` member
 *   from the payload (a blob as the bytes, a string as UTF-8 text, a structure or union decoded
 *   with the service's protocol); without an `eventpayload` member the payload is the structure of
 *   its other members, decoded with the protocol.
 * - `exception`: `:exception-type` names a modeled exception member; its members are read as an
 *   event's. An exception that is not modeled still ends the stream, with its code and message.
 * - `error`: `:error-code` and `:error-message`.
 *
 * Decoding returns a tagged result (`Event`, `InitialResponse`, `Exception`, `Error`, `Unknown`
 * for an event type the model does not know, so newer services do not break older clients); a
 * message that contradicts the model (a header of the wrong type, a missing `:message-type`, a
 * payload the protocol cannot decode) throws a `ProtocolError`. Encoding writes an input event (or
 * initial request) as the message to frame and sign.
 *
 * This module is the output side's reader over body chunks (`eventStreamReader`); decoding is
 * `EventStreamOutput.ts`, encoding `EventStreamInput.ts`, the payload formats
 * `EventStreamPayloads.ts`, re-exported here.
 *
 * @since 0.1.0
 */
import { MessageDecoder } from "./EventStream.js"
import type { DecoderOptions } from "./EventStreamFrame.js"
import { type DecodedMessage, decodeEvent, type EventStreamModel } from "./EventStreamOutput.js"

export { encodeEvent, encodeInitialRequest } from "./EventStreamInput.js"
export { type DecodedMessage, decodeEvent, type EventStreamModel } from "./EventStreamOutput.js"
export {
  cborPayloads,
  jsonPayloads,
  type PayloadFormat,
  payloadFormatOf,
  xmlPayloads
} from "./EventStreamPayloads.js"

/**
 * The whole output side as one step function, for the runtime to drive from the response body's
 * chunks: frames from `MessageDecoder` (bounded by `limits`), each decoded by `decodeEvent`.
 * `push` returns the messages a chunk completes; `end` fails if the body ended inside a frame.
 */
export const eventStreamReader = (
  model: EventStreamModel,
  limits?: DecoderOptions
): {
  readonly push: (chunk: Uint8Array) => ReadonlyArray<DecodedMessage>
  readonly end: () => void
} => {
  const decoder = new MessageDecoder(limits)
  return {
    push: (chunk) => {
      const messages = decoder.push(chunk)
      if (messages.length === 0) return NO_MESSAGES
      const out = new Array<DecodedMessage>(messages.length)
      for (let i = 0; i < messages.length; i++) out[i] = decodeEvent(model, messages[i]!)
      return out
    },
    end: () => decoder.end()
  }
}

const NO_MESSAGES: ReadonlyArray<DecodedMessage> = Object.freeze([])
