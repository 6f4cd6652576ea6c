/**
 * The request pipeline: everything between "an operation was called" and "a typed output or a
 * typed error came back" (DESIGN.md section 3).
 *
 * validate -> serialize -> resolve the endpoint -> (per attempt: credentials -> sign -> send ->
 * read -> decode) -> retry under the policy. The first attempt runs outside any retry machinery;
 * the policy is consulted only after a failure. Interruption stops everything at once: the
 * transport aborts the request, a backoff sleep ends, a credentials fetch is abandoned, and the
 * attempt's scope releases the connection.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import { type AwsCredentials, CredentialsError } from "../Credentials/Credentials.js"
import type { EndpointError } from "../Endpoints/EndpointError.js"
import { checkHeaderName, checkHeaderValue } from "../Protocols/HeaderValue.js"
import {
  type ParsedError,
  ProtocolError,
  type ResponseParts,
  rethrowAt,
  type SerializedRequest
} from "../Protocols/Protocol.js"
import { codeFromStatus } from "../Protocols/ServiceError.js"
import type { OperationModel } from "../Protocols/Shape.js"
import { streamingOutputMember } from "../Protocols/Streaming.js"
import * as Body from "./Body.js"
import {
  type CallOptions,
  currentRetryPolicy,
  type OperationSpec,
  type PresignedRequest,
  type PresignOptions,
  type RawResponse,
  type ServiceClient,
  type ServiceDefinition
} from "./Client.js"
import * as ClockSkew from "./ClockSkew.js"
import * as Endpoint from "./Endpoint.js"
import {
  type AnyServiceErrorClass,
  AwsServiceError,
  type BodyNotReplayable,
  classify,
  commonErrors,
  type ErrorClassification,
  InvalidParams,
  isServiceError,
  makeServiceError,
  NetworkError,
  PresignError,
  RequestTimeout,
  SerializationError,
  type ServiceErrorInstance,
  serviceCommonErrorCodes
} from "./Errors.js"
import { withPayloadHeaders } from "./PayloadHeaders.js"
import * as Replay from "./Replay.js"
import * as ResponseChecksum from "./ResponseChecksum.js"
import * as Retry from "./Retry.js"
import * as Sigv4 from "./Sigv4.js"
import {
  boundedBytes,
  exactLength,
  exchangeOverSend,
  type HttpRequest,
  type SendOptions,
  type StreamBody,
  type TransportError,
  urlOf,
  type WholeResponse
} from "./Transport.js"
import { validate } from "./Validate.js"

/** What a call returns internally: the output and the raw response. */
export interface CallResult {
  readonly output: Record<string, unknown>
  readonly response: RawResponse
}

type CallError =
  | ServiceErrorInstance<string>
  | BodyNotReplayable
  | InvalidParams
  | SerializationError
  | NetworkError
  | RequestTimeout
  | EndpointError
  | CredentialsError

const USER_AGENT = "effect-aws-sdk/0.1.0"
const EMPTY = new Uint8Array(0)
const encoder = new TextEncoder()

// ---------------------------------------------------------------------------------------------
// Per-operation facts, derived once from the (immutable) model.

interface Compiled {
  readonly spec: OperationSpec
  readonly name: string
  readonly streamingOutput: boolean
  readonly unsigned: boolean
  readonly spanName: string
  readonly calls: Metric.Metric.Counter<number>
  readonly failures: Metric.Metric.Counter<number>
  readonly attempts: Metric.Metric.Counter<number>
  readonly duration: Metric.Metric.Histogram<number>
}

const compiledCache = new WeakMap<OperationSpec, Compiled>()

/**
 * Adds one to a counter with the fiber's metric labels (`Effect.tagMetrics`), as
 * `Metric.increment` does, but inside an operation the pipeline runs anyway: `Metric.increment`
 * is five run-loop operations of its own, three times a call.
 */
const count = (fiber: Fiber.RuntimeFiber<unknown, unknown>, counter: Metric.Metric.Counter<number>): void =>
  counter.unsafeUpdate(1, fiber.getFiberRef(FiberRef.currentMetricLabels))

