/**
 * Event-stream messages to typed events (the output side; `EventStreamInput.ts` writes input
 * events, `EventStreamEvents.ts` re-exports both), over the shape of an event-stream union (the
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
 * payload the protocol cannot decode) throws a `ProtocolError`.
 *
 * @since 0.1.0
 */
import { utf8Decode } from "./Bytes.js"
import type { Message } from "./EventStreamFrame.js"
import type { Headers, HeaderValue } from "./EventStreamHeaders.js"
import { initialShapeOf, membersOf, type PayloadFormat, planOf } from "./EventStreamPayloads.js"
import { type ParsedError, ProtocolError, rethrowAt } from "./Protocol.js"
import { messageOf } from "./ServiceError.js"
import type { MemberRef, StructureShape } from "./Shape.js"
import { checkLong, isRecord, mismatch } from "./Values.js"

/** A decoded message. */
export type DecodedMessage =
  /** A modeled event: the union value, `{ [member]: members }`. */
  | { readonly _tag: "Event"; readonly event: Readonly<Record<string, unknown>> }
  /** The RPC protocols' first message: the output's members other than the stream. */
  | { readonly _tag: "InitialResponse"; readonly members: Readonly<Record<string, unknown>> }
  /** An exception event, modeled (`error.shape` set) or not. */
  | { readonly _tag: "Exception"; readonly error: ParsedError }
  /** A `:message-type: error` message. */
  | { readonly _tag: "Error"; readonly code: string; readonly message: string | undefined }
  /** An event type the model does not know. */
  | { readonly _tag: "Unknown"; readonly eventType: string; readonly message: Message }

/** What decoding needs: the union, the protocol's payload format, and the output (for initial responses). */
export interface EventStreamModel {
  readonly union: StructureShape
  readonly format: PayloadFormat
  /** The operation's output; its members other than `union`'s are the initial response. */
  readonly output?: StructureShape
}

const stringHeader = (headers: Headers, name: string): string | undefined => {
  const h = headers[name]
  if (h === undefined) return undefined
  if (h.type !== "string")
    throw new ProtocolError(`event stream: header ${name} is a ${h.type}, not a string`)
  return h.value
}

/** The value of an `eventheader` member from its header, as the member's shape asks. */
const headerMemberValue = (ref: MemberRef, header: HeaderValue): unknown => {
  const type = ref.shape.type
  const wrong = (): never => {
    throw new ProtocolError(`a ${header.type} header cannot be a ${type}`)
  }
  switch (type) {
    case "string":
    case "character":
      return header.type === "string" ? header.value : wrong()
    case "boolean":
      return header.type === "boolean" ? header.value : wrong()
    case "byte":
    case "short":
    case "integer":
      return header.type === "byte" || header.type === "short" || header.type === "integer"
        ? header.value
        : wrong()
    case "long":
      if (header.type === "long") return checkLong(Number(header.value), String(header.value))
      return header.type === "byte" || header.type === "short" || header.type === "integer"
        ? header.value
        : wrong()
    case "blob":
      return header.type === "binary" ? header.value : wrong()
    case "timestamp":
      return header.type === "timestamp" ? header.value : wrong()
    default:
      return wrong()
  }
}

/** The members of an event (or exception) structure from a message. */
const readMembers = (
  shape: StructureShape,
  message: Message,
  format: PayloadFormat
): Record<string, unknown> => {
  const plan = planOf(shape)
  let out: Record<string, unknown> = {}
  if (plan.payload !== undefined) {
    const [name, ref] = plan.payload
    const target = ref.shape
    try {
      if (target.type === "blob") out[name] = message.payload
      else if (target.type === "string") out[name] = utf8Decode(message.payload)
      else if (message.payload.length > 0) out[name] = format.decode(target, message.payload)
    } catch (e) {
      rethrowAt(e, name)
    }
  } else if (plan.body !== undefined && message.payload.length > 0) {
    const decoded = format.decode(plan.body, message.payload)
    if (!isRecord(decoded)) return mismatch("a structure payload", decoded)
    out = { ...decoded }
  }
  for (const [name, header, ref] of plan.headers) {
    const value = message.headers[header]
    if (value === undefined) continue
    try {
      out[name] = headerMemberValue(ref, value)
    } catch (e) {
      rethrowAt(e, name)
    }
  }
  return out
}

/** Decodes one message of an output event stream. */
export const decodeEvent = (model: EventStreamModel, message: Message): DecodedMessage => {
  const type = stringHeader(message.headers, ":message-type")
  if (type === undefined) throw new ProtocolError("event stream: a message without :message-type")
  switch (type) {
    case "event": {
      const eventType = stringHeader(message.headers, ":event-type")
      if (eventType === undefined) throw new ProtocolError("event stream: an event without :event-type")
      if (eventType === "initial-response") {
        const output = model.output
        if (output === undefined) return { _tag: "InitialResponse", members: {} }
        const shape = initialShapeOf(output)
        return { _tag: "InitialResponse", members: readMembers(shape, message, model.format) }
      }
      const shape = membersOf(model.union).events.get(eventType)
      if (shape === undefined) return { _tag: "Unknown", eventType, message }
      try {
        return { _tag: "Event", event: { [eventType]: readMembers(shape, message, model.format) } }
      } catch (e) {
        return rethrowAt(e, eventType)
      }
    }
    case "exception": {
      const code = stringHeader(message.headers, ":exception-type")
      if (code === undefined) throw new ProtocolError("event stream: an exception without :exception-type")
      const shape = membersOf(model.union).exceptions.get(code)
      if (shape === undefined) {
        const error = {
          code,
          message: model.format.message(message.payload),
          shape,
          members: {},
          requestId: undefined
        }
        return { _tag: "Exception", error }
      }
      let members: Record<string, unknown>
      try {
        members = readMembers(shape, message, model.format)
      } catch (e) {
        return rethrowAt(e, code)
      }
      return {
        _tag: "Exception",
        error: { code, message: messageOf(members), shape, members, requestId: undefined }
      }
    }
    case "error":
      return {
        _tag: "Error",
        code: stringHeader(message.headers, ":error-code") ?? "UnknownError",
        message: stringHeader(message.headers, ":error-message")
      }
    default:
      throw new ProtocolError(`event stream: unknown :message-type ${JSON.stringify(type)}`)
  }
}
