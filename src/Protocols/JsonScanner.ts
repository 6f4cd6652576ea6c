/**
 * The byte scanner of the JSON fast path (`JsonFastPath`): JSON's grammar read straight from a
 * body's bytes, one body at a time (the position is module state, saved and restored around a
 * nested scan). Anything it is not sure to read exactly as `JSON.parse` would makes it give up
 * (`giveUp`), and the caller decodes the body again the slow way. Bytes, not decoded text, are
 * enough: all JSON's grammar looks at is ASCII, which UTF-8 never takes into another character, so
 * keys and words are compared with the body's one-byte text (`ByteText`), made a window at a time,
 * and only a string with non-ASCII bytes is decoded as UTF-8.
 *
 * @since 0.1.0
 */
import { utf8Decode } from "./Bytes.js"
import { byteText, copyAscii, SLICED } from "./ByteText.js"
import { setOwn } from "./Values.js"

/** Thrown where the fast path gives up; never seen outside a scan. */
const bail: unique symbol = Symbol("bail")
export const giveUp = (): never => {
  throw bail
}

/** The body being parsed, and the position in it (past the end: `undefined`, which no test accepts). */
let buf: Uint8Array = new Uint8Array(0)
let pos = 0

/**
 * The one-byte text of a window of the body, bytes `srcStart` to `srcEnd`, made as the parse
 * reaches them rather than for the whole body at once: a string over 128 KiB is a large object in
 * V8, on pages of its own, and far slower to make.
 */
const WINDOW = 16384
let src = ""
let srcStart = 0
let srcEnd = 0

/** The window's offset of byte `from`, the window holding bytes `from` to `to` (a short run). */
const windowAt = (from: number, to: number): number => {
  if (from < srcStart || to > srcEnd) {
    srcStart = from
    srcEnd = Math.max(from, Math.min(buf.length, from + WINDOW))
    src = byteText!(buf, srcStart, srcEnd)
  }
  return from - srcStart
}

/** Whether ASCII `text` is at byte `at` of the body. */
export const textAt = (text: string, at: number): boolean => {
  const length = text.length
  if (length <= 64) {
    const offset = windowAt(at, at + length)
    return src.startsWith(text, offset)
  }
  for (let i = 0; i < length; i++) if (buf[at + i] !== text.charCodeAt(i)) return false
  return true
}

/** The text of ASCII bytes `from` to `to`, holding on to nothing else. */
const ascii = (from: number, to: number): string => {
  if (to - from >= SLICED) return copyAscii(buf, from, to)
  const at = windowAt(from, to)
  return src.slice(at, at + to - from)
}

/** Skips JSON whitespace; the byte at the new position. */
export const ws = (): number => {
  let c = buf[pos]!
  while (c === 32 || c === 10 || c === 13 || c === 9) c = buf[++pos]!
  return c
}

/** A string at `pos` (its opening quote). A string of ASCII without escapes is copied at once. */
export const readText = (): string => {
  const start = ++pos
  for (;;) {
    const c = buf[pos]!
    if (c === 34) return ascii(start, pos++)
    if (c === 92 || c >= 128) return readWideText(start)
    // control characters are not allowed in JSON strings
    if (!(c >= 32)) return giveUp()
    pos++
  }
}

const hexDigit = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : giveUp()

/** The characters of bytes `from` to `to` (no escapes among them), as UTF-8 where `wide`. */
const run = (from: number, to: number, wide: boolean): string =>
  wide ? utf8Decode(buf.subarray(from, to)) : ascii(from, to)

