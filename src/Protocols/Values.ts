/**
 * The value conventions every codec shares: how the SDK's public values look (plain objects,
 * arrays, `Date`, `Uint8Array`, `number`, `bigint` for long inputs) and the checks at the edges
 * between them and the wire.
 *
 * @since 0.1.0
 */
import { utf8Encode } from "./Bytes.js"
import { ProtocolError } from "./Protocol.js"
import { fromEpochNumber } from "./Timestamp.js"

/** A plain object (structure, map or document object), not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Sets an own enumerable property. A key such as `__proto__` becomes an ordinary property instead
 * of replacing the object's prototype, so map keys from a response can never pollute anything.
 */
export const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}

/** A short description of a value's type, for error messages. */
const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "an array"
      : value instanceof Date
        ? "a Date"
        : typeof value

/** Throws the error codecs report for a value of the wrong type. */
export const mismatch = (expected: string, value: unknown): never => {
  throw new ProtocolError(`expected ${expected}, got ${describe(value)}`)
}

/** A timestamp input: a `Date`, or a number of epoch seconds. */
export const toDate = (value: unknown): Date => {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ProtocolError("invalid Date")
    return value
  }
  if (typeof value === "number" && Number.isFinite(value)) return fromEpochNumber(value)
  return mismatch("a Date or a number of epoch seconds", value)
}

/** A blob input: bytes, or a string sent as UTF-8. */
export const toBytes = (value: unknown): Uint8Array => {
  if (value instanceof Uint8Array) return value
  if (typeof value === "string") return utf8Encode(value)
  return mismatch("a Uint8Array or a string", value)
}

/** A string input (strings and enums). */
export const toText = (value: unknown): string =>
  typeof value === "string" ? value : mismatch("a string", value)

/** A boolean input. */
export const toBoolean = (value: unknown): boolean =>
  typeof value === "boolean" ? value : mismatch("a boolean", value)

/** The decimal digits of an integer input (`bigint` accepted, for exact 64-bit values). */
export const integerText = (value: unknown): string => {
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "number" && Number.isInteger(value)) return String(value)
  return mismatch("an integer", value)
}

/** A float input as text: `NaN`, `Infinity` and `-Infinity` spelled out as AWS expects. */
export const floatText = (value: unknown): string => {
  if (typeof value !== "number") return mismatch("a number", value)
  return Number.isFinite(value)
    ? String(value)
    : Number.isNaN(value)
      ? "NaN"
      : value > 0
        ? "Infinity"
        : "-Infinity"
}

/**
 * A long from a response. Beyond 2^53 a JavaScript number cannot hold it exactly, and a silently
 * rounded id or size is worse than an error.
 */
export const checkLong = (value: number, raw?: string): number => {
  if (!Number.isSafeInteger(value)) {
    throw new ProtocolError(
      `the long ${raw ?? String(value)} cannot be represented exactly as a JavaScript number`
    )
  }
  return value
}

/** A `jsonvalue` member's JSON text: a string is taken as JSON text already, anything else is encoded. */
export const jsonValueText = (value: unknown): string => {
  if (typeof value === "string") return value
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (e) {
    throw new ProtocolError(`cannot encode a JSON value: ${e instanceof Error ? e.message : String(e)}`)
  }
  return text === undefined ? mismatch("a JSON value", value) : text
}

/** Parses a `jsonvalue` member's JSON text. */
export const parseJsonValue = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    throw new ProtocolError(`not a JSON value: ${JSON.stringify(text.slice(0, 64))}`)
  }
}
