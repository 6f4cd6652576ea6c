/**
 * `withPayloadHeaders`: request compression, Content-MD5 and Content-Length after `serialize`.
 */
import { createHash } from "node:crypto"
import { gunzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import type { SerializedRequest, StreamingBody } from "../../../src/Protocols/Protocol.js"
import type { OperationModel } from "../../../src/Protocols/Shape.js"
import { DEFAULT_MIN_COMPRESSION_BYTES, withPayloadHeaders } from "../../../src/Request/PayloadHeaders.js"

const operation = (extra: Partial<OperationModel> = {}): OperationModel => ({
  name: "Op",
  http: { method: "POST", requestUri: "/" },
  ...extra
})

const request = (
  body: SerializedRequest["body"],
  headers: Record<string, string> = {}
): SerializedRequest => ({
  method: "POST",
  path: "/",
  query: [],
  headers,
  body
})

const gzip = operation({ requestcompression: { encodings: ["gzip"] } })

describe("Content-Length", () => {
  it("is the byte length of a string or byte body", () => {
    expect(withPayloadHeaders(operation(), request("héllo")).headers["Content-Length"]).toBe("6")
    expect(withPayloadHeaders(operation(), request(new Uint8Array(3))).headers["Content-Length"]).toBe("3")
    expect(withPayloadHeaders(operation(), request("")).headers["Content-Length"]).toBe("0")
  })

  it("is not set without a body, for a stream, or when already set", () => {
    expect(withPayloadHeaders(operation(), request(undefined)).headers).toEqual({})
    const stream: StreamingBody = { _streaming: "s" }
    expect(withPayloadHeaders(operation(), request(stream)).headers).toEqual({})
    expect(withPayloadHeaders(operation(), request("abc", { "content-length": "3" })).headers).toEqual({
      "content-length": "3"
    })
  })
})

describe("Content-MD5", () => {
  it("is the base64 MD5 of the body when the operation requires a checksum", () => {
    const out = withPayloadHeaders(operation({ httpChecksumRequired: true }), request("abc"))
    expect(out.headers["Content-MD5"]).toBe(createHash("md5").update("abc").digest("base64"))
    expect(withPayloadHeaders(operation(), request("abc")).headers["Content-MD5"]).toBeUndefined()
  })

  it("is also sent for httpChecksum.requestChecksumRequired, unless a checksum is already there", () => {
    const required = operation({ httpChecksum: { requestChecksumRequired: true } })
    expect(withPayloadHeaders(required, request("abc")).headers["Content-MD5"]).toBeDefined()
    const crc = withPayloadHeaders(required, request("abc", { "x-amz-checksum-crc32": "NSRBwg==" }))
    expect(crc.headers["Content-MD5"]).toBeUndefined()
    const md5 = withPayloadHeaders(required, request("abc", { "content-md5": "given" }))
    expect(md5.headers).toEqual({ "content-md5": "given", "Content-Length": "3" })
  })

  it("covers the compressed bytes when the body is compressed", () => {
    const body = "x".repeat(DEFAULT_MIN_COMPRESSION_BYTES)
    const out = withPayloadHeaders({ ...gzip, httpChecksumRequired: true }, request(body))
    expect(out.headers["Content-MD5"]).toBe(
      createHash("md5")
        .update(out.body as Uint8Array)
        .digest("base64")
    )
  })
})

describe("request compression", () => {
  const large = "a".repeat(DEFAULT_MIN_COMPRESSION_BYTES)

  it("gzips a body of at least the minimum size and says so", () => {
    const out = withPayloadHeaders(gzip, request(large))
    expect(out.headers["Content-Encoding"]).toBe("gzip")
    expect(new TextDecoder().decode(gunzipSync(out.body as Uint8Array))).toBe(large)
    expect(out.headers["Content-Length"]).toBe(String((out.body as Uint8Array).length))
  })

  it("appends gzip to the encoding the input set", () => {
    const out = withPayloadHeaders(gzip, request(large, { "Content-Encoding": "custom" }))
    expect(out.headers["Content-Encoding"]).toBe("custom, gzip")
  })

  it("leaves small bodies and opted-out calls alone, and honours a lower minimum", () => {
    expect(withPayloadHeaders(gzip, request("small")).body).toBe("small")
    expect(withPayloadHeaders(gzip, request(large), { disableCompression: true }).body).toBe(large)
    expect(
      withPayloadHeaders(gzip, request("small"), { minCompressionBytes: 1 }).headers["Content-Encoding"]
    ).toBe("gzip")
  })
})
