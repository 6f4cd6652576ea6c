/**
 * CBOR (RFC 8949), the part Smithy RPC v2 uses: unsigned and negative integers, byte and text
 * strings, arrays, maps with text keys, tags, `false` / `true` / `null` / `undefined` and floats.
 *
 * Decoding (`decodeCbor`) takes definite and indefinite lengths, half, single and double floats,
 * tag 1 (epoch seconds) as a `Date`, tags 2 / 3 (bignums) as `bigint`, tag 4 (decimal fractions)
 * as a number; other tags give their content. Integers beyond 2^53 come as `bigint`, so nothing is
 * rounded here: the shape readers decide what a value may be. Nothing is trusted: every declared
 * length is checked against the bytes that remain before anything is allocated for it, nesting is
 * bounded, and whatever is wrong is a `ProtocolError` that says what and at which byte.
 *
 * Encoding (`CborWriter`, `encodeCbor`) is in `CborWriter.ts`, re-exported here.
 *
 * @since 0.1.0
 */
import { asciiText } from "./Ascii.js"
import { ProtocolError } from "./Protocol.js"
import { setOwn } from "./Values.js"

export { CborWriter, encodeCbor, writeCborValue } from "./CborWriter.js"

/** The limits a decoding is held to. */
export interface CborLimits {
  /** The deepest nesting of arrays, maps and tags (default 128). */
  readonly maxDepth?: number
}

const DEFAULT_MAX_DEPTH = 128

const malformed = (what: string, at: number): never => {
  throw new ProtocolError(`malformed CBOR: ${what} (at byte ${at})`)
}

/** A simple value the decoder does not know (other than false, true, null, undefined). */
export class CborSimple {
  constructor(readonly value: number) {}
}

const BREAK: unique symbol = Symbol("break")

const textDecoder = new TextDecoder("utf-8", { fatal: true })

class Reader {
  pos = 0
  readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  need(n: number, what: string): void {
    if (n > this.bytes.length - this.pos)
      malformed(`${what} of ${n} bytes runs past the end (${this.bytes.length - this.pos} left)`, this.pos)
  }

