/**
 * Shape-directed JSON reader, shared by rest-json and json (1.0 / 1.1): the body is parsed once
 * with `JSON.parse`, then each value is converted as its shape says (base64 blobs to bytes,
 * timestamps to `Date`, `"NaN"` to `NaN`, ...). Unknown members are ignored; null members and
 * null map values are left out; unions keep exactly the member present.
 *
 * @since 0.1.0
 */
import { utf8Decode } from "./Bytes.js"
import { memoizeReader } from "./Memo.js"
import { malformedBody, ProtocolError, rethrowAt } from "./Protocol.js"
import { epochSecondsToDate, parseBase64, parseFloatText, parseTimestamp } from "./Scalar.js"
import type { ListShape, MapShape, MemberRef, Shape, StructureShape, TimestampFormat } from "./Shape.js"
import { checkLong, isRecord, mismatch, parseJsonValue, setOwn } from "./Values.js"

/** Converts one parsed JSON value into the SDK's value for a shape. */
export type JsonRead = (value: unknown) => unknown

/** Parses a JSON response body; an empty body is `undefined`. */
export const parseJsonBody = (body: Uint8Array): unknown => {
  if (body.length === 0) return undefined
  const text = utf8Decode(body)
  if (text.trim() === "") return undefined
  try {
    return JSON.parse(text)
  } catch (e) {
    throw malformedBody("JSON", text, e instanceof Error ? e.message : String(e))
  }
}

const readString: JsonRead = (v) => (typeof v === "string" ? v : mismatch("a string", v))
const readBoolean: JsonRead = (v) => (typeof v === "boolean" ? v : mismatch("a boolean", v))
const readBlob: JsonRead = (v) => parseBase64(typeof v === "string" ? v : mismatch("a base64 string", v))
const readJsonValue: JsonRead = (v) => parseJsonValue(readString(v) as string)
const readDocument: JsonRead = (v) => v

const readInteger: JsonRead = (v) =>
  typeof v === "number" && Number.isInteger(v) ? v : mismatch("an integer", v)

const readLong: JsonRead = (v) => checkLong(readInteger(v) as number)

const readFloat: JsonRead = (v) =>
  typeof v === "number" ? v : typeof v === "string" ? parseFloatText(v) : mismatch("a number", v)

const timestampReader =
  (format: TimestampFormat): JsonRead =>
  (v) => {
    if (typeof v === "number") return epochSecondsToDate(v)
    if (typeof v === "string") return parseTimestamp(v, format)
    return mismatch("a timestamp", v)
  }

const readEpochSeconds = timestampReader("unixTimestamp")

/** The reader of a member: member traits (`timestampFormat`, `jsonvalue`) first, else its shape's. */
const memberReader = (ref: MemberRef): JsonRead => {
  if (ref.jsonvalue) return readJsonValue
  if (ref.shape.type === "timestamp" && ref.timestampFormat !== undefined)
    return timestampReader(ref.timestampFormat)
  return jsonReader(ref.shape)
}

interface Field {
  readonly name: string
  readonly read: JsonRead
}

const fieldsByWireName = (shape: StructureShape): ReadonlyMap<string, Field> =>
  new Map(
    Object.entries(shape.members).map(([name, ref]) => [
      ref.locationName ?? name,
      { name, read: memberReader(ref) }
    ])
  )

/**
 * Readers share structure with the parsed JSON where nothing changes: an object or array whose
 * members all read to themselves (strings, numbers, booleans; objects and arrays that in turn
 * share) is returned as it is, instead of copied. The parsed JSON is the decoder's own (fresh from
 * `JSON.parse`) and is never mutated, so sharing is safe; it saves most allocations on deep data
 * such as DynamoDB items (walking a 100-item Query output: 314 -> 247 us). Anything dropped (null
 * members, unknown or renamed members, `__type` in a union) or converted (blobs, timestamps, "NaN")
 * makes the object a copy, as before.
 */

/** A copy of the first `count` own enumerable entries of `value` (those already known to share). */
const copyFirst = (value: Record<string, unknown>, count: number): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (count === 0) return out
  let i = 0
  for (const key in value) {
    setOwn(out, key, value[key])
    if (++i === count) break
  }
  return out
}

