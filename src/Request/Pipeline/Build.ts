/**
 * The build stage: a valid input made the HTTP request a call sends: serialized by the service's
 * protocol, its payload headers added (`PayloadHeaders`), sent where the endpoint rules say, with
 * the caller's extra headers and the service's request customizations; and what signing it needs
 * (the payload's hash, the signing name and region).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { EndpointError } from "../../Endpoints/EndpointError.js"
import { checkHeaderName, checkHeaderValue } from "../../Protocols/HeaderValue.js"
import { ProtocolError, rethrowAt, type SerializedRequest } from "../../Protocols/Protocol.js"
import * as Body from "../Body.js"
import type { CallOptions, ServiceClient } from "../Client.js"
import * as Endpoint from "../Endpoint.js"
import { type InvalidParams, SerializationError } from "../Errors.js"
import { withPayloadHeaders } from "../PayloadHeaders.js"
import * as Sigv4 from "../Sigv4.js"
import { exactLength, type HttpRequest, type StreamBody } from "../Transport.js"
import type { OperationPlan } from "./Plan.js"

/** A call's request, ready to sign. */
export interface BuiltRequest {
  readonly request: HttpRequest
  readonly payloadHash: string
  readonly signingName: string
  readonly signingRegion: string
  /** The validated input the request was built from. */
  readonly input: Readonly<Record<string, unknown>>
}

/**
 * A call's request validated and built: what `Execute` composes of the two stages, which the retry
 * stage runs again for a redirect to another region, and the presign stage for its URL.
 */
export type Prepare = (
  client: ServiceClient,
  plan: OperationPlan,
  input: Readonly<Record<string, unknown>>,
  options: CallOptions | undefined
) => Either.Either<BuiltRequest, InvalidParams | SerializationError | EndpointError>

const USER_AGENT = "effect-aws-sdk/0.1.0"
const encoder = new TextEncoder()

const isEffectStream = (u: unknown): u is Stream.Stream<Uint8Array, unknown> =>
  typeof u === "object" && u !== null && Stream.StreamTypeId in u

const bodyOf = (serialized: SerializedRequest): Uint8Array | StreamBody | undefined => {
  const body = serialized.body
  if (body === undefined) return undefined
  if (typeof body === "string") return encoder.encode(body)
  if (body instanceof Uint8Array) return body
  if (isEffectStream(body)) {
    const replayable = Body.isReplayable(body)
    const declared = serialized.headers["Content-Length"] ?? serialized.headers["content-length"]
    if (declared === undefined) return { _tag: "StreamBody", stream: body, length: undefined, replayable }
    const length = Number(declared)
    if (!/^\d+$/.test(declared.trim()) || !Number.isSafeInteger(length)) {
      throw new ProtocolError(`is ${JSON.stringify(declared)}, not a length in bytes`, "Content-Length")
    }
    return { _tag: "StreamBody", stream: exactLength(body, length), length, replayable }
  }
  throw new ProtocolError(
    "a streaming body must be a Uint8Array, a string or an Effect Stream of Uint8Array",
    serialized.method
  )
}

/** Extra headers of a call are checked as header-bound members are: no CR/LF can reach the wire. */
const checkHeaders = (headers: Readonly<Record<string, string>>): void => {
  for (const [name, value] of Object.entries(headers)) {
    try {
      checkHeaderName(name)
      checkHeaderValue(value)
    } catch (e) {
      rethrowAt(e, `headers option[${JSON.stringify(name)}]`)
    }
  }
}

/** A failure to encode a request (or decode a response) as the call's `SerializationError`. */
export const serializationError = (operation: string, direction: "request" | "response", e: unknown) =>
  new SerializationError({
    message:
      e instanceof ProtocolError || e instanceof Error
        ? `${direction === "request" ? "cannot encode the request" : "cannot decode the response"}: ${e.message}`
        : String(e),
    operation,
    direction,
    cause: e
  })

/** The stage: the request of a call with a valid input. */
export const build = (
  client: ServiceClient,
  plan: OperationPlan,
  input: Readonly<Record<string, unknown>>,
  options: CallOptions | undefined
): Either.Either<BuiltRequest, SerializationError | EndpointError> => {
  const model = plan.spec.model
  const custom = client.definition.customizations
  let serialized: SerializedRequest
  let body: Uint8Array | StreamBody | undefined
  try {
    if (options?.headers) checkHeaders(options.headers)
    serialized = withPayloadHeaders(model, client.codec.serialize(model, input))
    body = bodyOf(serialized)
  } catch (e) {
    return Either.left(serializationError(model.name, "request", e))
  }
  return Either.map(Endpoint.resolve(client, model, input, options?.endpoint), (target): BuiltRequest => {
    const headers: Record<string, string> = { "user-agent": USER_AGENT }
    // for-in, not Object.entries: no array of pairs per call
    const own = serialized.headers
    for (const k in own) if (Object.hasOwn(own, k)) headers[k.toLowerCase()] = own[k]!
    Object.assign(headers, target.headers)
    const extra = options?.headers
    if (extra) for (const k in extra) if (Object.hasOwn(extra, k)) headers[k.toLowerCase()] = extra[k]!
    const hostname = serialized.hostPrefix ? `${serialized.hostPrefix}${target.hostname}` : target.hostname
    let request: HttpRequest = {
      method: serialized.method,
      protocol: target.protocol,
      hostname,
      port: target.port,
      path:
        target.basePath +
          (custom?.requestPath ? custom.requestPath(serialized.path, model, input) : serialized.path) || "/",
      query: serialized.query,
      headers,
      body
    }
    if (custom?.prepareRequest)
      request = custom.prepareRequest(request, { operation: model, input, client: client.config })
    const metadata = client.definition.metadata
    const payloadHash =
      request.body === undefined
        ? Sigv4.EMPTY_SHA256
        : request.body instanceof Uint8Array
          ? Sigv4.sha256Hex(request.body)
          : Sigv4.UNSIGNED_PAYLOAD
    return {
      request,
      payloadHash,
      signingName: target.signingName ?? metadata.signingName ?? metadata.endpointPrefix ?? "",
      signingRegion: target.signingRegion ?? client.config.region ?? "us-east-1",
      input
    }
  })
}
