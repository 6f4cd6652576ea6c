/**
 * The rules engine's function library: the Smithy standard functions (`isSet`, `not`,
 * `booleanEquals`, `stringEquals`, `getAttr`, `parseURL`, `substring`, `uriEncode`,
 * `isValidHostLabel`, and the newer `coalesce`, `ite`, `split`) and the AWS ones (`aws.partition`,
 * `aws.parseArn`, `aws.isVirtualHostableS3Bucket`).
 *
 * Every function takes already-evaluated arguments and returns `undefined` for "not set"; none
 * throws on bad input.
 *
 * @since 0.1.0
 */
import { parseArn } from "./Arn.js"
import type { PartitionTable } from "./Partitions.js"
import type { Value } from "./RuleSet.js"
import { isIpv4, parseUrl } from "./Url.js"

/** A function of the rules language. */
export type EndpointFunction = (...args: ReadonlyArray<Value>) => Value

const hostLabel = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/**
 * RFC 1123 host label: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen.
 * With `allowSubDomains`, a dot-separated sequence of such labels.
 */
export const isValidHostLabel = (value: string, allowSubDomains = false): boolean => {
  if (!allowSubDomains) return hostLabel.test(value)
  for (const label of value.split(".")) if (!hostLabel.test(label)) return false
  return true
}

/**
 * Whether an S3 bucket name can be the first label(s) of a virtual-hosted-style host: 3 to 63
 * characters, lower case, valid host label(s) (dots only with `allowSubDomains`), not an IPv4
 * address.
 */
export const isVirtualHostableS3Bucket = (value: string, allowSubDomains = false): boolean =>
  value.length >= 3 &&
  value.length <= 63 &&
  value === value.toLowerCase() &&
  isValidHostLabel(value, allowSubDomains) &&
  !isIpv4(value)

/**
 * The ASCII substring `[start, stop)`, counted from the end when `reverse`; `undefined` when the
 * input has non-ASCII characters or the range does not fit.
 */
export const substring = (
  input: string,
  start: number,
  stop: number,
  reverse: boolean
): string | undefined => {
  if (start >= stop || input.length < stop || !isAscii(input)) return undefined
  return reverse ? input.slice(input.length - stop, input.length - start) : input.slice(start, stop)
}

const reserved = /[!'()*]/g
const hex = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/** RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~` (UTF-8 bytes for the rest). */
export const uriEncode = (value: string): string | undefined => {
  try {
    return encodeURIComponent(value).replace(reserved, hex)
  } catch {
    return undefined // a lone surrogate
  }
}

/**
 * Splits on a delimiter into at most `limit` parts (the last keeping the remainder); `limit` 0
 * means no limit.
 */
export const split = (value: string, delimiter: string, limit: number): ReadonlyArray<string> => {
  const parts = value.split(delimiter)
  if (limit <= 0 || parts.length <= limit) return parts
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(delimiter)]
}

/** One step of a `getAttr` path: a record key or an array index. */
export type AttrStep = string | number

/**
 * Parses a `getAttr` path: `name`, `resourceId[2]`, `a.b[0]`, `[1]`, `[-1]` (negative indexes count
 * from the end, as newer rule sets use them). Throws on a malformed path (a
 * rule set error, found when compiling).
 */
export const parseAttrPath = (path: string): ReadonlyArray<AttrStep> => {
  const steps: Array<AttrStep> = []
  for (const part of path.split(".")) {
    const bracket = part.indexOf("[")
    if (bracket === -1) {
      if (part === "") throw new Error(`invalid getAttr path '${path}'`)
      steps.push(part)
      continue
    }
    const m = /^([^[\]]*)\[(-?\d+)\]$/.exec(part)
    if (m === null) throw new Error(`invalid getAttr path '${path}'`)
    if (m[1] !== "") steps.push(m[1]!)
    steps.push(Number(m[2]))
  }
  return steps
}

/** Follows a parsed `getAttr` path; `undefined` when a step does not exist. */
export const getAttrSteps = (value: Value, steps: ReadonlyArray<AttrStep>): Value => {
  let current = value
  for (const step of steps) {
    if (current === undefined || current === null || typeof current !== "object") return undefined
    if (typeof step === "number") {
      if (!Array.isArray(current)) return undefined
      const items = current as ReadonlyArray<Value>
      current = items[step < 0 ? items.length + step : step]
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, step)) return undefined
      current = (current as { readonly [key: string]: Value })[step]
    }
  }
  return current
}

const str = (v: Value): v is string => typeof v === "string"

/**
 * Remembers the last string argument and its result: rule sets call `parseURL(Endpoint)` or
 * `aws.parseArn(Bucket)` again in each branch, with the same value within one resolution and,
 * typically, across resolutions of one client. The memo lives in the table (one per compiled
 * resolver), never in module state.
 */
const lastOf = (f: (v: string) => Value): ((v: string) => Value) => {
  let input: string | undefined
  let output: Value
  return (v) => {
    if (v !== input) {
      output = f(v)
      input = v
    }
    return output
  }
}
const bool = (v: Value): boolean => v === true

/**
 * The function table for a partition table: the standard and AWS functions by their rule set names.
 * The rules engine specialises the common calls itself; this table serves the rest.
 */
export const makeFunctions = (partitions: PartitionTable): Readonly<Record<string, EndpointFunction>> => {
  const url = lastOf((v) => {
    const u = parseUrl(v)
    return u === undefined ? undefined : (Object.freeze(u) as unknown as Value)
  })
  const arn = lastOf((v) => {
    const a = parseArn(v)
    return a === undefined
      ? undefined
      : (Object.freeze({ ...a, resourceId: Object.freeze(a.resourceId) }) as Value)
  })
  const bucket = lastOf((v) => isVirtualHostableS3Bucket(v, false))
  const bucketWithDots = lastOf((v) => isVirtualHostableS3Bucket(v, true))
  return {
    isSet: (v) => v !== undefined && v !== null,
    not: (v) => v !== true,
    booleanEquals: (a, b) => typeof a === "boolean" && a === b,
    stringEquals: (a, b) => str(a) && a === b,
    getAttr: (v, path) => (str(path) ? getAttrSteps(v, parseAttrPath(path)) : undefined),
    parseURL: (v) => (str(v) ? url(v) : undefined),
    substring: (v, start, stop, reverse) =>
      str(v) && typeof start === "number" && typeof stop === "number"
        ? substring(v, start, stop, bool(reverse))
        : undefined,
    uriEncode: (v) => (str(v) ? uriEncode(v) : undefined),
    isValidHostLabel: (v, sub) => str(v) && isValidHostLabel(v, bool(sub)),
    coalesce: (...args) => {
      for (const a of args) if (a !== undefined && a !== null) return a
      return undefined
    },
    ite: (c, t, f) => (c === true ? t : f),
    split: (v, d, limit) =>
      str(v) && str(d) && d !== "" ? split(v, d, typeof limit === "number" ? limit : 0) : undefined,
    "aws.partition": (v) => (str(v) ? (partitions.outputsFor(v) as unknown as Value) : undefined),
    "aws.parseArn": (v) => (str(v) ? arn(v) : undefined),
    "aws.isVirtualHostableS3Bucket": (v, sub) => str(v) && (bool(sub) ? bucketWithDots(v) : bucket(v))
  }
}
