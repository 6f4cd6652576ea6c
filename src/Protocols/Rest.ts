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
import { hostPrefixOf } from "./HostPrefix.js"
import { type PayloadMember, requestPlanOf, responsePlanOf } from "./HttpBinding.js"
import { fillIdempotencyTokens } from "./Idempotency.js"
import {
  type CodecOptions,
  type ProtocolCodec,
  ProtocolError,
  type RequestBody,
  type ResponseParts,
  rethrowAt,
  type SerializedRequest,
  type StreamingBody
} from "./Protocol.js"
import { type ErrorBody, errorResolver } from "./ServiceError.js"
import { type OperationModel, type StructureShape, traitOf } from "./Shape.js"
import { isRecord, mismatch, toText } from "./Values.js"

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

const isStreaming = (payload: PayloadMember): boolean =>
  traitOf(payload.ref, "streaming") === true ||
  (payload.ref.shape.type === "structure" && payload.ref.shape.eventstream === true)

/** The body and its default Content-Type for the payload member's value. */
const payloadBody = (
  format: RestFormat,
  payload: PayloadMember,
  value: unknown
): readonly [RequestBody, string | undefined] => {
  const shape = payload.ref.shape
  switch (shape.type) {
    case "blob":
      if (value === undefined || value === null) return [undefined, "application/octet-stream"]
      if (isStreaming(payload)) return [value as StreamingBody, "application/octet-stream"]
      if (typeof value === "string" || value instanceof Uint8Array) return [value, "application/octet-stream"]
      return mismatch("a Uint8Array or a string", value)
    case "string":
      return value === undefined || value === null ? [undefined, undefined] : [toText(value), "text/plain"]
    case "structure": {
      if (shape.eventstream) throw new ProtocolError("event stream input is not supported yet")
      const body = format.encodePayload(payload, value ?? undefined)
      return [body, body === undefined ? undefined : format.contentType]
    }
    default:
      throw new ProtocolError(`a ${shape.type} cannot be an HTTP payload`)
  }
}

const hasHeader = (headers: Readonly<Record<string, string>>, name: string): boolean =>
  Object.keys(headers).some((h) => h.toLowerCase() === name)

const serializeWith =
  (format: RestFormat): ProtocolCodec["serialize"] =>
  (operation, given, options) => {
    const shape = operation.input?.shape
    const input = shape === undefined ? given : fillIdempotencyTokens(shape, given, options?.idempotencyToken)
    const plan = requestPlanOf(operation)
    const headers = plan.headers(input)
    let body: RequestBody
    let contentType: string | undefined
    if (plan.payload !== undefined) {
      try {
        ;[body, contentType] = payloadBody(format, plan.payload, input[plan.payload.name])
      } catch (e) {
        rethrowAt(e, plan.payload.name)
      }
    } else if (plan.body !== undefined) {
      body = format.encodeMembers(operation, plan.body, input)
      if (body !== undefined) contentType = format.contentType
    }
    if (contentType !== undefined && !hasHeader(headers, "content-type"))
      headers["Content-Type"] = contentType
    const request: SerializedRequest = {
      method: operation.http.method,
      path: plan.path(input),
      query: plan.query(input),
      headers,
      body
    }
    const hostPrefix = hostPrefixOf(operation)(input)
    return hostPrefix === undefined ? request : { ...request, hostPrefix }
  }

/** The payload member's output value, or undefined when the body holds none. */
const payloadValue = (
  format: RestFormat,
  payload: PayloadMember,
  response: ResponseParts,
  streamingBody: unknown
): unknown => {
  if (isStreaming(payload)) return streamingBody
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
    serialize: serializeWith(format),
    deserialize: (operation, response, streamingBody) => {
      const shape = operation.output?.shape
      if (shape === undefined) return {}
      return decodeStructure(format, shape, response, streamingBody, (body) =>
        format.decodeMembers(body, response.body)
      )
    },
    deserializeError: (operation, response) => {
      const error = format.readError(response)
      return resolveError(operation, response, error, (shape) =>
        decodeStructure(format, shape, response, undefined, error.members)
      )
    }
  }
}

/** Whether any member of `shape` is set in `input` (a structured body is only sent then). */
export const anyMemberSet = (shape: StructureShape, input: Input): boolean =>
  Object.keys(shape.members).some((name) => input[name] !== undefined && input[name] !== null)

/** The value of a structure payload, checked. */
export const payloadRecord = (value: unknown): Input =>
  isRecord(value) ? value : mismatch("an object", value)
