/**
 * The payloads of events: how each protocol writes and reads a structure payload
 * (`PayloadFormat`: JSON, XML, CBOR), and where each member of an event structure goes (a header,
 * the payload, or the payload body), shared by decoding (`EventStreamOutput.ts`) and encoding
 * (`EventStreamInput.ts`). `EventStreamEvents.ts` re-exports the public part.
 *
 * @since 0.1.0
 */
import { utf8Encode } from "./Bytes.js"
import { decodeCbor } from "./Cbor.js"
import { readCborBody } from "./CborDecoder.js"
import { encodeShape } from "./CborEncoder.js"
import { parseJsonBody, readJsonBody } from "./JsonDecoder.js"
import { jsonWriter } from "./JsonEncoder.js"
import { memoize } from "./Memo.js"
import { messageOf } from "./ServiceError.js"
import type { MemberRef, ServiceMetadata, Shape, StructureShape } from "./Shape.js"
import { isRecord } from "./Values.js"
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

/** Where each member of an event structure goes: a header, the payload, or the payload body. */
export interface MemberPlan {
  readonly headers: ReadonlyArray<readonly [member: string, header: string, ref: MemberRef]>
  readonly payload: readonly [member: string, ref: MemberRef] | undefined
  /**
   * The structure of the members that make up the payload when there is no `eventpayload` member
   * (those that are not headers); undefined when there are none.
   */
  readonly body: StructureShape | undefined
}

export const planOf = memoize((shape: StructureShape): MemberPlan => {
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

/** The union's members by name, split into events and exceptions. */
export const membersOf = memoize((union: StructureShape) => {
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
export const initialShapeOf = memoize(
  (output: StructureShape): StructureShape => ({
    ...output,
    members: Object.fromEntries(
      Object.entries(output.members).filter(
        ([, ref]) => !(ref.shape.type === "structure" && ref.shape.eventstream === true)
      )
    )
  })
)
