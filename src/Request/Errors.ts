/**
 * Every way an AWS call can fail, as tagged errors (`Effect.catchTag("NoSuchKey", ...)`).
 *
 * - Service errors: one class per modeled error (generated, built with `ServiceError`), the
 *   common errors any AWS call can return (throttling, access denied, expired token, ...), and
 *   `AwsServiceError` for codes nobody modeled. All carry code, message, HTTP status, request ids
 *   and a classification that drives retries.
 * - The SDK's own failures: `InvalidParams`, `SerializationError`, `NetworkError`,
 *   `RequestTimeout` (plus `CredentialsError` and `EndpointError` from their modules).
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import type { StructureShape } from "../Protocols/Shape.js"

/** How a service error behaves under retry. */
export type ErrorClassification =
  /** Slow down: retried with the throttling backoff, and adaptive mode cuts the send rate. */
  | "throttling"
  /** Retried: 5xx and the transient codes. */
  | "transient"
  /** The request was signed with a clock too far off: retried once after correcting the offset. */
  | "clockSkew"
  /** The session token expired: retried once after a forced credentials refresh. */
  | "expiredToken"
  /** The caller's request is wrong; not retried. */
  | "client"

/** What every service error carries besides its modeled members. */
export interface ServiceErrorFields {
  readonly message: string
  /** The error code as the service sent it (namespace and URI suffix removed). */
  readonly code: string
  readonly statusCode: number
  readonly requestId: string | undefined
  /** S3's `x-amz-id-2`. */
  readonly extendedRequestId?: string | undefined
  /** The service id (`S3`, `DynamoDB`). */
  readonly service: string
  readonly operation: string
  readonly classification: ErrorClassification
}

/** An instance of a service error class. */
export type ServiceErrorInstance<Tag extends string, A = {}> = Cause.YieldableError & {
  readonly _tag: Tag
} & ServiceErrorFields &
  Readonly<A>

/**
 * The constructor `ServiceError(tag, shape?)` returns; extend it with the modeled members as type
 * argument. It keeps its tag and the error shape its members decode from (none for the common
 * errors), so an operation lists its errors once, as classes.
 */
export type ServiceErrorClass<Tag extends string> = (new <A extends object = {}>(
  args: ServiceErrorFields & A
) => ServiceErrorInstance<Tag, A>) & {
  readonly tag: Tag
  readonly shape: StructureShape | undefined
}

const serviceErrorSymbol: unique symbol = Symbol.for("effect-aws-sdk/ServiceError")

/**
 * Base for service error classes:
 * `class NoSuchKey extends ServiceError("NoSuchKey", NoSuchKey$)<{ readonly Key?: string }> {}`,
 * `shape` being the modeled error shape (a generated class's tag is its shape's name).
 */
export const ServiceError = <const Tag extends string>(
  tag: Tag,
  shape?: StructureShape
): ServiceErrorClass<Tag> => {
  class Base extends Data.TaggedError(tag)<ServiceErrorFields> {
    static readonly tag = tag
    static readonly shape = shape
    readonly [serviceErrorSymbol] = true
  }
  return Base as unknown as ServiceErrorClass<Tag>
}

/** True for any service error (modeled, common or unmodeled). */
export const isServiceError = (u: unknown): u is ServiceErrorInstance<string> =>
  typeof u === "object" && u !== null && serviceErrorSymbol in u

/** A service error whose code no model and no common error names. `code` says which it was. */
export class AwsServiceError extends ServiceError("AwsServiceError") {}

// ---------------------------------------------------------------------------------------------
// Common errors: codes any AWS call can return whether or not the operation models them.

export class ThrottlingException extends ServiceError("ThrottlingException") {}
export class Throttling extends ServiceError("Throttling") {}
export class ThrottledException extends ServiceError("ThrottledException") {}
export class RequestThrottledException extends ServiceError("RequestThrottledException") {}
export class TooManyRequestsException extends ServiceError("TooManyRequestsException") {}
export class RequestLimitExceeded extends ServiceError("RequestLimitExceeded") {}
export class SlowDown extends ServiceError("SlowDown") {}
export class ProvisionedThroughputExceededException extends ServiceError(
  "ProvisionedThroughputExceededException"
) {}
export class AccessDenied extends ServiceError("AccessDenied") {}
export class AccessDeniedException extends ServiceError("AccessDeniedException") {}
export class UnauthorizedOperation extends ServiceError("UnauthorizedOperation") {}
export class ExpiredToken extends ServiceError("ExpiredToken") {}
export class ExpiredTokenException extends ServiceError("ExpiredTokenException") {}
export class InvalidClientTokenId extends ServiceError("InvalidClientTokenId") {}
export class UnrecognizedClientException extends ServiceError("UnrecognizedClientException") {}
export class SignatureDoesNotMatch extends ServiceError("SignatureDoesNotMatch") {}
export class InvalidSignatureException extends ServiceError("InvalidSignatureException") {}
export class IncompleteSignature extends ServiceError("IncompleteSignature") {}
export class MissingAuthenticationToken extends ServiceError("MissingAuthenticationToken") {}
export class RequestExpired extends ServiceError("RequestExpired") {}
export class RequestTimeTooSkewed extends ServiceError("RequestTimeTooSkewed") {}
export class InternalFailure extends ServiceError("InternalFailure") {}
export class InternalError extends ServiceError("InternalError") {}
export class ServiceUnavailable extends ServiceError("ServiceUnavailable") {}
export class ValidationException extends ServiceError("ValidationException") {}
export class ValidationError extends ServiceError("ValidationError") {}
export class OptInRequired extends ServiceError("OptInRequired") {}

