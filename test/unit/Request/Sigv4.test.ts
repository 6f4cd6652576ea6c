import { inspect } from "node:util"
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

// Found by mutation testing (mutation/README.md): the rules of the canonical request the reference
// comparisons above do not reach (dot segments, repeated query keys, ports, the cache's bound,
// presigning's limits).
describe("SigV4 rules, one by one", () => {
  const options = {
    region: "eu-west-1",
    service: "lambda",
    date,
    payloadHash: Sigv4.EMPTY_SHA256,
    uriEscapePath: true,
    contentSha256Header: false
  }
  const get = (path: string, query: Sigv4.SignableRequest["query"] = []): Sigv4.SignableRequest => ({
    method: "get",
    hostname: "lambda.eu-west-1.amazonaws.com",
    path,
    query,
    headers: {}
  })
  const canonicalPath = (path: string, uriEscapePath = true) =>
    Sigv4.sign(get(path), identity, { ...options, uriEscapePath }).parts.canonicalRequest.split("\n")[1]

  it("normalises the path of every service but S3: empty and '.' segments dropped, '..' goes up", () => {
    expect(canonicalPath("/a/./b/../c//d/")).toBe("/a/c/d/")
    expect(canonicalPath("/a/b/../../..")).toBe("/")
    expect(canonicalPath("/../x")).toBe("/x")
    expect(canonicalPath("/")).toBe("/")
    expect(canonicalPath("")).toBe("/")
    expect(canonicalPath("/a%20b")).toBe("/a%2520b")
    // S3: as sent, an empty path as "/"
    expect(canonicalPath("/a/./b/../c//d/", false)).toBe("/a/./b/../c//d/")
    expect(canonicalPath("", false)).toBe("/")
  })

  it("agrees with the reference on dot segments and repeated query keys", async () => {
    const req: Sigv4.SignableRequest = {
      ...get("/2015-03-31/functions/./f/../g/invocations/"),
      method: "GET",
      query: [
        ["b", "2"],
        ["a", "z"],
        ["a", "y"],
        ["A", "1"]
      ]
    }
    const ours = Sigv4.sign(req, identity, options)
    const theirs = await reference("lambda", false).sign(toSmithy(req), { signingDate: date })
    expect(ours.headers.authorization).toBe(theirs.headers.authorization)
    expect(ours.parts.canonicalRequest.split("\n")[2]).toBe("A=1&a=y&a=z&b=2")
  })

  it("the method in upper case, header values trimmed, white space runs and tabs made one space", () => {
    const { parts } = Sigv4.sign(
      { ...get("/"), headers: { "x-b": "\tone\t\ttwo  three\n", "x-a": "plain", "x-c": "a\tb" } },
      identity,
      options
    )
    const lines = parts.canonicalRequest.split("\n")
    expect(lines[0]).toBe("GET")
    expect(lines.slice(3, 8)).toEqual([
      "host:lambda.eu-west-1.amazonaws.com",
      "x-a:plain",
      "x-amz-date:20240506T070809Z",
      "x-b:one two three",
      "x-c:a b"
    ])
    expect(parts.signedHeaders).toBe("host;x-a;x-amz-date;x-b;x-c")
  })

  it("headers never signed: authorization, user-agent, expect, trace id and the like", () => {
    const { parts } = Sigv4.sign(
      {
        ...get("/"),
        headers: {
          authorization: "old",
          connection: "keep-alive",
          expect: "100-continue",
          "user-agent": "ua",
          "x-amzn-trace-id": "Root=1",
          "transfer-encoding": "chunked",
          "content-length-is-not-signed": "1",
          "content-type": "application/json"
        }
      },
      identity,
      options
    )
    expect(parts.signedHeaders).toBe("content-type;host;x-amz-date")
  })

  it("host: the port when there is one, a host header given by the caller as is", () => {
    const withPort = Sigv4.sign({ ...get("/"), hostname: "localhost", port: 4566 }, identity, options)
    expect(withPort.headers.host).toBe("localhost:4566")
    expect(withPort.parts.canonicalRequest).toContain("\nhost:localhost:4566\n")
    const given = Sigv4.sign({ ...get("/"), headers: { host: "proxy.example" } }, identity, options)
    expect(given.headers.host).toBe("proxy.example")
  })

  it("the session token and x-amz-content-sha256 are sent and signed only when asked", () => {
    const plain = Sigv4.sign(get("/"), identity, options)
    expect(plain.headers["x-amz-security-token"]).toBeUndefined()
    expect(plain.headers["x-amz-content-sha256"]).toBeUndefined()
    const both = Sigv4.sign(
      get("/"),
      { ...identity, sessionToken: "tok" },
      { ...options, contentSha256Header: true }
    )
    expect(both.headers["x-amz-security-token"]).toBe("tok")
    expect(both.headers["x-amz-content-sha256"]).toBe(Sigv4.EMPTY_SHA256)
    expect(both.parts.signedHeaders).toBe("host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
    expect(both.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240506/eu-west-1/lambda/aws4_request, SignedHeaders=${both.parts.signedHeaders}, Signature=${both.parts.signature}`
    )
  })

  it("x-amz-date follows the date from one second to the next", () => {
    const at = (iso: string) =>
      Sigv4.sign(get("/"), identity, { ...options, date: new Date(iso) }).headers["x-amz-date"]
    expect(at("2024-05-06T07:08:09.100Z")).toBe("20240506T070809Z")
    expect(at("2024-05-06T07:08:09.900Z")).toBe("20240506T070809Z")
    expect(at("2024-05-06T07:08:10.000Z")).toBe("20240506T070810Z")
    expect(Sigv4.amzDate(new Date("2025-12-31T23:59:59Z"))).toBe("20251231T235959Z")
  })

  it("the key cache reuses a derived key, and empties itself past 50 keys", () => {
    const cache = new Sigv4.KeyCache()
    const first = Sigv4.sign(get("/"), identity, options, cache).headers.authorization
    expect(cache.size).toBe(1)
    expect(Sigv4.sign(get("/"), identity, options, cache).headers.authorization).toBe(first)
    expect(cache.size).toBe(1)
    for (let i = 1; i <= 50; i++) {
      Sigv4.sign(get("/"), { ...identity, secretAccessKey: `secret-${i}` }, options, cache)
    }
    expect(cache.size).toBe(51)
    Sigv4.sign(get("/"), { ...identity, secretAccessKey: "one-more" }, options, cache)
    expect(cache.size).toBe(1)
    expect(String(cache)).toBe("KeyCache(1 signing keys)")
    expect(JSON.stringify(cache)).toBe('{"_id":"KeyCache","size":1}')
    // the derived keys are secrets: util.inspect (console.log) shows the size only
    expect(inspect(cache)).toBe("{ _id: 'KeyCache', size: 1 }")
  })

  it("presign: from 1 second to 7 days, whole seconds, the unsignable headers left out", () => {
    const presign = (expiresIn: number, headers: Record<string, string> = {}) =>
      Sigv4.presign({ ...get("/"), headers }, identity, { ...options, expiresIn })
    for (const bad of [0.5, 604_801, Number.NaN]) {
      expect(() => presign(bad)).toThrow(`expiresIn must be between 1 and 604800 seconds, got ${bad}`)
    }
    expect(Object.fromEntries(presign(1).query)["X-Amz-Expires"]).toBe("1")
    expect(Object.fromEntries(presign(604_800).query)["X-Amz-Expires"]).toBe("604800")
    const q = Object.fromEntries(presign(900.9, { "user-agent": "ua", "x-amz-meta-a": "b" }).query)
    expect(q["X-Amz-Expires"]).toBe("900")
    expect(q["X-Amz-SignedHeaders"]).toBe("host;x-amz-meta-a")
    // no session token: no X-Amz-Security-Token parameter at all (not one that reads "undefined")
    expect(presign(900).query.map(([k]) => k)).not.toContain("X-Amz-Security-Token")
  })
})
