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
import { type PayloadMember, requestPlanOf } from "./HttpBinding.js"
import { memoize } from "./Memo.js"
import { type CodecOptions, type ProtocolCodec, ProtocolError } from "./Protocol.js"
import { type RestFormat, restCodec } from "./Rest.js"
import { type OperationModel, type ServiceMetadata, type StructureShape, traitOf } from "./Shape.js"
import { parseXmlBody, xmlReader } from "./XmlDecoder.js"
import { namespaceAttribute, type XmlWrite, xmlWriter } from "./XmlEncoder.js"
import { readXmlError } from "./XmlError.js"

type Input = Readonly<Record<string, unknown>>

/** How the unbound members of an operation's input are written: the root element and its writer. */
interface BodyRoot {
  readonly members: ReadonlyArray<string>
  readonly tag: string
  readonly attributes: string
  readonly write: XmlWrite
}

/** The root of an operation's body, compiled once (`body`: the structure of the unbound members). */
const bodyRootOf = memoize((operation: OperationModel): BodyRoot => {
  const body = requestPlanOf(operation).body
  if (body === undefined) throw new Error(`model: ${operation.name} has no body members`)
  return {
    members: Object.keys(body.members),
    tag: body.locationName ?? operation.input?.locationName ?? body.name,
    attributes: namespaceAttribute(operation.input?.xmlNamespace ?? body.xmlNamespace),
    write: xmlWriter(body)
  }
})

/** A root element when any unbound member is set; no body otherwise. */
const encodeMembers = (
  operation: OperationModel,
  _body: StructureShape,
  input: Input
): string | undefined => {
  const root = bodyRootOf(operation)
  const set = root.members.some((name) => input[name] !== undefined && input[name] !== null)
  return set ? root.write(input, root.tag, root.attributes) : undefined
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