  /** The argument of a head with additional information `info` (not 31); a number or bigint. */
  argument(info: number, start: number): number | bigint {
    if (info < 24) return info
    const view = this.view
    switch (info) {
      case 24:
        this.need(1, "an argument")
        return this.bytes[this.pos++]!
      case 25: {
        this.need(2, "an argument")
        const v = view.getUint16(this.pos)
        this.pos += 2
        return v
      }
      case 26: {
        this.need(4, "an argument")
        const v = view.getUint32(this.pos)
        this.pos += 4
        return v
      }
      case 27: {
        this.need(8, "an argument")
        const hi = view.getUint32(this.pos)
        const lo = view.getUint32(this.pos + 4)
        this.pos += 8
        return hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo)
      }
      default:
        return malformed(`reserved additional information ${info}`, start)
    }
  }

  /**
   * A length argument, checked before anything is allocated for it: `n` items of at least `min`
   * bytes each must fit in the bytes that remain.
   */
  length(info: number, start: number, min: number, what: string): number {
    const n = this.argument(info, start)
    const left = this.bytes.length - this.pos
    if (typeof n === "bigint" || n * min > left)
      malformed(`${what} of declared length ${n} does not fit in the ${left} bytes left`, start)
    return n as number
  }

  item(depth: number): unknown {
    const start = this.pos
    if (this.pos >= this.bytes.length) malformed("the data ends where an item was expected", start)
    const head = this.bytes[this.pos++]!
    const major = head >> 5
    const info = head & 31
    switch (major) {
      case 0:
        if (info === 31) malformed("an indefinite-length integer", start)
        return this.argument(info, start)
      case 1: {
        if (info === 31) malformed("an indefinite-length integer", start)
        const n = this.argument(info, start)
        return typeof n === "bigint" ? -1n - n : n < 0x1fffffffffffff ? -1 - n : -1n - BigInt(n)
      }
      case 2:
        return info === 31
          ? this.chunked(2, start)
          : this.byteString(this.length(info, start, 1, "a byte string"))
      case 3:
        return info === 31
          ? this.chunked(3, start)
          : this.text(this.length(info, start, 1, "a text string"), start)
      case 4:
        return this.array(info, start, depth)
      case 5:
        return this.map(info, start, depth)
      case 6:
        return this.tag(info, start, depth)
      default:
        return this.simple(info, start)
    }
  }

  byteString(n: number): Uint8Array {
    // a plain copy even from a Buffer (whose slice is a view, and a Buffer)
    const out = new Uint8Array(this.bytes.subarray(this.pos, this.pos + n))
    this.pos += n
    return out
  }

  text(n: number, start: number): string {
    const bytes = this.bytes
    const from = this.pos
    const to = from + n
    this.pos = to
    if (n <= 64) {
      for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return this.utf8(from, to, start)
      return asciiText(bytes, from, to)
    }
    return this.utf8(from, to, start)
  }

  utf8(from: number, to: number, start: number): string {
    try {
      return textDecoder.decode(this.bytes.subarray(from, to))
    } catch {
      return malformed("a text string is not valid UTF-8", start)
    }
  }

  /** An indefinite-length string: definite chunks of the same major type, then a break. */
  chunked(major: 2 | 3, start: number): Uint8Array | string {
    const parts: Array<Uint8Array> = []
    let size = 0
    for (;;) {
      this.need(1, "an indefinite-length string")
      const head = this.bytes[this.pos]!
      if (head === 0xff) {
        this.pos++
        break
      }
      const at = this.pos++
      if (head >> 5 !== major || (head & 31) === 31)
        malformed("a chunk of an indefinite-length string is not a definite string of its type", at)
      const n = this.length(head & 31, at, 1, major === 2 ? "a byte string" : "a text string")
      parts.push(this.bytes.subarray(this.pos, this.pos + n))
      this.pos += n
      size += n
    }
    const out = new Uint8Array(size)
    let o = 0
    for (const p of parts) {
      out.set(p, o)
      o += p.length
    }
    if (major === 2) return out
    try {
      return textDecoder.decode(out)
    } catch {
      return malformed("a text string is not valid UTF-8", start)
    }
  }

  deeper(depth: number, start: number): number {
    if (depth >= this.maxDepth) malformed(`nesting deeper than ${this.maxDepth}`, start)
    return depth + 1
  }

  array(info: number, start: number, depth: number): Array<unknown> {
    const d = this.deeper(depth, start)
    if (info === 31) {
      const out: Array<unknown> = []
      for (;;) {
        const v = this.itemOrBreak(d)
        if (v === BREAK) return out
        out.push(v)
      }
    }
    const n = this.length(info, start, 1, "an array")
    const out = new Array<unknown>(n)
    for (let i = 0; i < n; i++) out[i] = this.item(d)
    return out
  }

  key(): string {
    const at = this.pos
    const head = this.bytes[at]
    if (head === undefined || head >> 5 !== 3) return malformed("a map key is not a text string", at)
    const n = head & 31
    // a short definite key: from the cache of keys seen, without building the string again
    if (n < 24 && n > 0 && at + 1 + n <= this.bytes.length) {
      const key = cachedKey(this.bytes, at + 1, n)
      if (key !== undefined) {
        this.pos = at + 1 + n
        return key
      }
    }
    return this.item(0) as string
  }

  map(info: number, start: number, depth: number): Record<string, unknown> {
    const d = this.deeper(depth, start)
    const out: Record<string, unknown> = {}
    if (info === 31) {
      for (;;) {
        this.need(1, "an indefinite-length map")
        if (this.bytes[this.pos] === 0xff) {
          this.pos++
          return out
        }
        const key = this.key()
        setOwn(out, key, this.item(d))
      }
    }
    const n = this.length(info, start, 2, "a map")
    for (let i = 0; i < n; i++) {
      const key = this.key()
      setOwn(out, key, this.item(d))
    }
    return out
  }

  tag(info: number, start: number, depth: number): unknown {
    if (info === 31) malformed("an indefinite-length tag", start)
    const tag = this.argument(info, start)
    const value = this.item(this.deeper(depth, start))
    switch (tag) {
      case 1:
        if (typeof value === "number") return new Date(Math.round(value * 1000))
        if (typeof value === "bigint") return malformed("an epoch time beyond any date", start)
        return malformed("tag 1 (epoch time) holds no number", start)
      case 2:
      case 3: {
        if (!(value instanceof Uint8Array))
          return malformed(`tag ${tag} (bignum) holds no byte string`, start)
        let n = 0n
        for (const b of value) n = (n << 8n) | BigInt(b)
        return tag === 2 ? n : -1n - n
      }
      case 4: {
        if (!Array.isArray(value) || value.length !== 2)
          return malformed("tag 4 (decimal) is not a pair", start)
        const [e, m] = value as [unknown, unknown]
        if (typeof e !== "number" || (typeof m !== "number" && typeof m !== "bigint"))
          return malformed("tag 4 (decimal) holds no exponent and mantissa", start)
        return Number(`${m}e${e}`)
      }
      default:
        return value
    }
  }

  itemOrBreak(depth: number): unknown {
    if (this.pos < this.bytes.length && this.bytes[this.pos] === 0xff) {
      this.pos++
      return BREAK
    }
    return this.item(depth)
  }

  simple(info: number, start: number): unknown {
    const view = this.view
    switch (info) {
      case 20:
        return false
      case 21:
        return true
      case 22:
        return null
      case 23:
        return undefined
      case 24: {
        this.need(1, "a simple value")
        const v = this.bytes[this.pos++]!
        if (v < 32) malformed(`simple value ${v} in two bytes`, start)
        return new CborSimple(v)
      }
      case 25: {
        this.need(2, "a half-precision float")
        const v = halfToNumber(view.getUint16(this.pos))
        this.pos += 2
        return v
      }
      case 26: {
        this.need(4, "a single-precision float")
        const v = view.getFloat32(this.pos)
        this.pos += 4
        return v
      }
      case 27: {
        this.need(8, "a double-precision float")
        const v = view.getFloat64(this.pos)
        this.pos += 8
        return v
      }
      case 31:
        return malformed("a break outside an indefinite-length item", start)
      default:
        if (info < 20) return new CborSimple(info)
        return malformed(`reserved additional information ${info}`, start)
    }
  }
}

