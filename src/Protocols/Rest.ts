/**
 * What rest-xml and rest-json share: the HTTP bindings (`HttpBinding`), the payload kinds (a
 * blob or string sent as is, a structure / union / document encoded), host prefix and
 * idempotency tokens, status-code and header members of outputs and errors. Each protocol
 * supplies a `RestFormat`: how its structured bodies and error bodies look.
 *
 * Event streams: an input event stream is rejected with a `ProtocolError` (not supported yet);
 * an output event stream member receives the raw `streamingBody` the pipeline passes, undecoded.
 *
 * @since 0.1.0
 */
import { utf8Decode } from "./Bytes.js"
import { type PayloadMember, type RequestPlan, requestPlanOf, responsePlanOf } from "./HttpBinding.js"
import {
  type CodecOptions,
  decoding,
  type ProtocolCodec,
  ProtocolError,
  type RequestBody,
  type ResponseParts,
  rethrowAt,
  type StreamingBody
} from "./Protocol.js"
import { type BuildRequest, serializer } from "./Serialize.js"
import { type ErrorBody, errorResolver } from "./ServiceError.js"
import type { OperationModel, StructureShape } from "./Shape.js"
import { isStreamingMember } from "./Streaming.js"
import { mismatch, toText } from "./Values.js"

type Input = Readonly<Record<string, unknown>>

/** How one REST protocol writes and reads its structured bodies. */
export interface RestFormat {
  /** The Content-Type of a structured body. */
  readonly contentType: string
  /** The body of the unbound input members (`body`: their structure); undefined for no body. */
  readonly encodeMembers: (
    operation: OperationModel,
    body: StructureShape,
    input: Input
  ) => string | undefined
  /** The body of a structure, union or document payload member; undefined for no body. */
  readonly encodePayload: (payload: PayloadMember, value: unknown) => string | undefined
  /** The unbound output members from the body. */
  readonly decodeMembers: (body: StructureShape, bytes: Uint8Array) => Record<string, unknown>
  /** A structure, union or document payload member from a non-empty body. */
  readonly decodePayload: (payload: PayloadMember, bytes: Uint8Array) => unknown
  /** Reads an error response body. */
  readonly readError: (response: ResponseParts) => ErrorBody
}

const hasHeader = (headers: Readonly<Record<string, string>>, name: string): boolean =>
  Object.keys(headers).some((h) => h.toLowerCase() === name)

const OCTET_STREAM = "application/octet-stream"

/** A blob payload: bytes or a string as they are; a stream passed through for the pipeline. */
const blobBody = (
  payload: PayloadMember,
  value: unknown,
  headers: Readonly<Record<string, string>>
): readonly [RequestBody, string] => {
  if (typeof value === "string" || value instanceof Uint8Array) return [value, OCTET_STREAM]
  if (!isStreamingMember(payload.ref)) return mismatch("a Uint8Array or a string", value)
  const shape = payload.ref.shape
  if (shape.type === "blob" && shape.requiresLength === true && !hasHeader(headers, "content-length")) {
    throw new ProtocolError(
      "the service needs the length of this body (requiresLength): pass bytes or a string, or set its content length"
    )
  }
  return [value as StreamingBody, OCTET_STREAM]
}

/** The body and its default Content-Type for the payload member's value. */
const payloadBody = (
  format: RestFormat,
  payload: PayloadMember,
  value: unknown,
  headers: Readonly<Record<string, string>>
): readonly [RequestBody, string | undefined] => {
  const shape = payload.ref.shape
  const absent = value === undefined || value === null
  switch (shape.type) {
    case "blob":
      return absent ? [undefined, OCTET_STREAM] : blobBody(payload, value, headers)
    case "string":
      return absent ? [undefined, undefined] : [toText(value), "text/plain"]
    case "structure": {
      if (shape.eventstream) throw new ProtocolError("event stream input is not supported yet")
      const body = format.encodePayload(payload, absent ? undefined : value)
      return [body, body === undefined ? undefined : format.contentType]
    }
    default:
      throw new ProtocolError(`a ${shape.type} cannot be an HTTP payload`)
  }
}

/** The request body (the payload member, or the unbound members) and its default Content-Type. */
const requestBody = (
  format: RestFormat,
  operation: OperationModel,
  plan: RequestPlan,
  input: Input,
  headers: Readonly<Record<string, string>>
): readonly [RequestBody, string | undefined] => {
  const payload = plan.payload
  if (payload !== undefined) {
    try {
      return payloadBody(format, payload, input[payload.name], headers)
    } catch (e) {
      return rethrowAt(e, payload.name)
    }
  }
  if (plan.body === undefined) return [undefined, undefined]
  const body = format.encodeMembers(operation, plan.body, input)
  return [body, body === undefined ? undefined : format.contentType]
}

/** Builds a REST request: bindings, then the body. */
const buildRequest =
  (format: RestFormat): BuildRequest =>
  (operation, input) => {
    const plan = requestPlanOf(operation)
    const headers = plan.headers(input)
    const [body, contentType] = requestBody(format, operation, plan, input, headers)
    if (contentType !== undefined && !hasHeader(headers, "content-type"))
      headers["Content-Type"] = contentType
    return { method: operation.http.method, path: plan.path(input), query: plan.query(input), headers, body }
  }

/** The payload member's output value, or undefined when the body holds none. */
const payloadValue = (
  format: RestFormat,
  payload: PayloadMember,
  response: ResponseParts,
  streamingBody: unknown
): unknown => {
  if (isStreamingMember(payload.ref)) return streamingBody
  const bytes = response.body
  if (bytes.length === 0) return undefined
  switch (payload.ref.shape.type) {
    case "blob":
      return bytes
    case "string":
      return utf8Decode(bytes)
    default:
      return format.decodePayload(payload, bytes)
  }
}

/** The members of an output or error structure, from headers, status code and body. */
const decodeStructure = (
  format: RestFormat,
  shape: StructureShape,
  response: ResponseParts,
  streamingBody: unknown,
  fromBody: (body: StructureShape) => Record<string, unknown>
): Record<string, unknown> => {
  const plan = responsePlanOf(shape)
  const out: Record<string, unknown> = {}
  plan.read(response, out)
  if (plan.payload !== undefined) {
    let value: unknown
    try {
      value = payloadValue(format, plan.payload, response, streamingBody)
    } catch (e) {
      rethrowAt(e, plan.payload.name)
    }
    if (value !== undefined) out[plan.payload.name] = value
  } else if (plan.body !== undefined) {
    Object.assign(out, fromBody(plan.body))
  }
  return out
}

/** A REST protocol codec over its body format. */
export const restCodec = (format: RestFormat, options?: CodecOptions): ProtocolCodec => {
  const resolveError = errorResolver(options?.serviceErrors)
  return {
    serialize: serializer(buildRequest(format)),
    deserialize: (operation, response, streamingBody) => {
      const shape = operation.output?.shape
      if (shape === undefined) return {}
      return decoding(() =>
        decodeStructure(format, shape, response, streamingBody, (body) =>
          format.decodeMembers(body, response.body)
        )
      )
    },
    deserializeError: (operation, response) =>
      decoding(() => {
        const error = format.readError(response)
        return resolveError(operation, response, error, (shape) =>
          decodeStructure(format, shape, response, undefined, error.members)
        )
      })
  }
}
