/**
 * The payload headers of a serialized request, which do not depend on the protocol: added by the
 * build stage right after `codec.serialize` (and by the conformance runner the same way):
 * 1. request compression: `gzip` when the operation has `requestcompression` and the body is at
 *    least `minCompressionBytes` (the AWS default, 10,240); `gzip` is appended to any
 *    `Content-Encoding` the input set;
 * 2. `Content-MD5` when the operation requires a checksum (`httpChecksumRequired`, or
 *    `httpChecksum.requestChecksumRequired`) and the request carries none (no `Content-MD5`, no
 *    `x-amz-checksum-*`), of the bytes sent;
 * 3. `Content-Length` of a string or byte body (its UTF-8 bytes, not its UTF-16 units); none
 *    without a body, and none for a streaming body (its length, when the service
 *    `requiresLength`, is the pipeline's to know). A length the input declared for a string or
 *    byte body must be the body's: a mismatch throws, as the body would otherwise put more or
 *    fewer bytes on the wire than the request announces.
 *
 * MD5 and gzip come from the runtime seam (`#runtime/Crypto`). Where the runtime has no
 * synchronous gzip (the Web implementation: `CompressionStream` is asynchronous only) the body is
 * sent uncompressed, which services accept: compression is an optimisation, not a requirement.
 *
 * @since 0.1.0
 */
import { createHash, gzipSync } from "#runtime/Crypto"
import { base64Encode } from "../Protocols/Bytes.js"
import { ProtocolError, type SerializedRequest } from "../Protocols/Protocol.js"
import type { OperationModel } from "../Protocols/Shape.js"

/** Settings of `withPayloadHeaders`. */
export interface PayloadHeadersOptions {
  /** Turns request compression off (the `disable_request_compression` setting). */
  readonly disableCompression?: boolean
  /** Bodies smaller than this are not compressed (`request_min_compression_size_bytes`). */
  readonly minCompressionBytes?: number
}

/** The AWS default of `request_min_compression_size_bytes`. */
export const DEFAULT_MIN_COMPRESSION_BYTES = 10_240

const encoder = new TextEncoder()

const headerName = (headers: Readonly<Record<string, string>>, name: string): string | undefined =>
  Object.keys(headers).find((h) => h.toLowerCase() === name)

const wantsGzip = (operation: OperationModel, options: PayloadHeadersOptions | undefined): boolean =>
  options?.disableCompression !== true && operation.requestcompression?.encodings.includes("gzip") === true

/** Whether the operation requires a checksum the request does not carry yet. */
const needsChecksum = (operation: OperationModel, headers: Readonly<Record<string, string>>): boolean =>
  (operation.httpChecksumRequired === true || operation.httpChecksum?.requestChecksumRequired === true) &&
  !Object.keys(headers).some((h) => {
    const name = h.toLowerCase()
    return name === "content-md5" || name.startsWith("x-amz-checksum-")
  })

/** A serialized request with its payload compressed (when asked), `Content-MD5` and `Content-Length`. */
export const withPayloadHeaders = (
  operation: OperationModel,
  request: SerializedRequest,
  options?: PayloadHeadersOptions
): SerializedRequest => {
  const body = request.body
  if (body === undefined || (typeof body !== "string" && !(body instanceof Uint8Array))) return request
  const headers: Record<string, string> = { ...request.headers }
  const raw = typeof body === "string" ? encoder.encode(body) : body
  let bytes = raw
  const gzip = gzipSync
  const compress =
    gzip !== undefined &&
    wantsGzip(operation, options) &&
    bytes.length >= (options?.minCompressionBytes ?? DEFAULT_MIN_COMPRESSION_BYTES)
  if (compress) {
    bytes = gzip(bytes)
    const existing = headerName(headers, "content-encoding")
    if (existing === undefined) headers["Content-Encoding"] = "gzip"
    else headers[existing] = `${headers[existing]}, gzip`
  }
  if (needsChecksum(operation, headers)) {
    const md5 = createHash("md5")
    md5.update(bytes)
    headers["Content-MD5"] = base64Encode(md5.digest())
  }
  const declared = headerName(headers, "content-length")
  if (declared === undefined) headers["Content-Length"] = String(bytes.length)
  else {
    if (headers[declared]!.trim() !== String(raw.length)) {
      const unit =
        typeof body === "string" ? " (a string's length is its UTF-8 bytes, not its characters)" : ""
      throw new ProtocolError(
        `is ${JSON.stringify(headers[declared])} but the body is ${raw.length} bytes${unit}; nothing was sent`,
        "Content-Length"
      )
    }
    if (compress) headers[declared] = String(bytes.length)
  }
  return { ...request, headers, body: compress ? bytes : body }
}
