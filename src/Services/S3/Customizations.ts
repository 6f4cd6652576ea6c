/**
 * Hand-written S3 behaviour, wired into the generated client by the generator (never generated
 * over): what the Go SDK's `service/s3` customizations and the other AWS SDKs do for S3.
 *
 * - Signing: `x-amz-content-sha256` on every request, the path signed as sent (never normalised).
 * - Addressing: the endpoint rules place the bucket in the host (virtual-hosted style) or in the
 *   path (path style: `forcePathStyle`, custom endpoints, or names that are not DNS-compatible),
 *   so the `/{Bucket}` segment of the modeled URI is dropped here.
 * - Errors sent with 200: CopyObject, UploadPartCopy and CompleteMultipartUpload can answer 200
 *   with an `<Error>` body; it becomes the service error it is (and is retried when transient).
 * - Checksums: `Content-MD5` where an operation requires a checksum (`Request/PayloadHeaders`), and flexible
 *   checksums (`x-amz-checksum-*`) for byte bodies when the caller names an algorithm or, with
 *   `requestChecksumCalculation: "when_supported"`, CRC32 by default; `"when_required"` sends none
 *   unless required (S3-compatible stores such as s3rver). GetObject's response checksum is
 *   generic (`Request/ResponseChecksum.ts`, from the `httpChecksum` trait).
 * - SSE-C: the key's MD5 is filled in when the caller gave only the key.
 * - GetBucketLocation: its bare `<LocationConstraint>` root element.
 * - Redirects: a 301/400 naming another region in `x-amz-bucket-region` is retried there once.
 * - `EncodingType=url` listings are URL-decoded.
 *
 * @since 0.1.0
 */
import { createHash } from "#runtime/Crypto"
import { base64Encode, utf8Encode } from "../../Protocols/Bytes.js"
import type { ParsedError, ResponseParts } from "../../Protocols/Protocol.js"
import type { OperationModel } from "../../Protocols/Shape.js"
import { uriEncode } from "../../Protocols/UriEncoding.js"
import { parseXml } from "../../Protocols/Xml.js"
import * as Checksums from "../../Request/Checksums.js"
import type * as Client from "../../Request/Client.js"
import type { HttpRequest } from "../../Request/Transport.js"

type Input = Readonly<Record<string, unknown>>

const decoder = new TextDecoder()

/** Drops the leading `/{Bucket}` of a serialized path: the endpoint already carries the bucket. */
const requestPath = (path: string, operation: OperationModel, input: Input): string => {
  const bucket = input.Bucket
  if (typeof bucket !== "string" || !operation.http.requestUri.startsWith("/{Bucket}")) return path
  const prefix = `/${uriEncode(bucket)}`
  if (!path.startsWith(prefix)) return path
  return path.slice(prefix.length)
}

const md5Base64 = (data: Uint8Array | string): string => {
  const md5 = createHash("md5")
  md5.update(typeof data === "string" ? utf8Encode(data) : data)
  return base64Encode(md5.digest())
}

const keyBytes = (key: unknown): Uint8Array | string | undefined =>
  key instanceof Uint8Array || typeof key === "string" ? key : undefined

/** Fills in `SSECustomerKeyMD5` / `CopySourceSSECustomerKeyMD5` from the keys, as the SDKs do. */
const prepareInput = (_operation: OperationModel, input: Input): Input => {
  const key = keyBytes(input.SSECustomerKey)
  const copyKey = keyBytes(input.CopySourceSSECustomerKey)
  if (
    (key === undefined || input.SSECustomerKeyMD5 !== undefined) &&
    (copyKey === undefined || input.CopySourceSSECustomerKeyMD5 !== undefined)
  ) {
    return input
  }
  const out: Record<string, unknown> = { ...input }
  if (key !== undefined && input.SSECustomerKeyMD5 === undefined) out.SSECustomerKeyMD5 = md5Base64(key)
  if (copyKey !== undefined && input.CopySourceSSECustomerKeyMD5 === undefined) {
    out.CopySourceSSECustomerKeyMD5 = md5Base64(copyKey)
  }
  return out
}

const hasChecksumHeader = (headers: Readonly<Record<string, string>>): boolean =>
  Object.keys(headers).some((h) => h.startsWith("x-amz-checksum-") && h !== "x-amz-checksum-type")

/** Adds a flexible checksum header to byte bodies of operations that support one. */
const prepareRequest: NonNullable<Client.Customizations["prepareRequest"]> = (
  request,
  { operation, input, client }
) => {
  const trait = operation.httpChecksum
  if (trait === undefined || !(request.body instanceof Uint8Array) || hasChecksumHeader(request.headers))
    return request
  const member = trait.requestAlgorithmMember
  const named = member === undefined ? undefined : input[member]
  const required = trait.requestChecksumRequired === true || operation.httpChecksumRequired === true
  if (named === undefined && client.requestChecksumCalculation === "when_required" && !required)
    return request
  if (named === undefined && member === undefined) return request
  const algorithm = typeof named === "string" ? Checksums.parseAlgorithm(named) : "CRC32"
  if (algorithm === undefined) return request
  const headers: Record<string, string> = { ...request.headers }
  headers[Checksums.headerOf(algorithm)] = Checksums.checksumBase64(algorithm, request.body)
  if (named === undefined) headers["x-amz-sdk-checksum-algorithm"] = algorithm
  return withHeaders(request, headers)
}

