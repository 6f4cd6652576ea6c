/**
 * Input events to event-stream messages (`EventStreamEvents.ts` re-exports them): an event of an
 * input event-stream union, one member set, is written as the message to frame and sign; its
 * `eventheader` members as typed headers, its `eventpayload` member as the payload (a blob as the
 * bytes, a string as UTF-8 text, a structure with the service's protocol), or, without one, the
 * structure of its other members as the payload. The RPC protocols' first message
 * (`initial-request`) carries the input's other members.
 *
 * @since 0.1.0
 */
import { utf8Encode } from "./Bytes.js"
import type { Message } from "./EventStreamFrame.js"
import type { HeaderValue } from "./EventStreamHeaders.js"
import { initialShapeOf, membersOf, type PayloadFormat, planOf } from "./EventStreamPayloads.js"
import { ProtocolError, rethrowAt } from "./Protocol.js"
import type { MemberRef, StructureShape } from "./Shape.js"
import { isRecord, mismatch, toBoolean, toBytes, toDate, toText } from "./Values.js"

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