/**
 * Map keys repeat (every item of a list has the same member names), so short ASCII keys are
 * looked up in a small cache by a hash of their bytes, and the string made only on a miss.
 */
const KEY_SLOTS = 512
const keyCache: Array<string | undefined> = new Array(KEY_SLOTS)

const cachedKey = (bytes: Uint8Array, from: number, n: number): string | undefined => {
  let h = n
  for (let i = from; i < from + n; i++) {
    const b = bytes[i]!
    if (b >= 0x80) return undefined
    h = (Math.imul(h, 31) + b) | 0
  }
  const slot = (h >>> 0) & (KEY_SLOTS - 1)
  const hit = keyCache[slot]
  if (hit !== undefined && hit.length === n) {
    let same = true
    for (let i = 0; i < n; i++) {
      if (hit.charCodeAt(i) !== bytes[from + i]) {
        same = false
        break
      }
    }
    if (same) return hit
  }
  const key = asciiText(bytes, from, from + n)
  keyCache[slot] = key
  return key
}

/** IEEE 754 half precision to a number. */
const halfToNumber = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const mant = h & 0x3ff
  if (exp === 0) return sign * mant * 2 ** -24
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * (1 + mant / 1024) * 2 ** (exp - 15)
}

/**
 * Decodes one CBOR data item that fills `bytes` exactly. Maps become plain objects (text keys
 * only), byte strings `Uint8Array`s (copies, so a kept blob does not keep the whole body alive).
 */
export const decodeCbor = (bytes: Uint8Array, limits?: CborLimits): unknown => {
  const reader = new Reader(bytes, limits?.maxDepth ?? DEFAULT_MAX_DEPTH)
  const value = reader.item(0)
  if (reader.pos !== bytes.length)
    malformed(`${bytes.length - reader.pos} bytes after the data item`, reader.pos)
  return value
}