const durationBoundaries = MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 })

const compile = (client: ServiceClient, spec: OperationSpec): Compiled => {
  const cached = compiledCache.get(spec)
  if (cached) return cached
  const model = spec.model
  const service = client.config.serviceId
  // The tags go into the metric's key: a metric made with `Metric.tagged` merges its tags into a
  // new array and looks the key up in the global registry on every update; one made from a
  // tagged key resolves its registry entry once.
  const labels = [MetricLabel.make("aws.service", service), MetricLabel.make("aws.operation", model.name)]
  const counter = (name: string, description: string) =>
    Metric.fromMetricKey(MetricKey.taggedWithLabels(MetricKey.counter(name, { description }), labels))
  const compiled: Compiled = {
    spec,
    name: model.name,
    streamingOutput: model.output !== undefined && streamingOutputMember(model.output.shape) !== undefined,
    unsigned:
      model.authtype === "none" || (model.auth?.length === 1 && model.auth[0] === "smithy.api#noAuth"),
    spanName: `${service}.${model.name}`,
    calls: counter("aws_sdk_calls_total", "AWS calls made"),
    failures: counter("aws_sdk_call_failures_total", "AWS calls that failed"),
    attempts: counter("aws_sdk_attempts_total", "HTTP attempts made"),
    duration: Metric.fromMetricKey(
      MetricKey.taggedWithLabels(
        MetricKey.histogram(
          "aws_sdk_call_duration_ms",
          durationBoundaries,
          "AWS call duration in milliseconds"
        ),
        labels
      )
    )
  }
  compiledCache.set(spec, compiled)
  return compiled
}

// ---------------------------------------------------------------------------------------------
// Preparing a call: validation, serialization, endpoint, body.

interface Prepared {
  readonly request: HttpRequest
  readonly payloadHash: string
  readonly signingName: string
  readonly signingRegion: string
  readonly input: Readonly<Record<string, unknown>>
}

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

const HEADER_SAFE = /^[\x21-\x7e]*$/

/**
 * Credentials go into headers (the access key id in Authorization, the session token on its
 * own): from a hostile or broken source they could inject headers, so they are checked before
 * signing. The error names the field, never its value.
 */
const unsendableCredentials = (credentials: AwsCredentials): CredentialsError | undefined => {
  const field = !HEADER_SAFE.test(credentials.accessKeyId)
    ? "access key id"
    : credentials.sessionToken !== undefined && !HEADER_SAFE.test(Redacted.value(credentials.sessionToken))
      ? "session token"
      : undefined
  return field === undefined
    ? undefined
    : new CredentialsError({
        message: `the credentials' ${field} holds characters an HTTP header cannot carry; nothing was sent`,
        provider: credentials.source ?? "unknown"
      })
}

const serializationError = (operation: string, direction: "request" | "response", e: unknown) =>
  new SerializationError({
    message:
      e instanceof ProtocolError || e instanceof Error
        ? `${direction === "request" ? "cannot encode the request" : "cannot decode the response"}: ${e.message}`
        : String(e),
    operation,
    direction,
    cause: e
  })

