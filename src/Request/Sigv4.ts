/**
 * AWS Signature Version 4: header signing and query-string presigning.
 *
 * Written here rather than taken from `@smithy/signature-v4`: that package bundles to 140 KB
 * minified (it pulls `@smithy/core`), more than this SDK's whole budget for a one-call program;
 * this module is a few KB, synchronous, and caches derived signing keys per credentials and day.
 * It passes all cases of the official SigV4 test suite (test/conformance/runners/sigv4.ts).
 *
 * @since 0.1.0
 */

import { NodeInspectSymbol } from "effect/Inspectable"
import * as Crypto from "#runtime/Crypto"
import { uriEncode } from "../Protocols/UriEncoding.js"

/** Header value for payloads that are not hashed (S3 streaming over https). */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
/** SHA-256 of the empty string. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/** What a request looks like to the signer. Header names are lower case. */
export interface SignableRequest {
  readonly method: string
  readonly hostname: string
  readonly port?: number | undefined
  /** The URI path, percent-encoded once. */
  readonly path: string
  /** Query parameters, not encoded. */
  readonly query: ReadonlyArray<readonly [string, string]>
  readonly headers: Readonly<Record<string, string>>
}

/** The identity a request is signed with (secrets as plain strings: this module never logs). */
export interface SigningIdentity {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

export interface SigningOptions {
  readonly region: string
  readonly service: string
  readonly date: Date
  /** The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string
  /**
   * Normalise and encode the path a second time (every service but S3). S3 signs the path as
   * sent, never normalised.
   */
  readonly uriEscapePath: boolean
  /** Send `x-amz-content-sha256` (S3 and S3-like services require it). */
  readonly contentSha256Header: boolean
}

/** Headers never signed: changed by proxies or added after signing. */
const UNSIGNABLE = new Set([
  "authorization",
  "connection",
  "expect",
  "user-agent",
  "x-amzn-trace-id",
  "transfer-encoding",
  "content-length-is-not-signed"
])

const hmac = Crypto.hmacSha256

/** Hex SHA-256 of a payload. */
export const sha256Hex: (data: string | Uint8Array) => string = Crypto.sha256Hex

// The last formatted second: a signature formats its date twice, and calls come many a second.
let lastSecond = Number.NaN
let lastStamp = ""

/** `20150830T123600Z` */
export const amzDate = (date: Date): string => {
  const second = Math.floor(date.getTime() / 1000)
  if (second !== lastSecond) {
    lastStamp = date.toISOString().replace(/[-:]|\.\d{3}/g, "")
    lastSecond = second
  }
  return lastStamp
}

const normalizePath = (path: string): string => {
  const out: Array<string> = []
  const segments = path.split("/")
  for (const segment of segments) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") out.pop()
    else out.push(segment)
  }
  const trailing = path.endsWith("/") && out.length > 0 ? "/" : ""
  return `/${out.join("/")}${trailing}`
}

// Every service but S3 signs the normalised path with each segment encoded once more (the path
// arrives encoded once, so the canonical form is double-encoded, as the SigV4 specification says).
const canonicalPath = (path: string, normalise: boolean): string => {
  if (!normalise) return path === "" ? "/" : path
  return normalizePath(path).split("/").map(uriEncode).join("/")
}

const canonicalQuery = (query: ReadonlyArray<readonly [string, string]>): string =>
  query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&")

// what `replace(/\s+/g, " ")` would change: a run of white space, or white space other than " "
const SPACES = /\s\s|[^\S ]/

/** A header value with its ends trimmed and each run of white space made one space. */
const trimValue = (v: string): string => {
  const t = v.trim()
  return SPACES.test(t) ? t.replace(/\s+/g, " ") : t
}

/** The names of the headers to sign, sorted (by code unit, as `Array.prototype.sort`). */
const signedNames = (headers: Readonly<Record<string, string>>): Array<string> => {
  const names: Array<string> = []
  for (const h in headers) {
    if (UNSIGNABLE.has(h)) continue
    // insertion sort: a request has a handful of headers
    let i = names.length
    while (i > 0 && names[i - 1]! > h) {
      names[i] = names[i - 1]!
      i--
    }
    names[i] = h
  }
  return names
}

interface Canonical {
  readonly request: string
  readonly signedHeaders: string
}

const canonicalRequest = (
  req: SignableRequest,
  headers: Readonly<Record<string, string>>,
  query: ReadonlyArray<readonly [string, string]>,
  options: SigningOptions
): Canonical => {
  const names = signedNames(headers)
  let signedHeaders = ""
  let lines = ""
  for (let i = 0; i < names.length; i++) {
    const h = names[i]!
    signedHeaders = i === 0 ? h : `${signedHeaders};${h}`
    lines += `${h}:${trimValue(headers[h]!)}\n`
  }
  const request = `${req.method.toUpperCase()}\n${canonicalPath(req.path, options.uriEscapePath)}\n${
    query.length === 0 ? "" : canonicalQuery(query)
  }\n${lines}\n${signedHeaders}\n${options.payloadHash}`
  return { request, signedHeaders }
}

