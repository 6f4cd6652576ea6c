/**
 * The json protocol, versions 1.0 and 1.1 (DynamoDB, Kinesis, SQS, ...): every call is
 * `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>`,
 * `Content-Type: application/x-amz-json-<jsonVersion>` and the whole input as a JSON body (`{}`
 * when empty); HTTP binding traits do not apply. Responses are the output as JSON.
 *
 * Event streams: input event streams are rejected with a `ProtocolError` (not supported yet); an
 * output event stream member receives the raw `streamingBody` the pipeline passes, undecoded.
 *
 * @since 0.1.0
 */
import { jsonReader, readJsonBody } from "./JsonDecoder.js"
import { jsonWriter } from "./JsonEncoder.js"
import { readJsonError } from "./JsonError.js"
import { type CodecOptions, decoding, type ProtocolCodec } from "./Protocol.js"
import { type BuildRequest, serializer } from "./Serialize.js"
import { errorResolver, isQueryCompatible } from "./ServiceError.js"
import type { ServiceMetadata, StructureShape } from "./Shape.js"
import { streamingOutputMember } from "./Streaming.js"

const buildRequest = (metadata: ServiceMetadata): BuildRequest => {
  const fixed: Record<string, string> = {
    "Content-Type": `application/x-amz-json-${metadata.jsonVersion ?? "1.0"}`
  }
  // asks the service for the awsQuery error codes (x-amzn-query-error)
  if (isQueryCompatible(metadata)) fixed["x-amzn-query-mode"] = "true"
  return (operation, input) => {
    const headers = { ...fixed }
    if (metadata.targetPrefix !== undefined)
      headers["X-Amz-Target"] = `${metadata.targetPrefix}.${operation.name}`
    const shape = operation.input?.shape
    const body = shape === undefined ? "{}" : jsonWriter(shape)(input)
    return { method: "POST", path: "/", query: [], headers, body }
  }
}

/** Makes the json codec of a service (`jsonVersion` 1.0 unless the metadata says otherwise). */
export const makeJsonRpc = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec => {
  const queryCompatible = isQueryCompatible(metadata)
  const resolveError = errorResolver(options?.serviceErrors)
  return {
    serialize: serializer(buildRequest(metadata)),
    deserialize: (operation, response, streamingBody) => {
      const shape = operation.output?.shape
      // no members to read: whatever body came (some services answer with plain text) is ignored
      if (shape === undefined || !hasMembers(shape)) return {}
      const stream = streamingOutputMember(shape)
      if (stream !== undefined) return streamingBody === undefined ? {} : { [stream]: streamingBody }
      return decoding(() => {
        const output = readJsonBody(shape, response.body)
        return (output === undefined ? jsonReader(shape)({}) : output) as Record<string, unknown>
      })
    },
    deserializeError: (operation, response) =>
      decoding(() => resolveError(operation, response, readJsonError(response, queryCompatible)))
  }
}

const hasMembers = (shape: StructureShape): boolean => {
  for (const _ in shape.members) return true
  return false
}
