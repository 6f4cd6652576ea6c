/**
 * The rest-xml protocol (S3, Route 53, CloudFront): HTTP bindings plus an XML body. Unbound
 * members form one root element, named by the input structure's `locationName` (else the input
 * reference's, else the shape's name) and sent only when a member is set; a structure payload
 * member is the whole body, its element named by the member's `locationName` (else the target
 * shape's `locationName`, else its name). Responses are read from the root element, whatever its
 * name; errors from `<Error>`.
 *
 * @since 0.1.0
 */
import type { PayloadMember } from "./HttpBinding.js"
import { type CodecOptions, type ProtocolCodec, ProtocolError } from "./Protocol.js"
import { type RestFormat, restCodec } from "./Rest.js"
import { type OperationModel, type ServiceMetadata, type StructureShape, traitOf } from "./Shape.js"
import { parseXmlBody, xmlReader } from "./XmlDecoder.js"
import { namespaceAttribute, xmlWriter } from "./XmlEncoder.js"
import { readXmlError } from "./XmlError.js"

type Input = Readonly<Record<string, unknown>>

/** Whether any member of `shape` is set in `input` (a structured body is only sent then). */
const anyMemberSet = (shape: StructureShape, input: Input): boolean =>
  Object.keys(shape.members).some((name) => input[name] !== undefined && input[name] !== null)

const encodeMembers = (operation: OperationModel, body: StructureShape, input: Input): string | undefined => {
  if (!anyMemberSet(body, input)) return undefined
  const tag = body.locationName ?? operation.input?.locationName ?? body.name
  const attributes = namespaceAttribute(operation.input?.xmlNamespace ?? body.xmlNamespace)
  return xmlWriter(body)(input, tag, attributes)
}

const encodePayload = ({ ref }: PayloadMember, value: unknown): string | undefined => {
  if (value === undefined) return undefined
  const shape = ref.shape
  if (shape.type === "structure" && shape.document) throw new ProtocolError("rest-xml cannot send a document")
  const tag = ref.locationName ?? shape.locationName ?? shape.name
  return xmlWriter(shape)(value, tag, namespaceAttribute(traitOf(ref, "xmlNamespace")))
}

const format: RestFormat = {
  contentType: "application/xml",
  encodeMembers,
  encodePayload,
  decodeMembers: (body, bytes) => {
    const root = parseXmlBody(bytes)
    return root === undefined ? {} : (xmlReader(body)(root) as Record<string, unknown>)
  },
  decodePayload: ({ ref }, bytes) => {
    const root = parseXmlBody(bytes)
    return root === undefined ? undefined : xmlReader(ref.shape)(root)
  },
  readError: (response) => readXmlError(response.body)
}

/** Makes the rest-xml codec of a service (the format has no per-service settings). */
export const makeRestXml = (_metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec =>
  restCodec(format, options)
