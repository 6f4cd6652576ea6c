/**
 * Short ASCII strings from bytes, for the binary codecs (CBOR keys and text, event-stream header
 * names and values), where a `TextDecoder` call costs more than the string.
 *
 * @since 0.1.0
 */

/** `bytes[from, to)`, known to be ASCII, as a string. */
export type AsciiText = (bytes: Uint8Array, from: number, to: number) => string

/**
 * Node's `Buffer` `asciiSlice` where there is one (a copy made in one call, so the string keeps no
 * larger string alive), else character by character.
 */
export const asciiText: AsciiText = (() => {
  const slice = (
    globalThis as {
      Buffer?: { prototype: { asciiSlice?: (this: Uint8Array, start: number, end: number) => string } }
    }
  ).Buffer?.prototype.asciiSlice
  if (typeof slice === "function") return (bytes, from, to) => slice.call(bytes, from, to)
  return (bytes, from, to) => {
    let s = ""
    for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!)
    return s
  }
})()

/** Whether `bytes[from, to)` is all ASCII. */
export const isAscii = (bytes: Uint8Array, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return false
  return true
}
