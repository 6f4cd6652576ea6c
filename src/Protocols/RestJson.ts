/**
 * The rest-json protocol (Lambda, API Gateway, ...): HTTP bindings plus a JSON body. Unbound
 * members form a JSON object (`{}` when none is set); a structure payload member is the whole
 * body (`{}` when unset), a union or document payload is sent only when set.
 *
 * @since 0.1.0
 */
import { jsonReader, readJsonBody } from "./JsonDecoder.js"
import { jsonWriter } from "./JsonEncoder.js"
import { readJsonError } from "./JsonError.js"
import type { CodecOptions, ProtocolCodec } from "./Protocol.js"
import { type RestFormat, restCodec } from "./Rest.js"
import { isQueryCompatible } from "./ServiceError.js"
import type { ServiceMetadata } from "./Shape.js"

const format = (metadata: ServiceMetadata): RestFormat => ({
  contentType: "application/json",
  encodeMembers: (_operation, body, input) => jsonWriter(body)(input),
  encodePayload: ({ ref }, value) => {
    const shape = ref.shape
    if (value !== undefined) return jsonWriter(shape)(value)
    return shape.type === "structure" && !shape.union && !shape.document ? "{}" : undefined
  },
  decodeMembers: (body, bytes) => {
    const members = readJsonBody(body, bytes)
    return (members === undefined ? jsonReader(body)({}) : members) as Record<string, unknown>
  },
  decodePayload: ({ ref }, bytes) => readJsonBody(ref.shape, bytes),
  readError: (response) => readJsonError(response, isQueryCompatible(metadata))
})

/** Makes the rest-json codec of a service. */
export const makeRestJson = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec =>
  restCodec(format(metadata), options)