/** The rest of a string with escapes or non-ASCII bytes, from its first character at `start`. */
const readWideText = (start: number): string => {
  let out = ""
  let from = start
  let wide = false
  for (;;) {
    const c = buf[pos]!
    if (c === 34) {
      out += run(from, pos++, wide)
      return out
    }
    if (c === 92) {
      out += run(from, pos, wide)
      wide = false
      const e = buf[pos + 1]!
      pos += 2
      switch (e) {
        case 34:
          out += '"'
          break
        case 92:
          out += "\\"
          break
        case 47:
          out += "/"
          break
        case 98:
          out += "\b"
          break
        case 102:
          out += "\f"
          break
        case 110:
          out += "\n"
          break
        case 114:
          out += "\r"
          break
        case 116:
          out += "\t"
          break
        case 117:
          out += String.fromCharCode(
            (hexDigit(buf[pos]!) << 12) |
              (hexDigit(buf[pos + 1]!) << 8) |
              (hexDigit(buf[pos + 2]!) << 4) |
              hexDigit(buf[pos + 3]!)
          )
          pos += 4
          break
        default:
          return giveUp()
      }
      from = pos
      continue
    }
    if (c >= 128) wide = true
    else if (!(c >= 32)) return giveUp()
    pos++
  }
}

/**
 * Map keys repeat (DynamoDB items share attribute names): ASCII keys up to 40 characters are kept
 * in a table by length, first and last character, and a key equal to its slot's is that string
 * again. Each is a string of its own (see `ascii`), so a cached key never holds on to a body.
 */
const keyCache: Array<string | undefined> = new Array(512).fill(undefined)

