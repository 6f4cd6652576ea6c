/**
 * The unmarshal stage: what a response means. A success is decoded into the operation's output
 * (checked by the service's customizations); an error becomes the operation's modeled error class,
 * a common one, or `AwsServiceError`, classified for the retry stage; a response the service's
 * checks find damaged fails the attempt as a retryable `NetworkError`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { ParsedError, ResponseParts } from "../../Protocols/Protocol.js"
import { codeFromStatus } from "../../Protocols/ServiceError.js"
import type { OperationModel } from "../../Protocols/Shape.js"
import type { RawResponse, ServiceClient, ServiceDefinition } from "../Client.js"
import {
  type AnyServiceErrorClass,
  AwsServiceError,
  classify,
  commonErrors,
  makeServiceError,
  NetworkError,
  SerializationError,
  type ServiceErrorInstance,
  serviceCommonErrorCodes
} from "../Errors.js"
import * as ResponseChecksum from "../ResponseChecksum.js"
import type { HttpResponse } from "../Transport.js"
import type { BuiltRequest } from "./Build.js"
import type { AttemptFailure, CallResult } from "./Outcome.js"
import type { OperationPlan } from "./Plan.js"

const EMPTY = new Uint8Array(0)

const firstBytes = (body: Uint8Array): string => {
  const text = new TextDecoder().decode(body.subarray(0, 120))
  return JSON.stringify(text)
}

/** Redirects are never followed (a signed request must not go elsewhere): say so, and where to. */
const redirectNote = (response: ResponseParts): string => {
  if (response.status < 300 || response.status >= 400) return ""
  const location = response.headers.location
  return `; the service answered with a redirect${location === undefined ? "" : ` to ${JSON.stringify(location)}`}, which is not followed`
}

/**
 * How an undecodable successful response is shown. It is the operation's output, and outputs carry
 * secrets (credentials from STS or SSO, keys, plaintexts): it is quoted only when it is plainly
 * something else (an HTML page from a proxy or captive portal), else only described.
 */
const successExcerpt = (parts: ResponseParts): string => {
  const type = parts.headers["content-type"]
  return type !== undefined && /html/i.test(type)
    ? `; the body starts ${firstBytes(parts.body)}`
    : `; the body (${parts.body.length} bytes${type === undefined ? "" : ` of ${type}`}) is not quoted, as outputs may hold secrets`
}

const serviceCommonErrors = new WeakMap<ServiceDefinition, Readonly<Record<string, AnyServiceErrorClass>>>()

/** The common error classes a service can send, by code (see `serviceCommonErrorCodes`). */
const commonErrorsOf = (definition: ServiceDefinition): Readonly<Record<string, AnyServiceErrorClass>> => {
  let table = serviceCommonErrors.get(definition)
  if (table === undefined) {
    const { protocol, endpointPrefix } = definition.metadata
    const own: Record<string, AnyServiceErrorClass> = {}
    for (const code of serviceCommonErrorCodes({ protocol, endpointPrefix: endpointPrefix ?? "" })) {
      const cls = commonErrors[code]
      if (cls !== undefined) own[code] = cls
    }
    table = own
    serviceCommonErrors.set(definition, table)
  }
  return table
}

const serviceError = (
  client: ServiceClient,
  plan: OperationPlan,
  response: ResponseParts,
  embedded: ParsedError | undefined
): { readonly error: ServiceErrorInstance<string>; readonly redirect: string | undefined } => {
  const model = plan.spec.model
  const headers = response.headers
  let parsed: ParsedError
  try {
    parsed = embedded ?? client.codec.deserializeError(model, response)
  } catch {
    parsed = {
      // named as for a body without a code, so a status means the same error whatever the body
      code: codeFromStatus(response.status),
      message: `HTTP ${response.status} with an unreadable error body starting ${firstBytes(response.body)}`,
      shape: undefined,
      members: {},
      requestId: undefined
    }
  }
  const modeled = plan.spec.errorClasses
  const cls =
    (parsed.shape === undefined ? undefined : modeled.get(parsed.shape.name)) ??
    modeled.get(parsed.code) ??
    commonErrorsOf(client.definition)[parsed.code] ??
    AwsServiceError
  const fields = {
    ...parsed.members,
    message: (parsed.message ?? `${parsed.code} (HTTP ${response.status})`) + redirectNote(response),
    code: parsed.code,
    statusCode: response.status,
    requestId: parsed.requestId ?? headers["x-amzn-requestid"] ?? headers["x-amz-request-id"],
    extendedRequestId: headers["x-amz-id-2"],
    service: client.config.serviceId,
    operation: model.name,
    classification: classify(parsed.code, response.status)
  }
  const redirect = client.definition.customizations?.redirectRegion?.(parsed, response, client.config.region)
  return { error: makeServiceError(cls, fields), redirect }
}

