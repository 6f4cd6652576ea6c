/**
 * Between the suites' JSON and the SDK's values: suite params become SDK inputs (epoch-second
 * numbers become `Date`s for timestamp members, `"NaN"` / `"Infinity"` strings become numbers for
 * float members; blobs stay strings, which the codecs accept as UTF-8), and SDK outputs become
 * comparable JSON (a `Date` becomes epoch seconds, bytes a UTF-8 string, non-finite numbers the
 * suites' strings).
 */
import type { Shape } from "../../../src/Protocols/Shape.js"

const FLOAT_WORDS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** Converts suite params into SDK input values, directed by the input shape. */
export const toInput = (shape: Shape, value: unknown): unknown => {
  if (value === null || value === undefined) return value
  switch (shape.type) {
    case "structure": {
      if (shape.document || !isObject(value)) return value
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        const ref = shape.members[k]
        out[k] = ref === undefined ? v : toInput(ref.shape, v)
      }
      return out
    }
    case "list":
      return Array.isArray(value) ? value.map((v) => toInput(shape.member.shape, v)) : value
    case "map":
      return isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toInput(shape.value.shape, v)]))
        : value
    case "timestamp":
      return typeof value === "number" ? new Date(value * 1000) : value
    case "float":
    case "double":
      return typeof value === "string" && value in FLOAT_WORDS ? FLOAT_WORDS[value] : value
    default:
      return value
  }
}

const decoder = new TextDecoder()

/** Converts an SDK output value into the suites' JSON form. */
export const toComparable = (value: unknown): unknown => {
  if (value instanceof Date) return value.getTime() / 1000
  if (value instanceof Uint8Array) return decoder.decode(value)
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity"
  }
  if (Array.isArray(value)) return value.map(toComparable)
  if (isObject(value)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) {
      Object.defineProperty(out, k, {
        value: toComparable(value[k]),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return value
}
