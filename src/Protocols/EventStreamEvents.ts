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
 * @since 0.1.0
 */
import { utf8Decode, utf8Encode } from "./Bytes.js"
import { decodeCbor } from "./Cbor.js"
import { readCborBody } from "./CborDecoder.js"
import { encodeShape } from "./CborEncoder.js"
import {
  type DecoderOptions,
  type Headers,
  type HeaderValue,
  type Message,
  MessageDecoder
} from "./EventStream.js"
import { parseJsonBody, readJsonBody } from "./JsonDecoder.js"
import { jsonWriter } from "./JsonEncoder.js"
import { memoize } from "./Memo.js"
import { type ParsedError, ProtocolError, rethrowAt } from "./Protocol.js"
import { messageOf } from "./ServiceError.js"
import type { MemberRef, ServiceMetadata, Shape, StructureShape } from "./Shape.js"
import { checkLong, isRecord, mismatch, toBoolean, toBytes, toDate, toText } from "./Values.js"
import { parseXmlBody, xmlReader } from "./XmlDecoder.js"
import { namespaceAttribute, xmlWriter } from "./XmlEncoder.js"

/** How a protocol writes and reads structure payloads of events. */
export interface PayloadFormat {
  /** The `:content-type` of a structure payload. */
  readonly contentType: string
  /** Decodes a structure (or union) payload; an empty payload is an empty structure. */
  readonly decode: (shape: Shape, bytes: Uint8Array) => unknown
  /** Encodes a structure (or union) payload; `tag` names its root element where the format has one. */
  readonly encode: (shape: Shape, value: unknown, tag: string) => Uint8Array
  /** The message of an unmodeled exception's payload, if the format finds one. */
  readonly message: (bytes: Uint8Array) => string | undefined
}

const recordMessage = (parsed: unknown): string | undefined =>
  isRecord(parsed) ? messageOf(parsed) : undefined

/** JSON payloads (json and rest-json services). */
export const jsonPayloads: PayloadFormat = {
  contentType: "application/json",
  decode: (shape, bytes) => readJsonBody(shape, bytes) ?? {},
  encode: (shape, value) => utf8Encode(jsonWriter(shape)(value)),
  message: (bytes) => {
    try {
      return recordMessage(parseJsonBody(bytes))
    } catch {
      return undefined
    }
  }
}

/** XML payloads (rest-xml services: S3 SelectObjectContent). */
export const xmlPayloads: PayloadFormat = {
  contentType: "text/xml",
  decode: (shape, bytes) => {
    const root = parseXmlBody(bytes)
    return root === undefined ? {} : xmlReader(shape)(root)
  },
  encode: (shape, value, tag) =>
    utf8Encode(xmlWriter(shape)(value, tag, namespaceAttribute(shape.xmlNamespace))),
  message: (bytes) => {
    try {
      const root = parseXmlBody(bytes)
      const text = root?.children.find((c) => c.name === "Message" || c.name === "message")?.text
      return text
    } catch {
      return undefined
    }
  }
}

/** CBOR payloads (smithy-rpc-v2-cbor services). */
export const cborPayloads: PayloadFormat = {
  contentType: "application/cbor",
  decode: (shape, bytes) => readCborBody(shape, bytes) ?? {},
  encode: (shape, value) => encodeShape(shape, value),
  message: (bytes) => {
    try {
      return recordMessage(bytes.length === 0 ? undefined : decodeCbor(bytes))
    } catch {
      return undefined
    }
  }
}

/** The payload format of a service's protocol. */
export const payloadFormatOf = (metadata: ServiceMetadata): PayloadFormat => {
  switch (metadata.protocol) {
    case "json":
    case "rest-json":
      return jsonPayloads
    case "rest-xml":
    case "query":
    case "ec2":
      return xmlPayloads
    case "smithy-rpc-v2-cbor":
      return cborPayloads
  }
}

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

interface MemberPlan {
  readonly headers: ReadonlyArray<readonly [member: string, header: string, ref: MemberRef]>
  readonly payload: readonly [member: string, ref: MemberRef] | undefined
  /**
   * The structure of the members that make up the payload when there is no `eventpayload` member
   * (those that are not headers); undefined when there are none.
   */
  readonly body: StructureShape | undefined
}

const planOf = memoize((shape: StructureShape): MemberPlan => {
  const headers: Array<readonly [string, string, MemberRef]> = []
  let payload: readonly [string, MemberRef] | undefined
  const others: Record<string, MemberRef> = {}
  let count = 0
  for (const [name, ref] of Object.entries(shape.members)) {
    if (ref.eventheader) headers.push([name, ref.locationName ?? name, ref])
    else if (ref.eventpayload) payload = [name, ref]
    else {
      others[name] = ref
      count++
    }
  }
  const body =
    payload !== undefined || count === 0
      ? undefined
      : headers.length === 0
        ? shape
        : { ...shape, members: others }
  return { headers, payload, body }
})

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

/** The union's members by name, split into events and exceptions. */
const membersOf = memoize((union: StructureShape) => {
  const events = new Map<string, StructureShape>()
  const exceptions = new Map<string, StructureShape>()
  for (const [name, ref] of Object.entries(union.members)) {
    const shape = ref.shape
    if (shape.type !== "structure") continue
    if (shape.exception) exceptions.set(name, shape)
    else events.set(name, shape)
  }
  return { events, exceptions }
})