const damagedFailure = (problem: string): AttemptFailure => ({
  error: new NetworkError({ message: `the response was damaged in transit: ${problem}` }),
  retry: "transient"
})

const rawOf = (response: {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
}): RawResponse => ({
  statusCode: response.status,
  headers: response.headers,
  requestId: response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"],
  attempts: 1
})

/**
 * A successful response's output as the pipeline decodes it: the service's own decoder if it has
 * one for the operation, else its protocol codec; then the service's output transform. Throws what
 * they throw (the pipeline makes that a `SerializationError`).
 */
export const decodeOutput = (
  client: ServiceClient,
  model: OperationModel,
  parts: ResponseParts,
  input: Readonly<Record<string, unknown>>,
  stream?: unknown
): Record<string, unknown> => {
  const custom = client.definition.customizations
  const output = custom?.decodeOutput?.(model, parts) ?? client.codec.deserialize(model, parts, stream)
  const transform = custom?.transformOutput
  return transform ? transform(model, output, input) : output
}

const decode = (
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  parts: ResponseParts,
  stream: unknown
): Either.Either<Record<string, unknown>, AttemptFailure> => {
  try {
    return Either.right(decodeOutput(client, plan.spec.model, parts, built.input, stream))
  } catch (e) {
    return Either.left({
      error: new SerializationError({
        message: `cannot decode the ${plan.name} response (HTTP ${parts.status}): ${
          e instanceof Error ? e.message : String(e)
        }${successExcerpt(parts)}`,
        operation: plan.name,
        direction: "response",
        statusCode: parts.status,
        requestId: parts.headers["x-amzn-requestid"] ?? parts.headers["x-amz-request-id"],
        cause: e
      }),
      retry: undefined
    })
  }
}

/** The stage: what a complete response means: the output, or why the attempt failed. */
export const unmarshal = (
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  parts: ResponseParts
): Either.Either<CallResult, AttemptFailure> => {
  const model = plan.spec.model
  const custom = client.definition.customizations
  const ok = parts.status >= 200 && parts.status < 300
  const damaged = custom?.checkResponse?.(model, parts)
  if (damaged !== undefined) return Either.left(damagedFailure(damaged))
  const embedded = ok ? custom?.embeddedError?.(model, parts, client.codec) : undefined
  if (ok && embedded === undefined) {
    return Either.flatMap(decode(client, plan, built, parts, undefined), (output) => {
      const mismatch = custom?.verifyOutput?.(model, output, built.input)
      return mismatch === undefined
        ? Either.right({ output, response: rawOf(parts) })
        : Either.left(damagedFailure(mismatch))
    })
  }
  // An error sent with a 2xx status is classified as the server failure it is.
  const { error, redirect } = serviceError(client, plan, ok ? { ...parts, status: 500 } : parts, embedded)
  return Either.left({
    error,
    retry: error.classification === "client" ? undefined : error.classification,
    headers: parts.headers,
    redirectRegion: redirect
  })
}

/**
 * The output of a successful response whose body streams (S3 GetObject): decoded from the status
 * and headers, the body left for the caller, checked against the checksum it came with when
 * validation is on.
 */
export const unmarshalStream = (
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  response: HttpResponse
): Either.Either<CallResult, AttemptFailure> => {
  const expected = ResponseChecksum.expectedChecksum(
    plan.spec.model,
    built.input,
    response.status,
    response.headers
  )
  const body =
    expected === undefined ? response.stream : ResponseChecksum.validated(response.stream, expected)
  return Either.map(decode(client, plan, built, { ...response, body: EMPTY }, body), (output) => ({
    output,
    response: rawOf(response)
  }))
}