const structureReader = (shape: StructureShape): JsonRead => {
  const fields = fieldsByWireName(shape)
  // members read under their own name can be shared; a renamed one (locationName) cannot
  const sameName = new Set([...fields].filter(([wire, f]) => wire === f.name).map(([wire]) => wire))
  return (value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let out: Record<string, unknown> | undefined
    let shared = 0
    let current = ""
    try {
      for (const key in value) {
        const field = fields.get(key)
        const v = value[key]
        if (field === undefined || v === null || v === undefined) {
          out ??= copyFirst(value, shared)
          continue
        }
        current = field.name
        const read = field.read(v)
        if (out === undefined) {
          if (read === v && sameName.has(key)) {
            shared++
            continue
          }
          out = copyFirst(value, shared)
        }
        out[field.name] = read
      }
    } catch (e) {
      rethrowAt(e, current)
    }
    return out ?? value
  }
}

const unionReader = (shape: StructureShape): JsonRead => {
  const fields = fieldsByWireName(shape)
  return (value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let keys = 0
    let found = false
    let unknown: [string, unknown] | undefined
    let name = ""
    let read: unknown
    let same = false
    for (const key in value) {
      keys++
      const v = value[key]
      if (v === null || v === undefined || key === "__type") continue
      if (found) throw new ProtocolError(`a union has more than one member set (${key})`)
      found = true
      const field = fields.get(key)
      if (field === undefined) {
        unknown = [key, v]
        continue
      }
      try {
        read = field.read(v)
      } catch (e) {
        rethrowAt(e, field.name)
      }
      name = field.name
      same = name === key && read === v
    }
    if (!found) return {}
    if (unknown !== undefined) return { $unknown: unknown }
    // shared when the object holds just this member, under its own name, unchanged
    return same && keys === 1 ? value : { [name]: read }
  }
}

const listReader = (shape: ListShape): JsonRead => {
  const read = memberReader(shape.member)
  return (value) => {
    if (!Array.isArray(value)) return mismatch("an array", value)
    let out: Array<unknown> | undefined
    let i = 0
    try {
      for (; i < value.length; i++) {
        const v: unknown = value[i]
        const r = v === null ? null : read(v)
        if (out === undefined) {
          if (r === v) continue
          out = value.slice(0, i)
        }
        out.push(r)
      }
    } catch (e) {
      rethrowAt(e, `[${i}]`)
    }
    return out ?? value
  }
}

const mapReader = (shape: MapShape): JsonRead => {
  const read = memberReader(shape.value)
  return (value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let out: Record<string, unknown> | undefined
    let shared = 0
    let current = ""
    try {
      for (const key in value) {
        const v = value[key]
        if (v === null || v === undefined) {
          out ??= copyFirst(value, shared)
          continue
        }
        current = key
        const r = read(v)
        if (out === undefined) {
          if (r === v) {
            shared++
            continue
          }
          out = copyFirst(value, shared)
        }
        setOwn(out, key, r)
      }
    } catch (e) {
      rethrowAt(e, `[${JSON.stringify(current)}]`)
    }
    return out ?? value
  }
}

const rejectEventStream: JsonRead = () => {
  throw new ProtocolError("event streams are passed through, not decoded from the body")
}

const compile = (shape: Shape): JsonRead => {
  switch (shape.type) {
    case "structure":
      if (shape.document) return readDocument
      if (shape.eventstream) return rejectEventStream
      return shape.union ? unionReader(shape) : structureReader(shape)
    case "list":
      return listReader(shape)
    case "map":
      return mapReader(shape)
    case "string":
      return shape.jsonvalue ? readJsonValue : readString
    case "character":
      return readString
    case "boolean":
      return readBoolean
    case "long":
    case "biginteger":
      return readLong
    case "integer":
    case "short":
    case "byte":
      return readInteger
    case "float":
    case "double":
    case "bigdecimal":
      return readFloat
    case "timestamp":
      return shape.timestampFormat === undefined ? readEpochSeconds : timestampReader(shape.timestampFormat)
    case "blob":
      return readBlob
  }
}

/** The JSON reader of a shape, compiled once and cached. */
export const jsonReader: (shape: Shape) => JsonRead = memoizeReader(compile)

