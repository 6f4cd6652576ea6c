/**
 * Which api-2 traits the generated shapes keep and where: on the shape, on the reference to it
 * (a structure member, a list member, a map key or value), on both, or nowhere. The `.min.json`
 * form writes an inline member's reference traits and shape traits in one object; these split it.
 */
import type { MinShape } from "./Models.js"

/** Member traits that belong on the reference; the rest of an inline shape's keys belong on the shape. */
const refOnly = new Set([
  "location",
  "queryName",
  "xmlAttribute",
  "idempotencyToken",
  "hostLabel",
  "contextParam",
  "eventpayload",
  "eventheader"
])
const refAndShape = new Set([
  "locationName",
  "xmlNamespace",
  "jsonvalue",
  "timestampFormat",
  "flattened",
  "streaming"
])
const dropped = new Set([
  "documentation",
  "xmlOrder",
  "deprecated",
  "deprecatedMessage",
  "sensitive",
  "shape",
  "wrapper",
  "synthetic",
  "box"
])
const shapeStructural = new Set(["members", "member", "key", "value", "type", "required"])

/** The shape-level keys of a shape's JSON (an inline member carries its reference's traits too). */
export const shapeProps = (json: MinShape, inline: boolean, scalar: boolean): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(json)) {
    if (refOnly.has(k) || dropped.has(k) || shapeStructural.has(k)) continue
    if ((inline || scalar) && (k === "locationName" || k === "xmlNamespace")) continue
    if (scalar && k === "flattened") continue
    out[k] = v
  }
  return out
}

/** The reference-level keys: all traits of a shared shape's reference; the member traits of an inline one. */
export const refProps = (json: MinShape, inline: boolean): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(json)) {
    if (dropped.has(k) || shapeStructural.has(k)) continue
    if (!inline || refOnly.has(k) || refAndShape.has(k)) {
      if (inline && (k === "flattened" || k === "streaming")) continue
      out[k] = v
    }
  }
  return out
}

/** The `name` of a scalar shape constant by api-2 type (`S.Shape`'s names). */
export const scalarTypeName: Readonly<Record<string, string>> = {
  string: "String",
  integer: "Integer",
  long: "Long",
  float: "Float",
  double: "Double",
  boolean: "Boolean",
  timestamp: "Timestamp",
  blob: "Blob",
  byte: "Byte",
  short: "Short",
  character: "Character",
  bigdecimal: "BigDecimal",
  biginteger: "BigInteger"
}

/** The traits of an operation's input or output reference that the codecs read. */
export const operationRefTraits = ["locationName", "xmlNamespace", "resultWrapper", "payload"] as const

/** The traits of an operation that the codecs and the pipeline read, in emission order. */
export const operationTraits = [
  "endpoint",
  "idempotent",
  "httpChecksumRequired",
  "httpChecksum",
  "requestcompression",
  "authtype",
  "auth",
  "unsignedPayload"
] as const

/** The service metadata the runtime reads, in emission order. */
export const metadataTraits = [
  "protocol",
  "apiVersion",
  "jsonVersion",
  "targetPrefix",
  "xmlNamespace",
  "awsQueryCompatible",
  "endpointPrefix",
  "signingName",
  "signatureVersion",
  "serviceId",
  "serviceFullName",
  "globalEndpoint",
  "uid"
] as const

/** `xmlNamespace` as the shapes carry it: `{ uri }` (the model may write the bare string). */
export const traitLiteralValue = (k: string, v: unknown): unknown =>
  k === "xmlNamespace" && typeof v === "string" ? { uri: v } : v
