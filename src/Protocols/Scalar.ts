/**
 * The text form of scalar values, both ways, as XML bodies, query strings, form bodies, URI labels
 * and headers write them. Each location has its own default timestamp format; a `timestampFormat`
 * on the member or its shape overrides it.
 *
 * The functions here compile once per member (they look at the shape and traits up front and
 * return a small closure), so the per-value work is only the conversion itself.
 *
 * @since 0.1.0
 */
import { base64Decode, base64Encode } from "./Bytes.js"
import { ProtocolError } from "./Protocol.js"
import { type MemberRef, type TimestampFormat, traitOf } from "./Shape.js"
import * as Timestamp from "./Timestamp.js"
import {
  checkLong,
  floatText,
  integerText,
  jsonValueText,
  parseJsonValue,
  toBoolean,
  toBytes,
  toDate,
  toText
} from "./Values.js"

/** Turns an input value into its text form. */
export type ToText = (value: unknown) => string

/** Turns text from the wire into an output value. */
export type FromText = (text: string) => unknown

/** The timestamp format of a member: its own, else its shape's, else the location's default. */
export const timestampFormatOf = (ref: MemberRef, fallback: TimestampFormat): TimestampFormat =>
  traitOf(ref, "timestampFormat") ?? fallback

const booleanText: ToText = (v) => (toBoolean(v) ? "true" : "false")

/** Compiles the text encoder of a scalar member. */
export const toTextOf = (ref: MemberRef, defaultTimestamp: TimestampFormat): ToText => {
  const shape = ref.shape
  switch (shape.type) {
    case "string":
      // a `jsonvalue` member is its JSON text in query strings, form and XML bodies
      return traitOf(ref, "jsonvalue") === true ? jsonValueText : toText
    case "character":
      return toText
    case "boolean":
      return booleanText
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
      return integerText
    case "float":
    case "double":
    case "bigdecimal":
      return floatText
    case "timestamp": {
      const format = timestampFormatOf(ref, defaultTimestamp)
      return (v) => formatTimestamp(v, format)
    }
    case "blob":
      return (v) => base64Encode(toBytes(v))
    default:
      return () => {
        throw new ProtocolError(`a ${shape.type} cannot be written as text`)
      }
  }
}

const INTEGER_RE = /^[+-]?\d+$/

const parseInteger = (text: string): number => {
  const t = text.trim()
  if (!INTEGER_RE.test(t)) throw new ProtocolError(`not an integer: ${JSON.stringify(text)}`)
  return Number(t)
}

const parseLong = (text: string): number => checkLong(parseInteger(text), text.trim())

/** Parses a float, including `NaN`, `Infinity` and `-Infinity`. */
export const parseFloatText = (text: string): number => {
  const t = text.trim()
  switch (t) {
    case "NaN":
      return Number.NaN
    case "Infinity":
      return Number.POSITIVE_INFINITY
    case "-Infinity":
      return Number.NEGATIVE_INFINITY
  }
  const n = t === "" ? Number.NaN : Number(t)
  if (Number.isNaN(n)) throw new ProtocolError(`not a number: ${JSON.stringify(text)}`)
  return n
}

const parseBoolean = (text: string): boolean => {
  const t = text.trim()
  if (t === "true") return true
  if (t === "false") return false
  throw new ProtocolError(`not a boolean: ${JSON.stringify(text)}`)
}

/** Decodes base64 text into bytes. */
export const parseBase64 = (text: string): Uint8Array => {
  const bytes = base64Decode(text.trim())
  // not quoted: blobs are where key material and plaintexts travel
  if (bytes === undefined) throw new ProtocolError(`not base64 (${text.length} characters)`)
  return bytes
}

/** Runs a timestamp conversion, reporting a `TimestampError` as a `ProtocolError`. */
const timestampGuard = <A>(convert: () => A): A => {
  try {
    return convert()
  } catch (e) {
    throw e instanceof Timestamp.TimestampError ? new ProtocolError(e.message) : e
  }
}

/** Formats a timestamp input (`Date` or epoch seconds) in a wire format. */
export const formatTimestamp = (value: unknown, format: TimestampFormat): string =>
  timestampGuard(() => Timestamp.format(toDate(value), format))

/** Parses a timestamp in `format` (the others accepted too), as a `ProtocolError` when invalid. */
export const parseTimestamp = (text: string, format: TimestampFormat): Date =>
  timestampGuard(() => Timestamp.parse(text, format))

/** A `Date` from a number of epoch seconds, as a `ProtocolError` when it is not one. */
export const epochSecondsToDate = (seconds: number): Date =>
  timestampGuard(() => Timestamp.fromEpochNumber(seconds))

const identity: FromText = (text) => text

/** Compiles the text decoder of a scalar member. */
export const fromTextOf = (ref: MemberRef, defaultTimestamp: TimestampFormat): FromText => {
  const shape = ref.shape
  switch (shape.type) {
    case "string":
      return traitOf(ref, "jsonvalue") === true ? parseJsonValue : identity
    case "character":
      return identity
    case "boolean":
      return parseBoolean
    case "long":
    case "biginteger":
      return parseLong
    case "integer":
    case "short":
    case "byte":
      return parseInteger
    case "float":
    case "double":
    case "bigdecimal":
      return parseFloatText
    case "timestamp": {
      const format = timestampFormatOf(ref, defaultTimestamp)
      return (text) => parseTimestamp(text, format)
    }
    case "blob":
      return parseBase64
    default:
      return () => {
        throw new ProtocolError(`a ${shape.type} cannot be read from text`)
      }
  }
}
