/**
 * Percent-encoding as AWS signs and sends it (RFC 3986): everything but the unreserved characters
 * `A-Z a-z 0-9 - . _ ~` is encoded as UTF-8 bytes, space included (`%20`, never `+`).
 *
 * @since 0.1.0
 */
import { ProtocolError } from "./Protocol.js"

const hex = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/** Percent-encodes a string, `/` included. */
export const uriEncode = (s: string): string => {
  try {
    return encodeURIComponent(s).replace(/[!'()*]/g, hex)
  } catch {
    throw new ProtocolError(`not well-formed Unicode (a lone surrogate): ${JSON.stringify(s)}`)
  }
}

/** Percent-encodes a greedy URI label: each segment encoded, the `/` between them kept. */
export const uriEncodePath = (s: string): string => s.split("/").map(uriEncode).join("/")

/** An `application/x-www-form-urlencoded` body (or query string) from pairs, in order. */
export const formEncode = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join("&")