/** Any service error class, generated or common (for tables of classes by code). */
export type AnyServiceErrorClass = (new (
  args: never
) => ServiceErrorInstance<string>) & {
  readonly tag: string
  readonly shape: StructureShape | undefined
}

/** Instantiates a service error class from fields the decoder produced. */
export const makeServiceError = (
  cls: AnyServiceErrorClass,
  fields: ServiceErrorFields & Readonly<Record<string, unknown>>
): ServiceErrorInstance<string> =>
  new (cls as unknown as new (args: object) => ServiceErrorInstance<string>)(fields)

/** What decides which common errors a service can send. */
export interface CommonErrorFacts {
  readonly protocol: string
  readonly endpointPrefix: string
}

/** The services that send a common code. */
type SentBy = (facts: CommonErrorFacts) => boolean

const everyService: SentBy = () => true
/** S3 speaks only its own dialect of the rest-xml codes, never the JSON services' `...Exception`. */
const allButS3: SentBy = (f) => f.endpointPrefix !== "s3"

/**
 * The common errors: each code's class, and the services that send it. The order is the one of
 * `commonErrorCodes` (and so of every generated `CommonError` type). DynamoDB and Kinesis meter
 * throughput; EC2 alone answers with its own authorization and rate codes; S3 sends few of them.
 */
const commonErrorTable = {
  ThrottlingException: [ThrottlingException, allButS3],
  Throttling: [Throttling, allButS3],
  ThrottledException: [ThrottledException, allButS3],
  RequestThrottledException: [RequestThrottledException, allButS3],
  TooManyRequestsException: [TooManyRequestsException, allButS3],
  RequestLimitExceeded: [RequestLimitExceeded, (f) => f.protocol === "ec2"],
  SlowDown: [SlowDown, (f) => f.endpointPrefix === "s3" || f.endpointPrefix === "s3-control"],
  ProvisionedThroughputExceededException: [
    ProvisionedThroughputExceededException,
    (f) =>
      f.endpointPrefix === "dynamodb" ||
      f.endpointPrefix === "kinesis" ||
      f.endpointPrefix === "streams.dynamodb"
  ],
  AccessDenied: [AccessDenied, everyService],
  AccessDeniedException: [AccessDeniedException, allButS3],
  UnauthorizedOperation: [UnauthorizedOperation, (f) => f.protocol === "ec2"],
  ExpiredToken: [ExpiredToken, everyService],
  ExpiredTokenException: [ExpiredTokenException, allButS3],
  InvalidClientTokenId: [InvalidClientTokenId, allButS3],
  UnrecognizedClientException: [UnrecognizedClientException, allButS3],
  SignatureDoesNotMatch: [SignatureDoesNotMatch, everyService],
  InvalidSignatureException: [InvalidSignatureException, allButS3],
  IncompleteSignature: [IncompleteSignature, allButS3],
  MissingAuthenticationToken: [MissingAuthenticationToken, allButS3],
  RequestExpired: [RequestExpired, allButS3],
  RequestTimeTooSkewed: [RequestTimeTooSkewed, everyService],
  InternalFailure: [InternalFailure, allButS3],
  InternalError: [InternalError, everyService],
  ServiceUnavailable: [ServiceUnavailable, everyService],
  ValidationException: [ValidationException, allButS3],
  ValidationError: [ValidationError, allButS3],
  OptInRequired: [OptInRequired, allButS3]
} as const satisfies Readonly<Record<string, readonly [AnyServiceErrorClass, SentBy]>>

type CommonErrorClass = (typeof commonErrorTable)[keyof typeof commonErrorTable][0]

/** The classes of the common errors, by code. */
export const commonErrors: Readonly<Record<string, AnyServiceErrorClass>> = Object.fromEntries(
  Object.entries(commonErrorTable).map(([code, [cls]]) => [code, cls])
)

