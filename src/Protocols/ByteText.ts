/**
 * Strings made from bytes without decoding them as UTF-8, for the JSON fast path: a byte's one
 * character (`latin1Slice` in Node, else windows-1252; the same on ASCII), and copies of ASCII.
 *
 * Output strings never point into the body: V8 makes a substring of 13 or more characters a
 * "sliced string" that keeps its whole parent alive, so a kept value (one attribute of a Query
 * page) would keep the page's one-byte text. Strings of ASCII are therefore copied from their
 * bytes (`asciiSlice` in Node, a little dearer than a slice), or where there is no such copy,
 * flattened into a string of their own; shorter ones are sliced, which copies them.
 *
 * @since 0.1.0
 */

export type ByteText = (bytes: Uint8Array, from: number, to: number) => string
const byteTextDecoder = (): ByteText | undefined => {
  const slice = (
    globalThis as {
      Buffer?: { prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } }
    }
  ).Buffer?.prototype.latin1Slice
  if (typeof slice === "function") return (bytes, from, to) => slice.call(bytes, from, to)
  try {
    const decoder = new TextDecoder("windows-1252")
    return (bytes, from, to) => decoder.decode(bytes.subarray(from, to))
  } catch {
    return undefined
  }
}
/**
 * Bytes `from` to `to` as one character per byte, a new string; `undefined` where the platform
 * has no such decoder.
 */
export const byteText: ByteText | undefined = byteTextDecoder()

/** Substrings this long are slices of their parent in V8 (shorter ones are copies). */
export const SLICED = 13

type Copy = (bytes: Uint8Array, from: number, to: number) => string
const asciiCopy = (): Copy => {
  const copy = (
    globalThis as {
      Buffer?: { prototype: { asciiSlice?: (this: Uint8Array, start: number, end: number) => string } }
    }
  ).Buffer?.prototype.asciiSlice
  if (typeof copy === "function") return (bytes, from, to) => copy.call(bytes, from, to)
  // a decoder's string is one of its own (callers copy only where there is a decoder)
  return (bytes, from, to) => byteText!(bytes, from, to)
}
/** A string of its own with the characters of ASCII bytes `from` to `to` (at least `SLICED`). */
export const copyAscii: Copy = asciiCopy()
