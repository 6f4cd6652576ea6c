import { Hash } from "@smithy/hash-node"
import { SignatureV4 } from "@smithy/signature-v4"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Sigv4 from "../../../src/Request/Sigv4.js"

/**
 * Our signer against `@smithy/signature-v4` (the AWS SDK for JavaScript v3's), on the same
 * requests: the official suite proves the algorithm; this proves the S3 rules (unnormalised path,
 * content hash header) and presigning agree with the reference on realistic requests.
 */

const identity = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
const date = new Date("2024-05-06T07:08:09Z")

const reference = (service: string, s3: boolean) =>
  new SignatureV4({
    credentials: identity,
    region: "eu-west-1",
    service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: !s3,
    applyChecksum: s3
  })

const toSmithy = (req: Sigv4.SignableRequest) => {
  const query: Record<string, string | Array<string>> = {}
  for (const [k, v] of req.query) {
    const existing = query[k]
    query[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v]
  }
  return {
    method: req.method,
    protocol: "https:",
    hostname: req.hostname,
    path: req.path,
    query,
    headers: { ...req.headers, host: req.hostname }
  }
}

const keys = [
  "plain.txt",
  "dir/sub/file.bin",
  "with space & ampersand",
  "unicodé/ключ/キー/😀.txt",
  "double//slash/./dot/../dotdot",
  "plus+equals=percent%25"
]

const encodePath = (key: string): string => `/bucket/${key.split("/").map(encodeURIComponent).join("/")}`

describe("SigV4 against the reference signer", () => {
  it.each(keys)("signs an S3 request for %j the same way", async (key) => {
    const req: Sigv4.SignableRequest = {
      method: "PUT",
      hostname: "s3.eu-west-1.amazonaws.com",
      path: encodePath(key),
      query: [
        ["versionId", "v1 2"],
        ["x-id", "PutObject"]
      ],
      headers: { "content-type": "text/plain", "x-amz-meta-a": "  b   c  " }
    }
    const payloadHash = Sigv4.sha256Hex("body")
    const ours = Sigv4.sign(req, identity, {
      region: "eu-west-1",
      service: "s3",
      date,
      payloadHash,
      uriEscapePath: false,
      contentSha256Header: true
    })
    const theirs = await reference("s3", true).sign({ ...toSmithy(req), body: "body" }, { signingDate: date })
    expect(ours.headers.authorization).toBe(theirs.headers.authorization)
  })

  it("signs a JSON request (double-encoded path) the same way", async () => {
    const req: Sigv4.SignableRequest = {
      method: "POST",
      hostname: "lambda.eu-west-1.amazonaws.com",
      path: "/2015-03-31/functions/my%20fn/invocations",
      query: [],
      headers: { "content-type": "application/json" }
    }
    const ours = Sigv4.sign(req, identity, {
      region: "eu-west-1",
      service: "lambda",
      date,
      payloadHash: Sigv4.sha256Hex("{}"),
      uriEscapePath: true,
      contentSha256Header: false
    })
    const theirs = await reference("lambda", false).sign(
      { ...toSmithy(req), body: "{}" },
      { signingDate: date }
    )
    expect(ours.headers.authorization).toBe(theirs.headers.authorization)
  })

  // The raw reference signer hashes the (empty) payload when presigning; S3 presigned URLs use
  // UNSIGNED-PAYLOAD (the S3 presigner sets it), which only changes that one canonical line.
  it("presigns an S3 GET the same way (with a session token)", async () => {
    const req: Sigv4.SignableRequest = {
      method: "GET",
      hostname: "bucket.s3.eu-west-1.amazonaws.com",
      path: "/a%20b/%F0%9F%98%80",
      query: [["response-content-type", "text/plain"]],
      headers: {}
    }
    const withToken = { ...identity, sessionToken: "token/with+chars=" }
    const ours = Sigv4.presign(req, withToken, {
      region: "eu-west-1",
      service: "s3",
      date,
      payloadHash: Sigv4.EMPTY_SHA256,
      uriEscapePath: false,
      contentSha256Header: false,
      expiresIn: 900
    })
    const signer = new SignatureV4({
      credentials: withToken,
      region: "eu-west-1",
      service: "s3",
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: false
    })
    const theirs = await signer.presign(toSmithy(req), { signingDate: date, expiresIn: 900 })
    expect(Object.fromEntries(ours.query)).toEqual(theirs.query)
  })

  it("agrees on arbitrary keys, query values and header values", async () => {
    const text = fc.string({ unit: "grapheme", maxLength: 20 })
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 3 }), text, text, async (segments, q, h) => {
        const req: Sigv4.SignableRequest = {
          method: "GET",
          hostname: "s3.eu-west-1.amazonaws.com",
          path: `/bucket/${segments.map(encodeURIComponent).join("/")}`,
          query: [["q", q]],
          headers: { "x-amz-meta-h": encodeURIComponent(h) }
        }
        const ours = Sigv4.sign(req, identity, {
          region: "eu-west-1",
          service: "s3",
          date,
          payloadHash: Sigv4.EMPTY_SHA256,
          uriEscapePath: false,
          contentSha256Header: true
        })
        const theirs = await reference("s3", true).sign(toSmithy(req), { signingDate: date })
        expect(ours.headers.authorization).toBe(theirs.headers.authorization)
      }),
      { numRuns: 200, seed: 42 }
    )
  })
})

describe("the signing-key cache", () => {
  const req: Sigv4.SignableRequest = {
    method: "GET",
    hostname: "examplebucket.s3.amazonaws.com",
    port: undefined,
    path: "/k",
    query: [],
    headers: {}
  }
  const sign = (secretAccessKey: string, cache: Sigv4.KeyCache) =>
    Sigv4.sign(
      req,
      { accessKeyId: "AKIDSAME", secretAccessKey },
      {
        region: "us-east-1",
        service: "s3",
        date,
        payloadHash: Sigv4.EMPTY_SHA256,
        uriEscapePath: false,
        contentSha256Header: true
      },
      cache
    ).headers.authorization

  it("keys by the secret: credentials rotated under the same access key id sign with the new secret", () => {
    const cache = new Sigv4.KeyCache()
    const before = sign("first-secret", cache)
    const after = sign("rotated-secret", cache)
    expect(after).not.toBe(before)
    expect(after).toBe(sign("rotated-secret", new Sigv4.KeyCache()))
  })
})