/**
 * The signing keys derived so far, per secret, day, region and service: owned by the client (no
 * global state). Its entries are secrets (the derived keys, looked up by the secret access key),
 * so it prints as its size only: `console.log(client)` or `JSON.stringify(client)` shows no key.
 */
export class KeyCache {
  readonly #keys = new Map<string, Uint8Array>()
  get size(): number {
    return this.#keys.size
  }
  get(key: string): Uint8Array | undefined {
    return this.#keys.get(key)
  }
  set(key: string, value: Uint8Array): void {
    this.#keys.set(key, value)
  }
  clear(): void {
    this.#keys.clear()
  }
  toJSON(): unknown {
    return { _id: "KeyCache", size: this.#keys.size }
  }
  toString(): string {
    return `KeyCache(${this.#keys.size} signing keys)`
  }
  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const signingKey = (
  secret: string,
  day: string,
  region: string,
  service: string,
  cache: KeyCache | undefined
): Uint8Array => {
  const cacheKey = `${day}\n${region}\n${service}\n${secret}`
  const cached = cache?.get(cacheKey)
  if (cached) return cached
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request")
  if (cache) {
    if (cache.size > 50) cache.clear()
    cache.set(cacheKey, key)
  }
  return key
}

const hostHeader = (req: SignableRequest): string =>
  req.port === undefined ? req.hostname : `${req.hostname}:${req.port}`

/** The intermediate strings of a signature, for tests and debugging. */
export interface SignatureParts {
  readonly canonicalRequest: string
  readonly stringToSign: string
  readonly signature: string
  readonly signedHeaders: string
  readonly scope: string
}

const signatureOf = (
  identity: SigningIdentity,
  canonical: Canonical,
  options: SigningOptions,
  cache: KeyCache | undefined
): SignatureParts => {
  const stamp = amzDate(options.date)
  const day = stamp.slice(0, 8)
  const scope = `${day}/${options.region}/${options.service}/aws4_request`
  const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${Crypto.sha256Hex(canonical.request)}`
  const key = signingKey(identity.secretAccessKey, day, options.region, options.service, cache)
  const signature = Crypto.hmacSha256Hex(key, stringToSign)
  return {
    canonicalRequest: canonical.request,
    stringToSign,
    signature,
    signedHeaders: canonical.signedHeaders,
    scope
  }
}

/**
 * Signs a request with the `Authorization` header. Returns the headers to send (the request's
 * own plus `host`, `x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256` where needed,
 * and `authorization`) and the parts of the signature.
 */
export const sign = (
  req: SignableRequest,
  identity: SigningIdentity,
  options: SigningOptions,
  cache?: KeyCache
): { readonly headers: Record<string, string>; readonly parts: SignatureParts } => {
  const headers: Record<string, string> = { ...req.headers }
  headers.host ??= hostHeader(req)
  headers["x-amz-date"] = amzDate(options.date)
  if (identity.sessionToken !== undefined) headers["x-amz-security-token"] = identity.sessionToken
  if (options.contentSha256Header) headers["x-amz-content-sha256"] = options.payloadHash
  const parts = signatureOf(identity, canonicalRequest(req, headers, req.query, options), options, cache)
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${identity.accessKeyId}/${parts.scope}, SignedHeaders=${parts.signedHeaders}, Signature=${parts.signature}`
  return { headers, parts }
}

/**
 * Presigns a request: the signature goes in the query string (`X-Amz-Signature` ...), valid for
 * `expiresIn` seconds (at most 7 days). Returns the full query to send and the headers that must
 * be sent with it (those that were signed).
 */
export const presign = (
  req: SignableRequest,
  identity: SigningIdentity,
  options: SigningOptions & { readonly expiresIn: number },
  cache?: KeyCache
): {
  readonly query: ReadonlyArray<readonly [string, string]>
  readonly headers: Record<string, string>
  readonly parts: SignatureParts
} => {
  if (!(options.expiresIn >= 1 && options.expiresIn <= 604_800)) {
    throw new RangeError(`expiresIn must be between 1 and 604800 seconds, got ${options.expiresIn}`)
  }
  const headers: Record<string, string> = { ...req.headers }
  headers.host ??= hostHeader(req)
  const stamp = amzDate(options.date)
  const scope = `${stamp.slice(0, 8)}/${options.region}/${options.service}/aws4_request`
  const signedHeaders = Object.keys(headers)
    .filter((h) => !UNSIGNABLE.has(h))
    .sort()
    .join(";")
  const query: Array<readonly [string, string]> = [
    ...req.query,
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${identity.accessKeyId}/${scope}`],
    ["X-Amz-Date", stamp],
    ["X-Amz-Expires", String(Math.floor(options.expiresIn))],
    ["X-Amz-SignedHeaders", signedHeaders]
  ]
  if (identity.sessionToken !== undefined) query.push(["X-Amz-Security-Token", identity.sessionToken])
  const parts = signatureOf(identity, canonicalRequest(req, headers, query, options), options, cache)
  query.push(["X-Amz-Signature", parts.signature])
  return { query, headers, parts }
}