/** A map key at `pos` (its opening quote). */
export const readKey = (): string => {
  const start = pos + 1
  let end = start
  for (;;) {
    const c = buf[end]!
    if (c === 34) break
    if (c === 92 || c >= 128 || !(c >= 32)) return readText()
    end++
  }
  const length = end - start
  if (length === 0 || length > 40) return readText()
  const slot = (length * 67 + buf[start]! * 31 + buf[end - 1]!) & 511
  const cached = keyCache[slot]
  pos = end + 1
  if (cached !== undefined && cached.length === length && textAt(cached, start)) return cached
  const key = ascii(start, end)
  keyCache[slot] = key
  return key
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** A number at `pos`, in JSON's grammar exactly (`-? int frac? exp?`). */
const readNumber = (): number => {
  const start = pos
  let c = buf[pos]!
  if (c === 45) c = buf[++pos]!
  if (c === 48) c = buf[++pos]!
  else if (c >= 49 && c <= 57) {
    do c = buf[++pos]!
    while (isDigit(c))
  } else return giveUp()
  let simple = true
  if (c === 46) {
    simple = false
    c = buf[++pos]!
    if (!isDigit(c)) return giveUp()
    do c = buf[++pos]!
    while (isDigit(c))
  }
  if (c === 101 || c === 69) {
    simple = false
    c = buf[++pos]!
    if (c === 43 || c === 45) c = buf[++pos]!
    if (!isDigit(c)) return giveUp()
    do c = buf[++pos]!
    while (isDigit(c))
  }
  // short integers exactly, without a string; the rest as JSON.parse reads them
  if (simple && pos - start <= 9) {
    let i = start
    const negative = buf[i] === 45
    if (negative) i++
    let n = 0
    for (; i < pos; i++) n = n * 10 + (buf[i]! - 48)
    return negative ? -n : n
  }
  return Number(ascii(start, pos))
}

/** Expects `word` (true, false, null) at `pos`. */
export const expectWord = (word: string): void => {
  if (!textAt(word, pos)) giveUp()
  pos += word.length
}

/** Whether the value at `pos` (its first byte `c`) is `null`; consumes it if so. */
export const readNull = (c: number): boolean => {
  if (c !== 110) return false
  expectWord("null")
  return true
}

/** `:` after a key, then the whitespace before the value; the value's first byte. */
export const colon = (): number => {
  if (ws() !== 58) giveUp()
  pos++
  return ws()
}

/**
 * At an object or array's opening bracket (`open`, else the readers decide): `true` when it is
 * empty (its closing bracket consumed too), `false` at its first member or element.
 */
export const opens = (open: number, close: number): boolean => {
  if (buf[pos] !== open) giveUp()
  pos++
  if (ws() !== close) return false
  pos++
  return true
}

/** After a member or element: `true` at the closing bracket (consumed), `false` after a comma. */
export const next = (close: number): boolean => {
  const c = ws()
  pos++
  if (c === close) return true
  if (c !== 44) giveUp()
  return false
}

/** Any JSON value, as `JSON.parse` returns it (`__proto__` keys as own data properties). */
export const readAny = (): unknown => {
  const c = ws()
  switch (c) {
    case 34:
      return readText()
    case 123: {
      pos++
      const out: Record<string, unknown> = {}
      if (ws() === 125) {
        pos++
        return out
      }
      do {
        if (ws() !== 34) giveUp()
        const key = readKey()
        colon()
        setOwn(out, key, readAny())
      } while (!next(125))
      return out
    }
    case 91: {
      pos++
      const out: Array<unknown> = []
      if (ws() === 93) {
        pos++
        return out
      }
      do out.push(readAny())
      while (!next(93))
      return out
    }
    case 116:
      expectWord("true")
      return true
    case 102:
      expectWord("false")
      return false
    case 110:
      expectWord("null")
      return null
    default:
      return readNumber()
  }
}

/** A string at `pos`, or give up. */
export const readString = (): unknown => (buf[pos] === 34 ? readText() : giveUp())

/** `true` or `false` at `pos`, or give up. */
export const readBoolean = (): unknown => {
  const c = buf[pos]
  if (c === 116) {
    expectWord("true")
    return true
  }
  if (c === 102) {
    expectWord("false")
    return false
  }
  return giveUp()
}

/**
 * Reads a key at `pos` (its opening quote) and finds its entry without making a string: the
 * candidates are those whose name starts with the key's first character and has its length.
 * A key with escapes is read as a string and looked up.
 */
export const keyMatcher = <F>(entries: ReadonlyMap<string, F>): (() => F | undefined) => {
  const byFirst: Array<Array<readonly [string, F]> | undefined> = []
  for (const [name, entry] of entries) {
    const first = name.charCodeAt(0)
    if (first >= 128) continue
    const list = byFirst[first] ?? []
    list.push([name, entry])
    byFirst[first] = list
  }
  return () => {
    const start = pos + 1
    let end = start
    for (;;) {
      const c = buf[end]!
      if (c === 34) break
      if (c === 92 || c >= 128 || !(c >= 32)) return entries.get(readText())
      end++
    }
    pos = end + 1
    const candidates = byFirst[buf[start]!]
    if (candidates === undefined) return undefined
    const length = end - start
    for (let i = 0; i < candidates.length; i++) {
      const [name, entry] = candidates[i]!
      if (name.length === length && (length === 1 || textAt(name, start))) return entry
    }
    return undefined
  }
}

/** The position of the scan (for `textAt` after reading on). */
export const position = (): number => pos

/** Whether this platform can scan (it has a one-byte text decoder). */
export const canScan: boolean = byteText !== undefined

/**
 * Scans `body` with `read` (given `arg` and the value's first byte), the state of a scan in
 * progress kept: `{ value }`, or `undefined` where `read` gives up, the body is blank or a
 * top-level null (the readers' to judge), or bytes follow the value.
 */
export const scanBody = <A>(
  body: Uint8Array,
  read: (arg: A, c: number) => unknown,
  arg: A
): { readonly value: unknown } | undefined => {
  const outerBuf = buf
  const outerSrc = src
  const outerStart = srcStart
  const outerEnd = srcEnd
  const outerPos = pos
  buf = body
  src = ""
  srcStart = 0
  srcEnd = 0
  pos = 0
  try {
    const c = ws()
    if (c === undefined || c === 110) return undefined
    const value = read(arg, c)
    return ws() === undefined ? { value } : undefined
  } catch {
    return undefined
  } finally {
    buf = outerBuf
    src = outerSrc
    srcStart = outerStart
    srcEnd = outerEnd
    pos = outerPos
  }
}
