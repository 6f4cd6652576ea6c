/**
 * The query protocols: awsQuery (STS, SNS, IAM, ...) and ec2. Requests are
 * `POST /` with a form body `Action=<operation>&Version=<apiVersion>&...` (the parameters as the
 * dialect names them, see `QueryEncoder`); responses and errors are XML. A query output sits in
 * its `<OperationResult>` wrapper; an ec2 output is the root element itself.
 *
 * @since 0.1.0
 */
import { type CodecOptions, decoding, type ProtocolCodec } from "./Protocol.js"
import { ec2Style, type QueryStyle, queryStyle, queryWriterFor } from "./QueryEncoder.js"
import { type BuildRequest, serializer } from "./Serialize.js"
import { errorResolver } from "./ServiceError.js"
import type { OperationModel, ServiceMetadata } from "./Shape.js"
import { formEncode } from "./UriEncoding.js"
import type { XmlElement } from "./Xml.js"
import { childNamed, parseXmlBody, xmlReader } from "./XmlDecoder.js"
import { readXmlError } from "./XmlError.js"

const CONTENT_TYPE = "application/x-www-form-urlencoded"

/**
 * The element holding the output members: for query the `<OperationResult>` wrapper (its
 * `resultWrapper`, else the operation's name + `Result`) when present, else the root.
 */
const resultElement = (operation: OperationModel, root: XmlElement, wrapped: boolean): XmlElement => {
  if (!wrapped) return root
  const wrapper =
    operation.output?.resultWrapper ?? operation.output?.shape.resultWrapper ?? `${operation.name}Result`
  return childNamed(root, wrapper) ?? root
}

const buildRequest = (metadata: ServiceMetadata, style: QueryStyle): BuildRequest => {
  const writerOf = queryWriterFor(style)
  return (operation, input) => {
    const pairs: Array<readonly [string, string]> = [
      ["Action", operation.name],
      ["Version", metadata.apiVersion]
    ]
    const shape = operation.input?.shape
    if (shape !== undefined) writerOf(shape)(input, "", pairs)
    return {
      method: "POST",
      path: "/",
      query: [],
      headers: { "Content-Type": CONTENT_TYPE },
      body: formEncode(pairs)
    }
  }
}

const queryCodec = (
  metadata: ServiceMetadata,
  options: CodecOptions | undefined,
  style: QueryStyle,
  wrapped: boolean
): ProtocolCodec => {
  const resolveError = errorResolver(options?.serviceErrors)
  return {
    serialize: serializer(buildRequest(metadata, style)),
    deserialize: (operation, response) =>
      decoding(() => {
        const shape = operation.output?.shape
        const root = parseXmlBody(response.body)
        if (shape === undefined || root === undefined) return {}
        return xmlReader(shape)(resultElement(operation, root, wrapped)) as Record<string, unknown>
      }),
    deserializeError: (operation, response) =>
      decoding(() => resolveError(operation, response, readXmlError(response.body)))
  }
}

/** Makes the awsQuery codec of a service. */
export const makeQuery = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec =>
  queryCodec(metadata, options, queryStyle, true)

/** Makes the ec2 codec of a service. */
export const makeEc2 = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec =>
  queryCodec(metadata, options, ec2Style, false)
