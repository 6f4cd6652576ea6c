/**
 * The JSON error responses of rest-json and json: the code from the `X-Amzn-Errortype` header,
 * else the body's `__type`, else its `code`; the message from `message` / `Message` /
 * `errorMessage`. A service compatible with its former awsQuery protocol sends the awsQuery code
 * in `x-amzn-query-error`, which then wins (so the codes stay those the service always had).
 *
 * @since 0.1.0
 */
import { jsonReader, parseJsonBody } from "./JsonDecoder.js"
import type { ResponseParts } from "./Protocol.js"
import { type ErrorBody, messageOf, queryCompatibleCode, sanitizeErrorCode } from "./ServiceError.js"
import type { StructureShape } from "./Shape.js"
import { isRecord } from "./Values.js"

const codeOf = (response: ResponseParts, body: Readonly<Record<string, unknown>>): string | undefined => {
  const raw = response.headers["x-amzn-errortype"] ?? body.__type ?? body.code
  return typeof raw === "string" && raw.trim() !== "" ? sanitizeErrorCode(raw) : undefined
}

/** Reads a JSON error response; `queryCompatible` is the service's `awsQueryCompatible` trait. */
export const readJsonError = (response: ResponseParts, queryCompatible: boolean): ErrorBody => {
  const parsed = parseJsonBody(response.body)
  const body = isRecord(parsed) ? parsed : {}
  return {
    code: (queryCompatible ? queryCompatibleCode(response) : undefined) ?? codeOf(response, body),
    message: messageOf(body),
    requestId: undefined,
    members: (shape: StructureShape) => jsonReader(shape)(body) as Record<string, unknown>
  }
}