/**
 * The fast path: a shape-driven parser over the body's bytes that builds the output directly,
 * instead of `JSON.parse` building a generic tree and the readers above walking it. On DynamoDB's
 * deep items (many small objects, keys known from the shape) it takes less time than decoding
 * the body to text and `JSON.parse` alone.
 *
 * It handles what it is sure to handle exactly as `JSON.parse` and the readers would; anything
 * else (malformed JSON, a value of the wrong type, a null or a duplicate that would reorder keys,
 * an unknown union member, an event stream, any conversion error) makes it give up, and the body
 * is decoded again by `JSON.parse` and the readers, which return the value or the exact error.
 * Results are equal either way; only the time differs.
 *
 * It scans the bytes, not the decoded text: everything JSON's grammar looks at is ASCII, and a
 * UTF-8 decoder never takes an ASCII byte into a character (a broken sequence ends before it, as
 * U+FFFD), so a string's bytes decode alone to what they are in the whole text. The body's
 * one-byte text (byte `i` is character `i`: `latin1Slice` in Node, else windows-1252, the same on
 * ASCII), made a window at a time, is what keys and words are compared with and short strings
 * cut from; a string with non-ASCII bytes is decoded from them as UTF-8.
 *
 * Output strings never point into the body: V8 makes a substring of 13 or more characters a
 * "sliced string" that keeps its whole parent alive, so a kept value (one attribute of a Query
 * page) would keep the page's one-byte text. Strings of ASCII are therefore copied from their
 * bytes (`asciiSlice` in Node, ~30 ns more per string than a slice), or where there is no such
 * copy, flattened into a string of their own; shorter ones are sliced, which copies them.
 */

/** Thrown where the fast path gives up; never seen outside this module. */
const bail: unique symbol = Symbol("bail")
const giveUp = (): never => {
  throw bail
}

type ByteText = (bytes: Uint8Array, from: number, to: number) => string
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
const byteText: ByteText | undefined = byteTextDecoder()

/** Substrings this long are slices of their parent in V8 (shorter ones are copies). */
const SLICED = 13

type Copy = (from: number, to: number) => string
const asciiCopy = (): Copy => {
  const copy = (
    globalThis as {
      Buffer?: { prototype: { asciiSlice?: (this: Uint8Array, start: number, end: number) => string } }
    }
  ).Buffer?.prototype.asciiSlice
  if (typeof copy === "function") return (from, to) => copy.call(buf, from, to)
  // a decoder's string is one of its own (the fast path runs only where there is a decoder)
  return (from, to) => byteText!(buf, from, to)
}
/** A string of its own with the characters of ASCII bytes `from` to `to` (at least `SLICED`). */
const copyAscii: Copy = asciiCopy()

/**
 * The body being parsed and the position in it. A decode runs synchronously from start to end.
 * Reading past the end gives `undefined`, which no test below accepts.
 */
let buf: Uint8Array = new Uint8Array(0)
let pos = 0

/**
 * The one-byte text of a window of the body, bytes `srcStart` to `srcEnd`, made as the parse
 * reaches them rather than for the whole body at once: a string over 128 KiB is a large object in
 * V8, on pages of its own (a 136 KB body's text took ~100 µs so, ~8 µs in windows of 16 KiB).
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
const textAt = (text: string, at: number): boolean => {
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
  if (to - from >= SLICED) return copyAscii(from, to)
  const at = windowAt(from, to)
  return src.slice(at, at + to - from)
}

/** Skips JSON whitespace; the byte at the new position. */
const ws = (): number => {
  let c = buf[pos]!
  while (c === 32 || c === 10 || c === 13 || c === 9) c = buf[++pos]!
  return c
}

