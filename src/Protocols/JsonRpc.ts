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
import { hostPrefixOf } from "./HostPrefix.js"
import { fillIdempotencyTokens } from "./Idempotency.js"
import { jsonReader, parseJsonBody } from "./JsonDecoder.js"
import { jsonWriter } from "./JsonEncoder.js"
import { readJsonError } from "./JsonError.js"
import { memoize } from "./Memo.js"
import type { CodecOptions, ProtocolCodec, SerializedRequest } from "./Protocol.js"
import { errorResolver, isQueryCompatible } from "./ServiceError.js"
import type { ServiceMetadata, StructureShape } from "./Shape.js"

/** The output member that is an event stream, if any. */
const eventStreamMemberOf = memoize(
  (shape: StructureShape): string | undefined =>
    Object.entries(shape.members).find(
      ([, ref]) => ref.shape.type === "structure" && ref.shape.eventstream
    )?.[0]
)

/** Makes the json codec of a service (`jsonVersion` 1.0 unless the metadata says otherwise). */
export const makeJsonRpc = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec => {
  const contentType = `application/x-amz-json-${metadata.jsonVersion ?? "1.0"}`
  const queryCompatible = isQueryCompatible(metadata)
  const resolveError = errorResolver(options?.serviceErrors)
  return {
    serialize: (operation, given, options) => {
      const shape = operation.input?.shape
      const input =
        shape === undefined ? given : fillIdempotencyTokens(shape, given, options?.idempotencyToken)
      const headers: Record<string, string> = { "Content-Type": contentType }
      if (metadata.targetPrefix !== undefined)
        headers["X-Amz-Target"] = `${metadata.targetPrefix}.${operation.name}`
      // tells the service to answer with the awsQuery error codes (x-amzn-query-error)
      if (queryCompatible) headers["x-amzn-query-mode"] = "true"
      const request: SerializedRequest = {
        method: "POST",
        path: "/",
        query: [],
        headers,
        body: shape === undefined ? "{}" : jsonWriter(shape)(input)
      }
      const hostPrefix = hostPrefixOf(operation)(input)
      return hostPrefix === undefined ? request : { ...request, hostPrefix }
    },
    deserialize: (operation, response, streamingBody) => {
      const shape = operation.output?.shape
      if (shape === undefined) return {}
      const stream = eventStreamMemberOf(shape)
      if (stream !== undefined) return streamingBody === undefined ? {} : { [stream]: streamingBody }
      return jsonReader(shape)(parseJsonBody(response.body) ?? {}) as Record<string, unknown>
    },
    deserializeError: (operation, response) =>
      resolveError(operation, response, readJsonError(response, queryCompatible))
  }
}
