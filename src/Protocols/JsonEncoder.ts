/**
 * Shape-directed JSON writer, shared by rest-json and json (1.0 / 1.1). It writes the JSON text
 * directly (no intermediate object and no `JSON.stringify` of the whole input), which also lets a
 * `bigint` long be written exactly.
 *
 * JSON bodies: timestamps default to epoch seconds, blobs are base64 strings, `NaN` and the
 * infinities are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, members use `locationName`
 * when set, null or undefined structure members are left out, documents are written as given.
 *
 * @since 0.1.0
 */
import { base64Encode } from "./Bytes.js"
import { memoizeCompiler } from "./Memo.js"
import { ProtocolError, rethrowAt } from "./Protocol.js"
import { formatTimestamp } from "./Scalar.js"
import type { ListShape, MapShape, MemberRef, Shape, StructureShape, TimestampFormat } from "./Shape.js"
import * as Timestamp from "./Timestamp.js"
import {
  floatText,
  integerText,
  isRecord,
  jsonValueText,
  mismatch,
  toBoolean,
  toBytes,
  toDate,
  toText
} from "./Values.js"

/** Writes one value as JSON text. */
export type JsonWrite = (value: unknown) => string

const quote = (s: string): string => JSON.stringify(s)

const writeString: JsonWrite = (v) => quote(toText(v))
const writeBoolean: JsonWrite = (v) => (toBoolean(v) ? "true" : "false")
const writeBlob: JsonWrite = (v) => quote(base64Encode(toBytes(v)))
const writeJsonValue: JsonWrite = (v) => quote(jsonValueText(v))

const writeFloat: JsonWrite = (v) => {
  const text = floatText(v)
  return typeof v === "number" && Number.isFinite(v) ? text : quote(text)
}

const writeDocument: JsonWrite = (v) => {
  try {
    const text = JSON.stringify(v)
    if (text !== undefined) return text
  } catch (e) {
    throw new ProtocolError(`cannot encode the document: ${e instanceof Error ? e.message : String(e)}`)
  }
  return mismatch("a JSON value", v)
}

const timestampWriter =
  (format: TimestampFormat): JsonWrite =>
  (v) =>
    format === "unixTimestamp"
      ? String(Timestamp.toEpochNumber(toDate(v)))
      : quote(formatTimestamp(v, format))

const writeEpochSeconds = timestampWriter("unixTimestamp")

const rejectEventStream: JsonWrite = () => {
  throw new ProtocolError("event stream input is not supported yet")
}

/** The writer of a member: member traits (`timestampFormat`, `jsonvalue`) first, else its shape's. */
const memberWriter = (ref: MemberRef): JsonWrite => {
  if (ref.jsonvalue) return writeJsonValue
  if (ref.shape.type === "timestamp" && ref.timestampFormat !== undefined)
    return timestampWriter(ref.timestampFormat)
  return jsonWriter(ref.shape)
}

const structureWriter = (shape: StructureShape): JsonWrite => {
  const fields = Object.entries(shape.members).map(([name, ref]) => ({
    name,
    key: `${quote(ref.locationName ?? name)}:`,
    write: memberWriter(ref)
  }))
  return (value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let out = "{"
    let current = ""
    try {
      for (const field of fields) {
        const v = value[field.name]
        if (v === undefined || v === null) continue
        current = field.name
        out += (out.length === 1 ? "" : ",") + field.key + field.write(v)
      }
    } catch (e) {
      rethrowAt(e, current)
    }
    return `${out}}`
  }
}

const listWriter = (shape: ListShape): JsonWrite => {
  const write = memberWriter(shape.member)
  return (value) => {
    if (!Array.isArray(value)) return mismatch("an array", value)
    let out = "["
    let i = 0
    try {
      for (; i < value.length; i++) {
        const v: unknown = value[i]
        out += (i === 0 ? "" : ",") + (v === undefined || v === null ? "null" : write(v))
      }
    } catch (e) {
      rethrowAt(e, `[${i}]`)
    }
    return `${out}]`
  }
}

const mapWriter = (shape: MapShape): JsonWrite => {
  const write = memberWriter(shape.value)
  return (value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let out = "{"
    let current = ""
    try {
      for (const key of Object.keys(value)) {
        const v = value[key]
        current = key
        out += `${out.length === 1 ? "" : ","}${quote(key)}:${v === undefined || v === null ? "null" : write(v)}`
      }
    } catch (e) {
      rethrowAt(e, `[${quote(current)}]`)
    }
    return `${out}}`
  }
}

const compile = (shape: Shape): JsonWrite => {
  switch (shape.type) {
    case "structure":
      return shape.document ? writeDocument : shape.eventstream ? rejectEventStream : structureWriter(shape)
    case "list":
      return listWriter(shape)
    case "map":
      return mapWriter(shape)
    case "string":
      return shape.jsonvalue ? writeJsonValue : writeString
    case "character":
      return writeString
    case "boolean":
      return writeBoolean
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
      return integerText
    case "float":
    case "double":
    case "bigdecimal":
      return writeFloat
    case "timestamp":
      return shape.timestampFormat === undefined ? writeEpochSeconds : timestampWriter(shape.timestampFormat)
    case "blob":
      return writeBlob
  }
}

/** The JSON writer of a shape, compiled once and cached. */
export const jsonWriter: (shape: Shape) => JsonWrite = memoizeCompiler(compile)
