/**
 * Shape-directed JSON reader over a parsed tree, shared by rest-json and json (1.0 / 1.1): the body
 * is parsed once with `JSON.parse`, then each value is converted as its shape says (base64 blobs to
 * bytes, timestamps to `Date`, `"NaN"` to `NaN`, ...). Unknown members are ignored; null members
 * and null map values are left out; unions keep exactly the member present. `JsonDecoder` tries
 * the fast path (`JsonFastPath`) first and falls back to this reader.
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
/** A `jsonvalue` string: JSON text inside a string, parsed. */
export const readJsonValue: JsonRead = (v) => parseJsonValue(readString(v) as string)
const readDocument: JsonRead = (v) => v

const readInteger: JsonRead = (v) =>
  typeof v === "number" && Number.isInteger(v) ? v : mismatch("an integer", v)

const readLong: JsonRead = (v) => checkLong(readInteger(v) as number)

const readFloat: JsonRead = (v) =>
  typeof v === "number" ? v : typeof v === "string" ? parseFloatText(v) : mismatch("a number", v)

/** The reader of a timestamp in `format` (a number is always epoch seconds). */
export const timestampReader =
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
 * such as DynamoDB items. Anything dropped (null
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