/** Any common error or an unmodeled one: what every operation's error channel includes. */
export type CommonError = AwsServiceError | InstanceType<CommonErrorClass>

/** The codes of `CommonError`: `AwsServiceError` and the common errors' (an operation that models one gets its own class instead). */
export const commonErrorCodes: ReadonlyArray<string> = ["AwsServiceError", ...Object.keys(commonErrorTable)]

/**
 * The codes of `commonErrorCodes` a service can send, in their order: what its generated
 * `CommonError` type lists, and the only common classes the pipeline makes for it (any other
 * code is an `AwsServiceError` with that code, so the type never leaves one out).
 */
export const serviceCommonErrorCodes = (facts: CommonErrorFacts): ReadonlyArray<string> =>
  commonErrorCodes.filter(
    (code) => code === "AwsServiceError" || commonErrorTable[code as keyof typeof commonErrorTable][1](facts)
  )

const throttlingCodes = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
  "EC2ThrottledException"
])
const transientCodes = new Set([
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "IDPCommunicationError"
])
const clockSkewCodes = new Set([
  "RequestTimeTooSkewed",
  "RequestExpired",
  "RequestInTheFuture",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "AuthFailure"
])
const expiredTokenCodes = new Set(["ExpiredToken", "ExpiredTokenException"])
const transientStatus = new Set([500, 502, 503, 504])

/** Classifies a service error from its code and HTTP status, as the other AWS SDKs do. */
export const classify = (code: string, statusCode: number): ErrorClassification => {
  if (throttlingCodes.has(code) || statusCode === 429) return "throttling"
  if (expiredTokenCodes.has(code)) return "expiredToken"
  if (clockSkewCodes.has(code)) return "clockSkew"
  if (transientCodes.has(code) || transientStatus.has(statusCode)) return "transient"
  return "client"
}

// ---------------------------------------------------------------------------------------------
// The SDK's own failures.

/** One problem found while validating an operation's input. */
export interface ParamProblem {
  /** Where in the input (`Delete.Objects[2].Key`). */
  readonly path: string
  readonly message: string
}

/**
 * The input breaks the model (missing required members, lengths, ranges): every problem at once,
 * found before anything was sent. The Go SDK's `request.ErrInvalidParams`.
 */
export class InvalidParams extends Data.TaggedError("InvalidParams")<{
  readonly operation: string
  readonly problems: ReadonlyArray<ParamProblem>
}> {
  override get message(): string {
    const n = this.problems.length
    return `${n} validation error${n === 1 ? "" : "s"} in ${this.operation} input:\n${this.problems
      .map((p) => `- ${p.path}: ${p.message}`)
      .join("\n")}`
  }
}

/**
 * An operation call cannot be presigned as asked: `expiresIn` is outside 1 s .. 7 days (what
 * SigV4 allows), or the request carries a body a URL cannot (a JSON document, an XML structure):
 * presign operations whose parameters fit in the URL and headers.
 */
export class PresignError extends Data.TaggedError("PresignError")<{
  readonly message: string
  readonly operation: string
  readonly reason: "ExpiresIn" | "BodyRequired"
}> {}

/** A request could not be encoded, or a response could not be decoded. */
export class SerializationError extends Data.TaggedError("SerializationError")<{
  readonly message: string
  readonly operation: string
  /** Which side failed. */
  readonly direction: "request" | "response"
  readonly statusCode?: number | undefined
  readonly requestId?: string | undefined
  readonly cause?: unknown
}> {}

/**
 * A failed attempt that would have been retried was not, because its request body cannot be sent
 * again: a stream that can be read only once (a Node `Readable` made a `Stream`, an async
 * iterable) of which more was sent than the SDK keeps for a retry (`replayBufferBytes`), or which
 * was not read to its end. `cause` is the failure that would have been retried. Pass the body as
 * bytes, mark a stream that can be run again with `Body.replayable`, or raise the buffer.
 */
export class BodyNotReplayable extends Data.TaggedError("BodyNotReplayable")<{
  readonly message: string
  readonly operation: string
  readonly cause: unknown
}> {}

/** The connection failed: refused, reset, DNS, TLS, or the body broke off. */
export class NetworkError extends Data.TaggedError("NetworkError")<{
  readonly message: string
  /** `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, ... when known. */
  readonly code?: string | undefined
  readonly cause?: unknown
}> {}

/** A time limit ran out: connecting, waiting for the response, reading the body, or the whole call. */
export class RequestTimeout extends Data.TaggedError("RequestTimeout")<{
  readonly message: string
  readonly phase: "connect" | "response" | "body" | "call"
  readonly timeoutMs: number
}> {}