/** The output's members other than the event stream (the initial response's shape). */
const initialShapeOf = memoize(
  (output: StructureShape): StructureShape => ({
    ...output,
    members: Object.fromEntries(
      Object.entries(output.members).filter(
        ([, ref]) => !(ref.shape.type === "structure" && ref.shape.eventstream === true)
      )
    )
  })
)

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

// ---- input events

/** The header of an `eventheader` member's value, typed by the member's shape. */
const headerOf = (ref: MemberRef, value: unknown): HeaderValue => {
  switch (ref.shape.type) {
    case "string":
    case "character":
      return { type: "string", value: toText(value) }
    case "boolean":
      return { type: "boolean", value: toBoolean(value) }
    case "byte":
      return { type: "byte", value: typeof value === "number" ? value : mismatch("a number", value) }
    case "short":
      return { type: "short", value: typeof value === "number" ? value : mismatch("a number", value) }
    case "integer":
      return { type: "integer", value: typeof value === "number" ? value : mismatch("a number", value) }
    case "long":
      if (typeof value === "bigint") return { type: "long", value }
      if (typeof value === "number" && Number.isSafeInteger(value))
        return { type: "long", value: BigInt(value) }
      return mismatch("an integer", value)
    case "blob":
      return { type: "binary", value: toBytes(value) }
    case "timestamp":
      return { type: "timestamp", value: toDate(value) }
    default:
      throw new ProtocolError(`a ${ref.shape.type} member cannot be an event header`)
  }
}

const OCTETS = "application/octet-stream"
const TEXT = "text/plain"

/** The message of an event structure's members (no `:event-type`, `:message-type` yet). */
const writeMembers = (
  shape: StructureShape,
  value: Readonly<Record<string, unknown>>,
  format: PayloadFormat,
  tag: string
): { headers: Record<string, HeaderValue>; payload: Uint8Array; contentType: string | undefined } => {
  const plan = planOf(shape)
  const headers: Record<string, HeaderValue> = {}
  for (const [name, header, ref] of plan.headers) {
    const v = value[name]
    if (v === undefined || v === null) continue
    try {
      headers[header] = headerOf(ref, v)
    } catch (e) {
      rethrowAt(e, name)
    }
  }
  if (plan.payload !== undefined) {
    const [name, ref] = plan.payload
    const v = value[name]
    const target = ref.shape
    try {
      if (target.type === "blob")
        return {
          headers,
          payload: v === undefined || v === null ? new Uint8Array(0) : toBytes(v),
          contentType: OCTETS
        }
      if (target.type === "string")
        return {
          headers,
          payload: utf8Encode(v === undefined || v === null ? "" : toText(v)),
          contentType: TEXT
        }
      if (v === undefined || v === null)
        return { headers, payload: new Uint8Array(0), contentType: undefined }
      const payloadTag = ref.locationName ?? target.locationName ?? target.name
      return { headers, payload: format.encode(target, v, payloadTag), contentType: format.contentType }
    } catch (e) {
      return rethrowAt(e, name)
    }
  }
  if (plan.body === undefined) return { headers, payload: new Uint8Array(0), contentType: undefined }
  return { headers, payload: format.encode(plan.body, value, tag), contentType: format.contentType }
}

const framed = (
  eventType: string,
  parts: { headers: Record<string, HeaderValue>; payload: Uint8Array; contentType: string | undefined }
): Message => {
  const headers: Record<string, HeaderValue> = {
    ":message-type": { type: "string", value: "event" },
    ":event-type": { type: "string", value: eventType }
  }
  if (parts.contentType !== undefined) headers[":content-type"] = { type: "string", value: parts.contentType }
  return { headers: Object.assign(headers, parts.headers), payload: parts.payload }
}

/**
 * The message of one input event: `event` is the union value, exactly one member set
 * (`{ AudioEvent: { AudioChunk } }`).
 */
export const encodeEvent = (union: StructureShape, format: PayloadFormat, event: unknown): Message => {
  if (!isRecord(event)) return mismatch("an event (an object with one member set)", event)
  const set = Object.keys(event).filter((k) => event[k] !== undefined && event[k] !== null)
  if (set.length !== 1)
    throw new ProtocolError(
      `an event has exactly one member set, got ${set.length === 0 ? "none" : set.join(", ")}`
    )
  const name = set[0]!
  const shape = membersOf(union).events.get(name)
  if (shape === undefined) throw new ProtocolError(`${name} is not an event of ${union.name}`)
  const value = event[name]
  if (!isRecord(value)) return mismatch("an object", value)
  try {
    return framed(name, writeMembers(shape, value, format, name))
  } catch (e) {
    return rethrowAt(e, name)
  }
}

/**
 * The RPC protocols' first input message (`:event-type: initial-request`): the input's members
 * other than the event stream, as the protocol writes a structure.
 */
export const encodeInitialRequest = (
  input: StructureShape,
  format: PayloadFormat,
  value: unknown
): Message => {
  if (!isRecord(value)) return mismatch("an object", value)
  const shape = initialShapeOf(input)
  return framed("initial-request", {
    headers: {},
    payload: format.encode(shape, value, shape.name),
    contentType: format.contentType
  })
}

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
