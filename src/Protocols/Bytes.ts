/**
 * UTF-8, base64 and hex for the codecs, without `Buffer`: everything here runs in browsers as well.
 *
 * @since 0.1.0
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The UTF-8 bytes of a string. */
export const utf8Encode = (s: string): Uint8Array => encoder.encode(s)

/** A string from UTF-8 bytes (invalid sequences become U+FFFD). */
export const utf8Decode = (bytes: Uint8Array): string => decoder.decode(bytes)

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

/** Standard base64 (RFC 4648, with padding). */
export const base64Encode = (bytes: Uint8Array): string => {
  let out = ""
  const n = bytes.length
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!
  }
  if (i < n) {
    const b1 = i + 1 < n ? bytes[i + 1]! : 0
    const v = (bytes[i]! << 16) | (b1 << 8)
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]!
    out += i + 1 < n ? `${ALPHABET[(v >> 6) & 63]!}=` : "=="
  }
  return out
}

/** Decodes standard base64; padding is optional. Returns undefined when `s` is not base64. */
export const base64Decode = (s: string): Uint8Array | undefined => {
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--
  if (s.length - end > 2 || end % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let acc = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? DECODE[c]! : -1
    if (v < 0) return undefined
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  return out
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** Lower-case hex of bytes. */
export const hexEncode = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!
  return out
}
