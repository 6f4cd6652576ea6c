/**
 * What every protocol does the same way once it has pulled an error code out of a response:
 * cleaning the code, finding the modeled error shape it names, the request id, and the code of an
 * error response that has no body.
 *
 * @since 0.1.0
 */
import { memoize } from "./Memo.js"
import type { ParsedError, ResponseParts } from "./Protocol.js"
import type { OperationModel, ServiceMetadata, StructureShape } from "./Shape.js"

/**
 * The bare error code: `aws.protocoltests#FooError:http://internal.amazon.com/...` is `FooError`
 * (a Smithy namespace before `#` and a URI after `:` are dropped).
 */
export const sanitizeErrorCode = (raw: string): string => {
  let code = raw.trim()
  const colon = code.indexOf(":")
  if (colon !== -1) code = code.slice(0, colon)
  const hash = code.lastIndexOf("#")
  return hash === -1 ? code : code.slice(hash + 1)
}

/** Error shapes by code: by shape name, and by custom code (`error.code`, the awsQuery code). */
const indexByCode = (shapes: ReadonlyArray<StructureShape>): ReadonlyMap<string, StructureShape> => {
  const byCode = new Map<string, StructureShape>()
  for (const shape of shapes) {
    byCode.set(shape.name, shape)
    if (shape.error?.code !== undefined) byCode.set(shape.error.code, shape)
  }
  return byCode
}

const operationErrorsOf = memoize((operation: OperationModel) => indexByCode(operation.errors ?? []))

/** The request id from the response headers, if the service sent one. */
const requestIdFromHeaders = (response: ResponseParts): string | undefined =>
  response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"]

const STATUS_CODES: Readonly<Record<number, string>> = {
  304: "NotModified",
  400: "BadRequest",
  403: "Forbidden",
  404: "NotFound",
  412: "PreconditionFailed",
  500: "InternalError",
  503: "ServiceUnavailable"
}

/**
 * The code of an error response without a body (an S3 `HEAD`, say), or with a body that names no
 * code: named after the status, as the other AWS SDKs do (`NotFound`, `Forbidden`, ...).
 */
export const codeFromStatus = (status: number): string => STATUS_CODES[status] ?? `Http${status}Error`

/** Whether a service keeps the error codes of its former awsQuery protocol (`awsQueryCompatible`). */
export const isQueryCompatible = (metadata: ServiceMetadata): boolean =>
  metadata.awsQueryCompatible !== undefined && metadata.awsQueryCompatible !== false

/**
 * The error code of a JSON service that is compatible with its former awsQuery protocol
 * (`awsQueryCompatible`): `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`.
 */
export const queryCompatibleCode = (response: ResponseParts): string | undefined => {
  const header = response.headers["x-amzn-query-error"]
  if (header === undefined) return undefined
  const semi = header.indexOf(";")
  const code = (semi === -1 ? header : header.slice(0, semi)).trim()
  return code === "" ? undefined : code
}

/** The message of an error body, under any of the names services use. */
export const messageOf = (body: Readonly<Record<string, unknown>>): string | undefined => {
  const message = body.message ?? body.Message ?? body.errorMessage ?? body.ErrorMessage
  return typeof message === "string" ? message : undefined
}

/** What a protocol reads from an error response body. */
export interface ErrorBody {
  /** The code, sanitized, or undefined when the body names none. */
  readonly code: string | undefined
  readonly message: string | undefined
  readonly requestId: string | undefined
  /** Decodes the modeled members of an error shape from the body. */
  readonly members: (shape: StructureShape) => Record<string, unknown>
}

/** Resolves a service error from what a protocol read of the response. */
export type ErrorResolver = (
  operation: OperationModel,
  response: ResponseParts,
  body: ErrorBody,
  members?: (shape: StructureShape) => Record<string, unknown>
) => ParsedError

/**
 * Makes the error resolution of a codec: the code (from the body, else from the status), the
 * modeled shape it names (among the operation's errors, else among all of the service's), the
 * modeled members (`members`, by default those of the body), the message and the request id.
 */
export const errorResolver = (serviceErrors: ReadonlyArray<StructureShape> = []): ErrorResolver => {
  const serviceByCode = indexByCode(serviceErrors)
  return (operation, response, body, members = body.members) => {
    const code = body.code ?? codeFromStatus(response.status)
    const shape = operationErrorsOf(operation).get(code) ?? serviceByCode.get(code)
    return {
      code,
      message: body.message,
      shape,
      members: shape === undefined ? {} : members(shape),
      requestId: requestIdFromHeaders(response) ?? body.requestId
    }
  }
}
