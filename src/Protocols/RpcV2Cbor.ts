/**
 * The Smithy RPC v2 CBOR protocol (`smithy-rpc-v2-cbor`): every call is
 * `POST /service/<ServiceName>/operation/<Operation>` (the service name is the model's
 * `targetPrefix`) with `smithy-protocol: rpc-v2-cbor`, `Accept: application/cbor` and, when the
 * operation has an input, the whole input as a CBOR map (`Content-Type: application/cbor`; an
 * operation without input sends no body). HTTP binding traits do not apply. Responses are the
 * output as a CBOR map; errors name their code in `__type` (a Smithy shape id, namespace dropped),
 * or, for a service compatible with its former awsQuery protocol, in `x-amzn-query-error`.
 *
 * Event streams: an output event stream member receives the raw `streamingBody` the pipeline
 * passes, undecoded (the framing and event decoding are `EventStream*.ts`).
 *
 * @since 0.1.0
 */
import { decodeCbor } from "./Cbor.js"
import { cborReader, readCborBody } from "./CborDecoder.js"
import { encodeShape } from "./CborEncoder.js"
import { type CodecOptions, decoding, type ProtocolCodec, type ResponseParts } from "./Protocol.js"
import { type BuildRequest, serializer } from "./Serialize.js"
import {
  type ErrorBody,
  errorResolver,
  isQueryCompatible,
  messageOf,
  queryCompatibleCode,
  sanitizeErrorCode
} from "./ServiceError.js"
import type { ServiceMetadata, StructureShape } from "./Shape.js"
import { streamingOutputMember } from "./Streaming.js"
import { isRecord } from "./Values.js"

const buildRequest = (metadata: ServiceMetadata): BuildRequest => {
  const fixed: Record<string, string> = { "smithy-protocol": "rpc-v2-cbor", Accept: "application/cbor" }
  // asks the service for the awsQuery error codes (x-amzn-query-error)
  if (isQueryCompatible(metadata)) fixed["x-amzn-query-mode"] = "true"
  const base = `/service/${encodeURIComponent(metadata.targetPrefix ?? "")}/operation/`
  return (operation, input) => {
    const path = base + encodeURIComponent(operation.name)
    const shape = operation.input?.shape
    if (shape === undefined)
      return { method: "POST", path, query: [], headers: { ...fixed }, body: undefined }
    const headers = { ...fixed, "Content-Type": "application/cbor" }
    return { method: "POST", path, query: [], headers, body: encodeShape(shape, input) }
  }
}

/** Reads a CBOR error response; `queryCompatible` is the service's `awsQueryCompatible` trait. */
const readCborError = (response: ResponseParts, queryCompatible: boolean): ErrorBody => {
  const parsed = response.body.length === 0 ? undefined : decodeCbor(response.body)
  const body = isRecord(parsed) ? parsed : {}
  const raw = body.__type ?? body.code
  return {
    code:
      (queryCompatible ? queryCompatibleCode(response) : undefined) ??
      (typeof raw === "string" && raw.trim() !== "" ? sanitizeErrorCode(raw) : undefined),
    message: messageOf(body),
    requestId: undefined,
    members: (shape: StructureShape) => cborReader(shape)(body) as Record<string, unknown>
  }
}

/** Makes the rpc-v2-cbor codec of a service. */
export const makeRpcV2Cbor = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec => {
  const queryCompatible = isQueryCompatible(metadata)
  const resolveError = errorResolver(options?.serviceErrors)
  return {
    serialize: serializer(buildRequest(metadata)),
    deserialize: (operation, response, streamingBody) => {
      const shape = operation.output?.shape
      if (shape === undefined || !hasMembers(shape)) return {}
      const stream = streamingOutputMember(shape)
      if (stream !== undefined) return streamingBody === undefined ? {} : { [stream]: streamingBody }
      return decoding(() => {
        const output = readCborBody(shape, response.body)
        return (output === undefined ? {} : output) as Record<string, unknown>
      })
    },
    deserializeError: (operation, response) =>
      decoding(() => resolveError(operation, response, readCborError(response, queryCompatible)))
  }
}

const hasMembers = (shape: StructureShape): boolean => {
  for (const _ in shape.members) return true
  return false
}