const withHeaders = (request: HttpRequest, headers: Readonly<Record<string, string>>): HttpRequest => ({
  ...request,
  headers
})

const errorIn200 = new Set(["CopyObject", "UploadPartCopy", "CompleteMultipartUpload"])

/** An `<Error>` document sent with status 200. */
const embeddedError: NonNullable<Client.Customizations["embeddedError"]> = (operation, response, codec) => {
  if (!errorIn200.has(operation.name)) return undefined
  const head = decoder.decode(response.body.subarray(0, 256))
  const start = head.indexOf("<", head.startsWith("<?xml") ? head.indexOf("?>") + 2 : 0)
  if (!head.startsWith("<Error>", start) && !head.startsWith("<Error ", start)) {
    return response.body.length === 0 ? emptyBodyError() : undefined
  }
  return codec.deserializeError(operation, response)
}

/** An empty 200 where a document was due: the connection broke (S3 says to retry). */
const emptyBodyError = (): ParsedError => ({
  code: "InternalError",
  message: "S3 answered 200 with an empty body where a result document was expected",
  shape: undefined,
  members: {},
  requestId: undefined
})

/** GetBucketLocation answers `<LocationConstraint>region</LocationConstraint>` as the whole body. */
const decodeOutput = (
  operation: OperationModel,
  response: ResponseParts
): Record<string, unknown> | undefined => {
  if (operation.name !== "GetBucketLocation") return undefined
  const text = decoder.decode(response.body)
  const root = parseXml(text)
  return root.text === "" ? {} : { LocationConstraint: root.text }
}

const redirectRegion = (error: ParsedError, response: ResponseParts, region: string | undefined) => {
  const bucketRegion = response.headers["x-amz-bucket-region"]
  if (bucketRegion === undefined || bucketRegion === region) return undefined
  const redirect =
    response.status === 301 ||
    response.status === 307 ||
    (response.status === 400 &&
      (error.code === "AuthorizationHeaderMalformed" || error.code === "IllegalLocationConstraintException"))
  return redirect ? bucketRegion : undefined
}

const urlDecode = (v: unknown): unknown =>
  typeof v === "string" ? decodeURIComponent(v.replace(/\+/g, " ")) : v

const decodeFields = (obj: unknown, fields: ReadonlyArray<string>): unknown => {
  if (typeof obj !== "object" || obj === null) return obj
  const out: Record<string, unknown> = { ...(obj as Record<string, unknown>) }
  for (const f of fields) if (f in out) out[f] = urlDecode(out[f])
  return out
}

const listingFields: Readonly<
  Record<
    string,
    { readonly top: ReadonlyArray<string>; readonly lists: Readonly<Record<string, ReadonlyArray<string>>> }
  >
> = {
  ListObjects: {
    top: ["Delimiter", "Marker", "NextMarker", "Prefix"],
    lists: { Contents: ["Key"], CommonPrefixes: ["Prefix"] }
  },
  ListObjectsV2: {
    top: ["Delimiter", "Prefix", "StartAfter"],
    lists: { Contents: ["Key"], CommonPrefixes: ["Prefix"] }
  },
  ListObjectVersions: {
    top: ["Delimiter", "KeyMarker", "NextKeyMarker", "Prefix"],
    lists: { Versions: ["Key"], DeleteMarkers: ["Key"], CommonPrefixes: ["Prefix"] }
  },
  ListMultipartUploads: {
    top: ["Delimiter", "KeyMarker", "NextKeyMarker", "Prefix"],
    lists: { Uploads: ["Key"], CommonPrefixes: ["Prefix"] }
  }
}

/** URL-decodes the keys of a listing S3 sent with `EncodingType=url`. */
const transformOutput = (
  operation: OperationModel,
  output: Record<string, unknown>
): Record<string, unknown> => {
  const fields = listingFields[operation.name]
  if (fields === undefined || output.EncodingType !== "url") return output
  const out = decodeFields(output, fields.top) as Record<string, unknown>
  for (const [list, keys] of Object.entries(fields.lists)) {
    const items = out[list]
    if (Array.isArray(items)) out[list] = items.map((item) => decodeFields(item, keys))
  }
  return out
}

export const customizations: Client.Customizations = {
  s3Signing: true,
  requestPath,
  prepareInput,
  prepareRequest,
  embeddedError,
  decodeOutput,
  redirectRegion,
  transformOutput
}