/** A string at `pos` (its opening quote). A string of ASCII without escapes is copied at once. */
const readText = (): string => {
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
 * Map keys repeat (a page of DynamoDB items has the same attribute names in every item): keys are
 * kept in a small table, by length and first and last character, and a key equal to the one in
 * its slot is that string again, not a new one (nor a new copy, for 13 characters or more). ASCII
 * keys up to 40 characters; each is a string of its own (see `ascii`), so a cached key never
 * holds on to a body.
 */
const keyCache: Array<string | undefined> = new Array(512).fill(undefined)

/** A map key at `pos` (its opening quote). */
const readKey = (): string => {
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
const expectWord = (word: string): void => {
  if (!textAt(word, pos)) giveUp()
  pos += word.length
}

/** Whether the value at `pos` (its first byte `c`) is `null`; consumes it if so. */
const readNull = (c: number): boolean => {
  if (c !== 110) return false
  expectWord("null")
  return true
}

/** `:` after a key, then the whitespace before the value; the value's first byte. */
const colon = (): number => {
  if (ws() !== 58) giveUp()
  pos++
  return ws()
}

/**
 * At an object or array's opening bracket (`open`, else the readers decide): `true` when it is
 * empty (its closing bracket consumed too), `false` at its first member or element.
 */
const opens = (open: number, close: number): boolean => {
  if (buf[pos] !== open) giveUp()
  pos++
  if (ws() !== close) return false
  pos++
  return true
}

/** After a member or element: `true` at the closing bracket (consumed), `false` after a comma. */
const next = (close: number): boolean => {
  const c = ws()
  pos++
  if (c === close) return true
  if (c !== 44) giveUp()
  return false
}

/** Any JSON value, as `JSON.parse` returns it (`__proto__` keys as own data properties). */
const readAny = (): unknown => {
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

/** Reads the value at `pos` (whitespace skipped, not `null`) as its shape says. */
type FastRead = () => unknown

/**
 * The fast reader of a shape or member. Readers call their members' through the cell (made before
 * the reader is compiled, so recursive shapes find it), and read plain strings inline: most
 * values are strings, and a call through a shared call site is not inlined.
 */
interface Cell {
  read: FastRead
  readonly text: boolean
}

/** A scalar: the value as `JSON.parse` gives it, through the scalar's reader. */
const scalarFast =
  (read: JsonRead): FastRead =>
  () =>
    read(readAny())

const stringFast: FastRead = () => (buf[pos] === 34 ? readText() : giveUp())

const booleanFast: FastRead = () => {
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

/** Reads the value at `pos` (its first code unit `c`) through a cell. */
const readCell = (cell: Cell, c: number): unknown =>
  cell.text ? (c === 34 ? readText() : giveUp()) : cell.read()

const memberFast = (ref: MemberRef): Cell => {
  if (ref.jsonvalue) return { read: scalarFast(readJsonValue), text: false }
  if (ref.shape.type === "timestamp" && ref.timestampFormat !== undefined)
    return { read: scalarFast(timestampReader(ref.timestampFormat)), text: false }
  return fastCell(ref.shape)
}

interface FastField {
  readonly name: string
  readonly cell: Cell
}

/** Names the fast path leaves to the readers: where a plain object's key order or prototype differ. */
const unusualName = (name: string): boolean => name === "__proto__" || /^(0|[1-9][0-9]*)$/.test(name)

const fastFields = (shape: StructureShape): Map<string, FastField> | undefined => {
  const fields = new Map<string, FastField>()
  for (const [name, ref] of Object.entries(shape.members)) {
    const wire = ref.locationName ?? name
    if (unusualName(name) || unusualName(wire)) return undefined
    fields.set(wire, { name, cell: memberFast(ref) })
  }
  return fields
}

/**
 * Reads a key at `pos` (its opening quote) and finds its field without making a string: the
 * candidates are those whose wire name starts with the key's first character and has its length.
 * A key with escapes is read as a string and looked up.
 */
const fieldMatcher = (fields: Map<string, FastField>): (() => FastField | undefined) => {
  const byFirst: Array<Array<readonly [string, FastField]> | undefined> = []
  for (const [wire, field] of fields) {
    const first = wire.charCodeAt(0)
    if (first >= 128) continue
    const list = byFirst[first] ?? []
    list.push([wire, field])
    byFirst[first] = list
  }
  return () => {
    const start = pos + 1
    let end = start
    for (;;) {
      const c = buf[end]!
      if (c === 34) break
      if (c === 92 || c >= 128 || !(c >= 32)) return fields.get(readText())
      end++
    }
    pos = end + 1
    const candidates = byFirst[buf[start]!]
    if (candidates === undefined) return undefined
    const length = end - start
    for (let i = 0; i < candidates.length; i++) {
      const [wire, field] = candidates[i]!
      if (wire.length === length && (length === 1 || textAt(wire, start))) return field
    }
    return undefined
  }
}

const structureFast = (shape: StructureShape): FastRead => {
  const fields = fastFields(shape)
  if (fields === undefined) return giveUp
  const readField = fieldMatcher(fields)
  return () => {
    const out: Record<string, unknown> = {}
    if (opens(123, 125)) return out
    // a member seen as null, then set (or set, then null): JSON.parse keeps the first position
    let nulls: Array<string> | undefined
    do {
      if (ws() !== 34) giveUp()
      const field = readField()
      const c = colon()
      if (field === undefined) readAny()
      else if (readNull(c)) {
        if (out[field.name] !== undefined) giveUp()
        nulls = nulls === undefined ? [field.name] : [...nulls, field.name]
      } else {
        if (nulls?.includes(field.name)) giveUp()
        out[field.name] = readCell(field.cell, c)
      }
    } while (!next(125))
    return out
  }
}

const unionFast = (shape: StructureShape): FastRead => {
  const fields = fastFields(shape)
  // the readers skip `__type` before looking for a member of that name
  if (fields === undefined || fields.has("__type")) return giveUp
  const readField = fieldMatcher(fields)
  return () => {
    if (opens(123, 125)) return {}
    let field: FastField | undefined
    let value: unknown
    do {
      if (ws() !== 34) giveUp()
      const keyStart = pos
      const f = readField()
      const c = colon()
      if (readNull(c)) {
        // the member set, then null: JSON.parse keeps the null
        if (f !== undefined && f === field) giveUp()
        continue
      }
      if (f === undefined) {
        if (textAt('"__type"', keyStart)) {
          readAny()
          continue
        }
        // an unknown member (or __type written with escapes): the readers decide
        giveUp()
      }
      // a second member, or a duplicate key: the readers decide
      if (field !== undefined) giveUp()
      field = f
      value = readCell(f!.cell, c)
    } while (!next(125))
    return field === undefined ? {} : { [field.name]: value }
  }
}

const listFast = (shape: ListShape): FastRead => {
  const cell = memberFast(shape.member)
  return () => {
    const out: Array<unknown> = []
    if (opens(91, 93)) return out
    do {
      const c = ws()
      out.push(readNull(c) ? null : readCell(cell, c))
    } while (!next(93))
    return out
  }
}

const mapFast = (shape: MapShape): FastRead => {
  const cell = memberFast(shape.value)
  return () => {
    const out: Record<string, unknown> = {}
    if (opens(123, 125)) return out
    let nulls: Array<string> | undefined
    do {
      if (ws() !== 34) giveUp()
      const key = readKey()
      const c = colon()
      if (readNull(c)) {
        if (Object.hasOwn(out, key)) giveUp()
        nulls = nulls === undefined ? [key] : [...nulls, key]
      } else {
        if (nulls?.includes(key)) giveUp()
        setOwn(out, key, readCell(cell, c))
      }
    } while (!next(125))
    return out
  }
}

const compileFast = (shape: Shape): FastRead => {
  switch (shape.type) {
    case "structure":
      if (shape.document) return readAny
      if (shape.eventstream) return giveUp
      return shape.union ? unionFast(shape) : structureFast(shape)
    case "list":
      return listFast(shape)
    case "map":
      return mapFast(shape)
    case "string":
      return shape.jsonvalue ? scalarFast(readJsonValue) : stringFast
    case "character":
      return stringFast
    case "boolean":
      return booleanFast
    default:
      return scalarFast(compile(shape))
  }
}

const cells = new WeakMap<Shape, Cell>()

/** The fast reader of a shape, compiled once and cached (its cell exists before it compiles). */
const fastCell = (shape: Shape): Cell => {
  let cell = cells.get(shape)
  if (cell === undefined) {
    const text = (shape.type === "string" && !shape.jsonvalue) || shape.type === "character"
    cell = { read: giveUp, text }
    cells.set(shape, cell)
    cell.read = compileFast(shape)
  }
  return cell
}

/**
 * The fast path alone: `{ value }` where it decodes the (non-empty) body itself, `undefined`
 * where it gives up. `readJsonBody` is the one to call; this is exported for its tests.
 */
export const readJsonBodyFast = (shape: Shape, body: Uint8Array): { readonly value: unknown } | undefined => {
  if (byteText === undefined) return undefined
  const cell = fastCell(shape)
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
    // a blank body and a top-level null are the readers' to judge
    if (c === undefined || c === 110) return undefined
    const value = readCell(cell, c)
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

/**
 * Decodes a JSON response body as `shape` says: `undefined` for an empty body, else what
 * `jsonReader(shape)(parseJsonBody(body))` returns (or throws), by the fast path where it can.
 */
export const readJsonBody = (shape: Shape, body: Uint8Array): unknown => {
  if (body.length === 0) return undefined
  const fast = readJsonBodyFast(shape, body)
  if (fast !== undefined) return fast.value
  const parsed = parseJsonBody(body)
  return parsed === undefined ? undefined : jsonReader(shape)(parsed)
}