const prepare = (
  client: ServiceClient,
  compiled: Compiled,
  rawInput: Readonly<Record<string, unknown>>,
  options: CallOptions | undefined
): Either.Either<Prepared, InvalidParams | SerializationError | EndpointError> => {
  const model = compiled.spec.model
  const custom = client.definition.customizations
  const input = custom?.prepareInput
    ? custom.prepareInput(model, rawInput ?? {}, client.config)
    : (rawInput ?? {})
  if (model.input) {
    const problems = validate(model.input.shape, input)
    if (problems.length > 0) return Either.left(new InvalidParams({ operation: model.name, problems }))
  }
  let serialized: SerializedRequest
  let body: Uint8Array | StreamBody | undefined
  try {
    if (options?.headers) checkHeaders(options.headers)
    serialized = withPayloadHeaders(model, client.codec.serialize(model, input))
    body = bodyOf(serialized)
  } catch (e) {
    return Either.left(serializationError(model.name, "request", e))
  }
  return Either.map(Endpoint.resolve(client, model, input, options?.endpoint), (target): Prepared => {
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

/** The identity a request is signed with: the secrets revealed only here, for the signer. */
const identityOf = (credentials: AwsCredentials): Sigv4.SigningIdentity => ({
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: Redacted.value(credentials.secretAccessKey),
  sessionToken: credentials.sessionToken === undefined ? undefined : Redacted.value(credentials.sessionToken)
})

const signRequest = (
  client: ServiceClient,
  prepared: Prepared,
  credentials: AwsCredentials,
  nowMs: number
): HttpRequest => {
  const s3 = client.definition.customizations?.s3Signing === true
  const { headers } = Sigv4.sign(
    prepared.request,
    identityOf(credentials),
    {
      region: prepared.signingRegion,
      service: prepared.signingName,
      date: ClockSkew.signingDate(nowMs, client.state.clockOffsetMs),
      payloadHash: prepared.payloadHash,
      uriEscapePath: !s3,
      contentSha256Header: s3
    },
    client.state.keyCache
  )
  return { ...prepared.request, headers }
}

// ---------------------------------------------------------------------------------------------
// One attempt.

/** Why an attempt failed, and whether (and how) it may be retried. */
interface AttemptFailure {
  readonly error: CallError
  readonly retry: ErrorClassification | "timeout" | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly redirectRegion?: string | undefined
}

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
  compiled: Compiled,
  response: ResponseParts,
  embedded: ParsedError | undefined
): { readonly error: ServiceErrorInstance<string>; readonly redirect: string | undefined } => {
  const model = compiled.spec.model
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
  const modeled = compiled.spec.errors
  const cls =
    (parsed.shape === undefined ? undefined : modeled?.[parsed.shape.name]) ??
    modeled?.[parsed.code] ??
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

/** A transport's failure as an attempt's: connection failures and timeouts may be retried. */
const transportFailure = (error: TransportError): AttemptFailure => ({
  error,
  retry: error._tag === "NetworkError" ? "transient" : error._tag === "RequestTimeout" ? "timeout" : undefined
})

const damagedFailure = (problem: string): AttemptFailure => ({
  error: new NetworkError({ message: `the response was damaged in transit: ${problem}` }),
  retry: "transient"
})

/** What a complete response means: the output, or why the attempt failed. */
const interpret = (
  client: ServiceClient,
  compiled: Compiled,
  prepared: Prepared,
  parts: ResponseParts
): Either.Either<CallResult, AttemptFailure> => {
  const model = compiled.spec.model
  const custom = client.definition.customizations
  const ok = parts.status >= 200 && parts.status < 300
  const damaged = custom?.checkResponse?.(model, parts)
  if (damaged !== undefined) return Either.left(damagedFailure(damaged))
  const embedded = ok ? custom?.embeddedError?.(model, parts, client.codec) : undefined
  if (ok && embedded === undefined) {
    return Either.flatMap(decode(client, compiled, prepared, parts, undefined), (output) => {
      const mismatch = custom?.verifyOutput?.(model, output, prepared.input)
      return mismatch === undefined
        ? Either.right({ output, response: rawOf(parts) })
        : Either.left(damagedFailure(mismatch))
    })
  }
  // An error sent with a 2xx status is classified as the server failure it is.
  const { error, redirect } = serviceError(client, compiled, ok ? { ...parts, status: 500 } : parts, embedded)
  return Either.left({
    error,
    retry: error.classification === "client" ? undefined : error.classification,
    headers: parts.headers,
    redirectRegion: redirect
  })
}

/** The request signed with the credentials and the fiber's clock (corrected by the learned skew). */
const signWith = (
  client: ServiceClient,
  prepared: Prepared,
  credentials: AwsCredentials | undefined,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Either.Either<HttpRequest, AttemptFailure> => {
  if (credentials === undefined) return Either.right(prepared.request)
  const unsendable = unsendableCredentials(credentials)
  if (unsendable !== undefined) return Either.left({ error: unsendable, retry: undefined })
  const now = Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()
  return Either.right(signRequest(client, prepared, credentials, now))
}

type Credentials = Effect.Effect<AwsCredentials | undefined, AttemptFailure>

/**
 * One attempt whose response is read whole (every operation but those streaming their output):
 * no scope of its own, the transport's `exchange` releases the connection itself.
 */
const attemptWhole = (
  client: ServiceClient,
  compiled: Compiled,
  prepared: Prepared,
  credentials: Credentials
): Effect.Effect<CallResult, AttemptFailure> => {
  const transport = client.config.transport
  // the client's settings carry the transport's (connect and idle timeouts, the response cap)
  const sendOptions: SendOptions = client.config
  const exchange = (request: HttpRequest): Effect.Effect<WholeResponse, TransportError> =>
    transport.exchange !== undefined
      ? transport.exchange(request, sendOptions)
      : exchangeOverSend(transport, request, sendOptions)
  return Effect.flatMap(credentials, (creds) =>
    Effect.withFiberRuntime<CallResult, AttemptFailure>((fiber) => {
      count(fiber, compiled.attempts)
      const signed = signWith(client, prepared, creds, fiber)
      if (Either.isLeft(signed)) return Effect.fail(signed.left)
      return Effect.matchEffect(exchange(signed.right), {
        onFailure: (error) => Effect.fail(transportFailure(error)),
        onSuccess: (response) => interpret(client, compiled, prepared, response)
      })
    })
  )
}

/**
 * One attempt of an operation that streams its output, in the caller's scope: the connection of a
 * successful attempt is released when that scope closes (read or not); a failed attempt's is
 * released at once (its error body is read whole, or the transport destroyed the request).
 */
const attemptStreaming = (
  client: ServiceClient,
  compiled: Compiled,
  prepared: Prepared,
  credentials: Credentials
): Effect.Effect<CallResult, AttemptFailure, Scope.Scope> =>
  Effect.flatMap(credentials, (creds) =>
    Effect.withFiberRuntime<CallResult, AttemptFailure, Scope.Scope>((fiber) => {
      count(fiber, compiled.attempts)
      const signed = signWith(client, prepared, creds, fiber)
      if (Either.isLeft(signed)) return Effect.fail(signed.left)
      return Effect.matchEffect(client.config.transport.send(signed.right, client.config), {
        onFailure: (error) => Effect.fail(transportFailure(error)),
        onSuccess: (response) =>
          response.status >= 200 && response.status < 300
            ? Either.map(
                decode(
                  client,
                  compiled,
                  prepared,
                  { ...response, body: EMPTY },
                  validatedBody(compiled, prepared, response)
                ),
                (output) => ({ output, response: rawOf(response) })
              )
            : Effect.matchEffect(boundedBytes(signed.right, response, client.config.maxResponseBytes), {
                onFailure: (error) => Effect.fail(transportFailure(error)),
                onSuccess: (body) =>
                  interpret(client, compiled, prepared, {
                    status: response.status,
                    headers: response.headers,
                    body
                  })
              })
      })
    })
  )

/** The response's body stream, checked against the checksum it came with when validation is on. */
const validatedBody = (
  compiled: Compiled,
  prepared: Prepared,
  response: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly stream: Stream.Stream<Uint8Array, NetworkError | RequestTimeout>
  }
): Stream.Stream<Uint8Array, NetworkError | RequestTimeout> => {
  const expected = ResponseChecksum.expectedChecksum(
    compiled.spec.model,
    prepared.input,
    response.status,
    response.headers
  )
  return expected === undefined ? response.stream : ResponseChecksum.validated(response.stream, expected)
}

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
  compiled: Compiled,
  prepared: Prepared,
  parts: ResponseParts,
  stream: unknown
): Either.Either<Record<string, unknown>, AttemptFailure> => {
  try {
    return Either.right(decodeOutput(client, compiled.spec.model, parts, prepared.input, stream))
  } catch (e) {
    return Either.left({
      error: new SerializationError({
        message: `cannot decode the ${compiled.name} response (HTTP ${parts.status}): ${
          e instanceof Error ? e.message : String(e)
        }${successExcerpt(parts)}`,
        operation: compiled.name,
        direction: "response",
        statusCode: parts.status,
        requestId: parts.headers["x-amzn-requestid"] ?? parts.headers["x-amz-request-id"],
        cause: e
      }),
      retry: undefined
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Attempts under the retry policy.

interface LoopState {
  readonly attempt: number
  readonly costTaken: number
  readonly skewCorrected: boolean
  readonly tokenRefreshed: boolean
  readonly redirected: boolean
}

/**
 * The clock offset a clock-skew failure teaches, when it should be learned (see `ClockSkew`): the
 * response's `Date` is an HTTP date within `ClockSkew.MAX_CLOCK_OFFSET_MS` of ours, and for an
 * ambiguous authentication failure differs from the time signed with by more than the threshold.
 */
const serverTimeOffset = (
  failure: AttemptFailure,
  nowMs: number,
  currentOffsetMs: number
): number | undefined => {
  const offset = ClockSkew.offsetFromDate(failure.headers, nowMs)
  if (offset === undefined) return undefined
  const code = isServiceError(failure.error) ? failure.error.code : undefined
  return ClockSkew.shouldCorrect(code, offset, currentOffsetMs) ? offset : undefined
}

const policyFor = (client: ServiceClient, options: CallOptions | undefined) =>
  Effect.map(FiberRef.get(currentRetryPolicy), (fromFiber) => {
    const base = options?.retry ?? Option.getOrElse(fromFiber, () => client.config.retry.policy)
    return options?.maxAttempts === undefined ? base : Retry.withMaxAttempts(base, options.maxAttempts)
  })

/**
 * Runs attempts until one succeeds or the policy gives up. The first attempt runs on its own: the
 * policy, the quota and the backoff are consulted only after a failure.
 */
const runAttempts = (
  client: ServiceClient,
  compiled: Compiled,
  firstPrepared: Prepared,
  options: CallOptions | undefined,
  streaming: boolean,
  traced: boolean
): Effect.Effect<CallResult, CallError, Scope.Scope> => {
  const quota = client.config.retry.quota
  const limiter = client.state.rateLimiter
  const provider = client.config.credentials
  const anonymous = compiled.unsigned || provider.anonymous === true
  const toFailure = (error: CallError): AttemptFailure => ({ error, retry: undefined })
  const fetch = (refresh: boolean): Credentials =>
    anonymous
      ? Effect.succeed(undefined)
      : Effect.mapError(refresh ? provider.refresh : provider.get, toFailure)
  let prepared = firstPrepared
  const replay = Replay.make(firstPrepared.request, client.config.replayBufferBytes)
  let refresh = false
  let driver: Schedule.ScheduleDriver<unknown, unknown> | undefined

  const attempt = (n: number): Effect.Effect<CallResult, AttemptFailure, Scope.Scope> => {
    const credentials = fetch(refresh)
    refresh = false
    const sent =
      replay === undefined ? prepared : { ...prepared, request: replay.forAttempt(prepared.request) }
    const run = streaming
      ? attemptStreaming(client, compiled, sent, credentials)
      : attemptWhole(client, compiled, sent, credentials)
    const limited = limiter === undefined ? run : Effect.zipRight(limiter.acquire, run)
    return traced
      ? Effect.withSpan(limited, `${compiled.spanName} attempt`, {
          kind: "client",
          attributes: { "aws.attempt": n }
        })
      : limited
  }

  const succeeded =
    (state: LoopState) =>
    (result: CallResult): Effect.Effect<CallResult> => {
      quota.release(state.costTaken)
      const done = { output: result.output, response: { ...result.response, attempts: state.attempt } }
      if (limiter === undefined) return Effect.succeed(done)
      return Effect.map(Retry.nowSeconds, (now) => {
        limiter.update(now, false)
        return done
      })
    }

  const failed = (
    state: LoopState,
    failure: AttemptFailure
  ): Effect.Effect<CallResult, CallError, Scope.Scope> =>
    Effect.gen(function* () {
      const nowMs = yield* Clock.currentTimeMillis
      if (limiter && failure.retry !== undefined) limiter.update(nowMs / 1000, failure.retry === "throttling")
      yield* Effect.logDebug(`${compiled.spanName} attempt ${state.attempt} failed: ${failure.error._tag}`)
      // Every retry below sends the body again: one that cannot be fails the call instead.
      const refusal = () => replay?.refusal(compiled.name, failure.error)
      const again = (retried: LoopState) => {
        const refused = refusal()
        return refused === undefined ? next(retried) : Effect.fail(refused)
      }
      // Redirect to the bucket's region (S3), once.
      if (failure.redirectRegion !== undefined && !state.redirected) {
        const redirected = prepareFor(client, compiled, prepared.input, options, failure.redirectRegion)
        if (Either.isRight(redirected)) {
          prepared = redirected.right
          return yield* again({ ...state, attempt: state.attempt + 1, redirected: true })
        }
      }
      // A clock too far off: learn the offset from the server's Date and try again at once.
      if (failure.retry === "clockSkew") {
        const offset = serverTimeOffset(failure, nowMs, client.state.clockOffsetMs)
        if (state.skewCorrected || offset === undefined) return yield* Effect.fail(failure.error)
        client.state.clockOffsetMs = offset
        return yield* again({ ...state, attempt: state.attempt + 1, skewCorrected: true })
      }
      // An expired session token: refresh the credentials once and try again at once.
      if (failure.retry === "expiredToken") {
        if (state.tokenRefreshed || anonymous) return yield* Effect.fail(failure.error)
        refresh = true
        return yield* again({ ...state, attempt: state.attempt + 1, tokenRefreshed: true })
      }
      const policy = yield* policyFor(client, options)
      if (failure.retry === undefined || policy.mode === "none" || state.attempt >= policy.maxAttempts) {
        return yield* Effect.fail(failure.error)
      }
      const refused = refusal()
      if (refused !== undefined) return yield* Effect.fail(refused)
      const cost = failure.retry === "timeout" ? Retry.TIMEOUT_RETRY_COST : Retry.RETRY_COST
      if (!quota.acquire(cost)) return yield* Effect.fail(failure.error)
      if (policy.schedule) {
        driver ??= yield* Schedule.driver(policy.schedule)
        const wait = yield* Effect.either(driver.next(failure.error))
        if (Either.isLeft(wait)) return yield* Effect.fail(failure.error)
      } else {
        const random = yield* Effect.randomWith((r) => r.next)
        const backoff = Retry.backoffMs(policy, state.attempt - 1, failure.retry === "throttling", random)
        const delay = Retry.retryDelayMs(policy, backoff, Retry.retryAfterMs(failure.headers, nowMs))
        yield* Effect.sleep(Duration.millis(delay))
      }
      return yield* next({ ...state, attempt: state.attempt + 1, costTaken: state.costTaken + cost })
    })

  const next = (state: LoopState): Effect.Effect<CallResult, CallError, Scope.Scope> =>
    Effect.matchEffect(attempt(state.attempt), {
      onSuccess: succeeded(state),
      onFailure: (failure) => failed(state, failure)
    })

  return next({ attempt: 1, costTaken: 0, skewCorrected: false, tokenRefreshed: false, redirected: false })
}

const prepareFor = (
  client: ServiceClient,
  compiled: Compiled,
  input: Readonly<Record<string, unknown>>,
  options: CallOptions | undefined,
  region: string
) => prepare({ ...client, config: { ...client.config, region } }, compiled, input, options)

// ---------------------------------------------------------------------------------------------
// Tracing: spans only when a tracer other than Effect's built-in one is installed (they cost real
// time on every call, and the built-in tracer exports nothing).

let nativeTracer: Tracer.Tracer | undefined
const isNative = (tracer: Tracer.Tracer): boolean => {
  nativeTracer ??= Effect.runSync(Effect.tracer)
  return tracer === nativeTracer
}

// ---------------------------------------------------------------------------------------------
// Entry points.

const callTimeout = (compiled: Compiled, timeout: Duration.DurationInput) => () =>
  new RequestTimeout({
    message: `${compiled.spanName} did not complete within ${Duration.format(timeout)}`,
    phase: "call",
    timeoutMs: Duration.toMillis(timeout)
  })

/** Runs one call of an operation. Streaming outputs need the caller's `Scope`. */
export const execute = (
  client: ServiceClient,
  spec: OperationSpec,
  input: Readonly<Record<string, unknown>>,
  options: CallOptions | undefined
): Effect.Effect<CallResult, CallError, Scope.Scope> => {
  const compiled = compile(client, spec)
  return Effect.withFiberRuntime<CallResult, CallError, Scope.Scope>((fiber) => {
    count(fiber, compiled.calls)
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const started = clock.unsafeCurrentTimeMillis()
    const labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
    const finished = (failed: boolean) => {
      compiled.duration.unsafeUpdate(clock.unsafeCurrentTimeMillis() - started, labels)
      if (failed) compiled.failures.unsafeUpdate(1, labels)
    }
    // a call asks for the response checksum; a presigned URL does not (it would bind its user
    // to sending the header)
    const prepared = prepare(
      client,
      compiled,
      ResponseChecksum.withValidationMode(
        compiled.spec.model,
        input,
        client.config.responseChecksumValidation
      ),
      options
    )
    if (Either.isLeft(prepared)) {
      finished(true)
      return Effect.fail(prepared.left)
    }
    const traced = !isNative(fiber.currentTracer)
    let call = runAttempts(client, compiled, prepared.right, options, compiled.streamingOutput, traced)
    if (options?.timeout !== undefined) {
      call = Effect.timeoutFail(call, {
        duration: options.timeout,
        onTimeout: callTimeout(compiled, options.timeout)
      })
    }
    if (traced) {
      call = Effect.withSpan(call, compiled.spanName, {
        kind: "client",
        attributes: {
          "rpc.system": "aws-api",
          "rpc.service": client.config.serviceId,
          "rpc.method": compiled.name,
          "aws.region": client.config.region ?? ""
        }
      })
    }
    return Effect.matchEffect(call, {
      onSuccess: (result) => {
        finished(false)
        return Effect.succeed(result)
      },
      onFailure: (error) => {
        finished(true)
        return Effect.fail(error)
      }
    })
  })
}

/**
 * A presigned request for one call of an operation (query-string SigV4), as Go v1, botocore and
 * the JS v3 presigner make them: the URL signs `host` and only the headers the caller chose (input
 * members bound to headers, `options.headers`), never those the SDK adds for a call it sends
 * itself (`Content-Type` of an empty body, checksums, `Content-Length`). Of the caller's headers,
 * `x-amz-*` ones move into the query (so a plain client need not send them) except the
 * server-side-encryption ones, which S3 accepts only as headers. Query-protocol operations
 * (STS, EC2, ...) become a GET with every parameter in the query string. Any other operation whose
 * request needs a body (a JSON document, an XML structure) fails with `PresignError`; S3's blob
 * payload (PutObject, UploadPart) is the caller's to send, as the URL signs `UNSIGNED-PAYLOAD`.
 */
export const presign = (
  client: ServiceClient,
  spec: OperationSpec,
  input: Readonly<Record<string, unknown>>,
  options: PresignOptions
): Effect.Effect<
  PresignedRequest,
  InvalidParams | SerializationError | EndpointError | CallError | PresignError
> => {
  const compiled = compile(client, spec)
  const model = compiled.spec.model
  return Effect.gen(function* () {
    const expiresIn = options.expiresIn
    if (!(Number.isInteger(expiresIn) && expiresIn >= 1 && expiresIn <= MAX_PRESIGN_SECONDS)) {
      return yield* new PresignError({
        operation: model.name,
        reason: "ExpiresIn",
        message: `${model.name}: expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS} (7 days, the longest SigV4 allows), got ${expiresIn}`
      })
    }
    const prepared = yield* prepare(client, compiled, input, { headers: options.headers })
    const credentials = yield* client.config.credentials.get
    const now = yield* Clock.currentTimeMillis
    const s3 = client.definition.customizations?.s3Signing === true
    const protocol = client.definition.metadata.protocol
    const request = prepared.request
    let method = request.method
    let query = request.query
    let payloadHash = s3 ? Sigv4.UNSIGNED_PAYLOAD : prepared.payloadHash
    if (protocol === "query" || protocol === "ec2") {
      // the form body's parameters go in the URL of a GET, as Go v1 and botocore presign them
      method = "GET"
      const form = request.body instanceof Uint8Array ? decoder.decode(request.body) : ""
      query = [...query, ...new URLSearchParams(form)]
      payloadHash = Sigv4.EMPTY_SHA256
    } else if (request.body !== undefined && !(s3 && hasBlobPayload(model))) {
      return yield* new PresignError({
        operation: model.name,
        reason: "BodyRequired",
        message: `${model.name} sends its parameters in a ${protocol} request body, which a presigned URL cannot carry; call the operation instead`
      })
    }
    const chosen = callerHeaders(model, prepared.input, options.headers)
    const headers: Record<string, string> = {}
    const hoisted: Array<readonly [string, string]> = []
    for (const name in request.headers) {
      if (!Object.hasOwn(request.headers, name) || !chosen.has(name)) continue
      const value = request.headers[name]!
      if (hoistable(name) && !Object.hasOwn(options.headers ?? {}, name)) hoisted.push([name, value])
      else headers[name] = value
    }
    if (s3) hoisted.push(["X-Amz-Content-Sha256", Sigv4.UNSIGNED_PAYLOAD])
    const signable = { ...request, method, query: [...query, ...hoisted], headers, body: undefined }
    const date = ClockSkew.signingDate(now, client.state.clockOffsetMs)
    const signed = yield* Effect.try({
      try: () =>
        Sigv4.presign(
          signable,
          identityOf(credentials),
          {
            region: prepared.signingRegion,
            service: prepared.signingName,
            date,
            payloadHash,
            uriEscapePath: !s3,
            contentSha256Header: false,
            expiresIn
          },
          client.state.keyCache
        ),
      catch: (e) => serializationError(model.name, "request", e)
    })
    const { host: _host, ...signedHeaders } = signed.headers
    return {
      method,
      url: urlOf({ ...signable, query: signed.query }),
      headers: signedHeaders,
      expiresAt: new Date(date.getTime() + expiresIn * 1000)
    }
  })
}

const MAX_PRESIGN_SECONDS = 604_800

const decoder = new TextDecoder()

/** `x-amz-*` headers a presigned URL carries in its query; S3 takes SSE headers only as headers. */
const hoistable = (name: string): boolean =>
  name.startsWith("x-amz-") && !name.startsWith("x-amz-server-side-encryption")

/** Whether the operation's HTTP payload is a blob (S3 PutObject's `Body`): the caller's to send. */
const hasBlobPayload = (model: OperationModel): boolean => {
  const shape = model.input?.shape
  const payload = shape?.payload === undefined ? undefined : shape.members[shape.payload]
  return payload?.shape.type === "blob"
}

/** The header names (lower case) the caller set: input members bound to headers, and extra headers. */
const callerHeaders = (
  model: OperationModel,
  input: Readonly<Record<string, unknown>>,
  extra: Readonly<Record<string, string>> | undefined
): Set<string> => {
  const names = new Set<string>()
  for (const name in extra ?? {}) names.add(name.toLowerCase())
  const members = model.input?.shape.members ?? {}
  for (const name in members) {
    const member = members[name]!
    const value = input[name]
    if (value === undefined || value === null) continue
    const bound = (member.locationName ?? name).toLowerCase()
    if (member.location === "header") names.add(bound)
    else if (member.location === "headers" && typeof value === "object") {
      for (const key in value) names.add(bound + key.toLowerCase())
    }
  }
  return names
}
