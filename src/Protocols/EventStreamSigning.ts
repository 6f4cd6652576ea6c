/**
 * SigV4 signing of input event streams. The HTTP request that opens the stream is signed as usual
 * with `x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-EVENTS`; its signature seeds a chain.
 * Each event message is then wrapped, as the payload of an outer message whose headers are
 *
 * - `:date` (timestamp): the signing time, and
 * - `:chunk-signature` (byte array): the 32 bytes of HMAC-SHA256(signing key, string to sign),
 *
 * where the string to sign is
 *
 * ```
 * AWS4-HMAC-SHA256-PAYLOAD
 * <signing time, 20150830T123600Z>
 * <day>/<region>/<service>/aws4_request
 * <the previous signature, hex>
 * <hex SHA-256 of the encoded :date header>
 * <hex SHA-256 of the payload (the encoded event message)>
 * ```
 *
 * The stream ends with one more signed message whose payload is empty.
 *
 * Hashing and HMAC go through the runtime seam (`#runtime/Crypto`), as `Request/Sigv4.ts`. The
 * signing key is derived as for any SigV4 signature (per day, region, service).
 *
 * @since 0.1.0
 */
import * as Crypto from "#runtime/Crypto"
import { hexEncode } from "./Bytes.js"
import { encodeHeaders, encodeMessage, type Headers } from "./EventStream.js"

/** The `x-amz-content-sha256` of the request that opens a signed input event stream. */
export const STREAMING_EVENTS_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-EVENTS"

/** The algorithm line of an event's string to sign. */
export const EVENT_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"

/** What an event signature is made with. */
export interface EventSigningContext {
  readonly secretAccessKey: string
  readonly region: string
  readonly service: string
}

const hmac = Crypto.hmacSha256

const sha256Hex = Crypto.sha256Hex

/** `20150830T123600Z` (whole seconds, UTC). */
const longDate = (date: Date): string => date.toISOString().replace(/[-:]|\.\d{3}/g, "")

/** The SigV4 signing key of a day (`yyyymmdd`). */
export const signingKey = (context: EventSigningContext, day: string): Uint8Array =>
  hmac(
    hmac(hmac(hmac(`AWS4${context.secretAccessKey}`, day), context.region), context.service),
    "aws4_request"
  )

/** The intermediate and final values of one event signature (for tests and debugging). */
export interface EventSignature {
  readonly stringToSign: string
  /** Hex. */
  readonly signature: string
  /** The signature's 32 bytes, as `:chunk-signature` carries them. */
  readonly bytes: Uint8Array
}

/**
 * Signs one event payload (`payload`: the encoded event message, or empty for the end of the
 * stream) after `priorSignature` (hex: the request's signature for the first event). `key` is
 * the signing key of `date`'s day (`signingKey`), passed in so a chain derives it once a day.
 */
export const signEventPayload = (
  payload: Uint8Array,
  priorSignature: string,
  date: Date,
  context: EventSigningContext,
  key: Uint8Array = signingKey(context, longDate(date).slice(0, 8))
): EventSignature => {
  const stamp = longDate(date)
  const scope = `${stamp.slice(0, 8)}/${context.region}/${context.service}/aws4_request`
  const dateHeader = encodeHeaders({ ":date": { type: "timestamp", value: date } })
  const stringToSign = [
    EVENT_ALGORITHM,
    stamp,
    scope,
    priorSignature,
    sha256Hex(dateHeader),
    sha256Hex(payload)
  ].join("\n")
  const bytes = new Uint8Array(hmac(key, stringToSign))
  return { stringToSign, signature: hexEncode(bytes), bytes }
}

/** The headers of a signed event message. */
export const signedHeaders = (date: Date, signature: EventSignature): Headers => ({
  ":date": { type: "timestamp", value: date },
  ":chunk-signature": { type: "binary", value: signature.bytes }
})

/**
 * A signing chain: each call signs the next payload after the previous signature (the first after
 * `seedSignature`, the opening request's) and returns the framed message to send. Call it with
 * an empty payload to end the stream. The signing key is derived again only when the day changes.
 */
export const eventSigningChain = (
  context: EventSigningContext,
  seedSignature: string
): ((payload: Uint8Array, date: Date) => Uint8Array) => {
  let prior = seedSignature
  let day = ""
  let key: Uint8Array | undefined
  return (payload, date) => {
    const today = longDate(date).slice(0, 8)
    if (key === undefined || today !== day) {
      day = today
      key = signingKey(context, day)
    }
    const signature = signEventPayload(payload, prior, date, context, key)
    prior = signature.signature
    return encodeMessage({ headers: signedHeaders(date, signature), payload })
  }
}
