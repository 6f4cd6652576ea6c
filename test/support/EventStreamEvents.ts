/**
 * Event-stream events for tests: messages as a server sends them (through the framing both ways),
 * and a json-protocol model with an initial response and event headers of every type (`Tick`).
 */
import { linkShapes } from "../../src/Protocols/Api2.js"
import {
  decodeMessage,
  encodeMessage,
  type HeaderValue,
  type Message
} from "../../src/Protocols/EventStream.js"
import { jsonPayloads } from "../../src/Protocols/EventStreamPayloads.js"
import type { StructureShape } from "../../src/Protocols/Shape.js"

export const utf8 = (s: string) => new TextEncoder().encode(s)
export const text = (b: Uint8Array) => new TextDecoder().decode(b)
export const str = (value: string): HeaderValue => ({ type: "string", value })

/** A message as a server sends it, through the framing (encoded, then decoded from the wire). */
export const wire = (headers: Record<string, HeaderValue>, payload: string | Uint8Array): Message =>
  decodeMessage(encodeMessage({ headers, payload: typeof payload === "string" ? utf8(payload) : payload }))

export const event = (
  type: string,
  contentType: string | undefined,
  payload: string | Uint8Array,
  extra = {}
): Message =>
  wire(
    {
      ":message-type": str("event"),
      ":event-type": str(type),
      ...(contentType === undefined ? {} : { ":content-type": str(contentType) }),
      ...extra
    },
    payload
  )

export const exception = (type: string, payload: string): Message =>
  wire(
    {
      ":message-type": str("exception"),
      ":exception-type": str(type),
      ":content-type": str("application/json")
    },
    payload
  )

export const structure = (shapes: ReadonlyMap<string, unknown>, name: string) =>
  shapes.get(name) as StructureShape

/** The json-protocol model: `Output` and `Input` with a `Stream` of `Tick` events. */
export const tickShapes = linkShapes({
  Output: { type: "structure", members: { SessionId: { shape: "S" }, Events: { shape: "Stream" } } },
  Input: { type: "structure", members: { Name: { shape: "S" }, Events: { shape: "Stream" } } },
  Stream: { type: "structure", eventstream: true, members: { Tick: { shape: "Tick" } } },
  Tick: {
    type: "structure",
    event: true,
    members: {
      Label: { shape: "S", eventheader: true },
      Count: { shape: "I", eventheader: true },
      Big: { shape: "L", eventheader: true, locationName: "big-number" },
      On: { shape: "B", eventheader: true },
      Raw: { shape: "Blob", eventheader: true },
      At: { shape: "T", eventheader: true },
      Note: { shape: "S" }
    }
  },
  S: { type: "string" },
  I: { type: "integer" },
  L: { type: "long" },
  B: { type: "boolean" },
  Blob: { type: "blob" },
  T: { type: "timestamp" }
})
export const tickUnion = structure(tickShapes, "Stream")
export const tickModel = { union: tickUnion, format: jsonPayloads, output: structure(tickShapes, "Output") }
