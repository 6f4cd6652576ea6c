/**
 * Writes CBOR (RFC 8949) into one growing buffer (`CborWriter`): the shortest head for every length
 * and integer, definite lengths, and floats as the caller asks (single precision where it is exact,
 * or double). `encodeCbor` writes a plain JavaScript value (documents, tests). Reached through
 * `Cbor.ts`, which re-exports it.
 *
 * @since 0.1.0
 */
import { ProtocolError } from "./Protocol.js"

/** How deep `encodeCbor` follows values (a cyclic object ends here), as deep as `decodeCbor` reads by default. */
const MAX_DEPTH = 128

const textEncoder = new TextEncoder()

/** Writes CBOR into one growing buffer. */
export class CborWriter {
  private buf = new Uint8Array(256)
  private view = new DataView(this.buf.buffer)
  private pos = 0

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** A head: major type and argument, in the shortest form. */
  head(major: number, n: number): void {
    const m = major << 5
    this.ensure(9)
    if (n < 24) this.buf[this.pos++] = m | n
    else if (n < 0x100) {
      this.buf[this.pos++] = m | 24
      this.buf[this.pos++] = n
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25
      this.view.setUint16(this.pos, n)
      this.pos += 2
    } else if (n < 0x100000000) {
      this.buf[this.pos++] = m | 26
      this.view.setUint32(this.pos, n)
      this.pos += 4
    } else {
      this.buf[this.pos++] = m | 27
      this.view.setUint32(this.pos, Math.floor(n / 0x100000000))
      this.view.setUint32(this.pos + 4, n >>> 0)
      this.pos += 8
    }
  }

  /** An integer (a safe integer number, or a bigint within 64 bits). */
  integer(n: number | bigint): void {
    if (typeof n === "bigint") {
      const neg = n < 0n
      const u = neg ? -1n - n : n
      if (u >= 2n ** 64n) throw new ProtocolError(`the integer ${n} does not fit in 64 bits`)
      if (u < BigInt(Number.MAX_SAFE_INTEGER)) {
        this.head(neg ? 1 : 0, Number(u))
        return
      }
      this.ensure(9)
      this.buf[this.pos++] = ((neg ? 1 : 0) << 5) | 27
      this.view.setBigUint64(this.pos, u)
      this.pos += 8
      return
    }
    if (n >= 0) this.head(0, n)
    else this.head(1, -1 - n)
  }

  bytes(b: Uint8Array): void {
    this.head(2, b.length)
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  text(s: string): void {
    const n = s.length
    if (n < 64) {
      let ascii = true
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false
          break
        }
      }
      if (ascii) {
        this.head(3, n)
        this.ensure(n)
        for (let i = 0; i < n; i++) this.buf[this.pos++] = s.charCodeAt(i)
        return
      }
    }
    this.bytesOf(3, textEncoder.encode(s))
  }

  private bytesOf(major: number, b: Uint8Array): void {
    this.head(major, b.length)
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  arrayHead(n: number): void {
    this.head(4, n)
  }

  mapHead(n: number): void {
    this.head(5, n)
  }

  tag(n: number): void {
    this.head(6, n)
  }

  boolean(b: boolean): void {
    this.ensure(1)
    this.buf[this.pos++] = b ? 0xf5 : 0xf4
  }

  null(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xf6
  }

  /** A double-precision float. */
  float64(x: number): void {
    this.ensure(9)
    this.buf[this.pos++] = 0xfb
    this.view.setFloat64(this.pos, x)
    this.pos += 8
  }

  /** A single-precision float where `x` is one exactly (NaN and the infinities too), else a double. */
  float32(x: number): void {
    if (Math.fround(x) !== x && !Number.isNaN(x)) {
      this.float64(x)
      return
    }
    this.ensure(5)
    this.buf[this.pos++] = 0xfa
    this.view.setFloat32(this.pos, x)
    this.pos += 4
  }

  /** The bytes written (a view of the buffer; the writer is done). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos)
  }
}

const writeValue = (w: CborWriter, value: unknown, depth: number): void => {
  if (depth > MAX_DEPTH) throw new ProtocolError(`cannot encode a value nested deeper than ${MAX_DEPTH}`)
  if (typeof value === "string") w.text(value)
  else if (typeof value === "boolean") w.boolean(value)
  else if (typeof value === "bigint") w.integer(value)
  else if (typeof value === "number") {
    if (Number.isSafeInteger(value)) w.integer(value)
    else w.float64(value)
  } else if (value === null || value === undefined) w.null()
  else if (value instanceof Uint8Array) w.bytes(value)
  else if (value instanceof Date) {
    w.tag(1)
    w.float64(value.getTime() / 1000)
  } else if (Array.isArray(value)) {
    w.arrayHead(value.length)
    for (const v of value) writeValue(w, v, depth + 1)
  } else if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    w.mapHead(entries.length)
    for (const [k, v] of entries) {
      w.text(k)
      writeValue(w, v, depth + 1)
    }
  } else throw new ProtocolError(`cannot encode a ${typeof value} as CBOR`)
}

/** Writes a plain JavaScript value, as `encodeCbor` does. */
export const writeCborValue = (w: CborWriter, value: unknown): void => writeValue(w, value, 0)

/**
 * Encodes a plain JavaScript value: strings, booleans, safe integers and bigints as integers, other
 * numbers as doubles, `null`, `Uint8Array`s as byte strings, `Date`s as tag 1 epoch seconds,
 * arrays, and objects as maps (undefined members left out).
 */
export const encodeCbor = (value: unknown): Uint8Array => {
  const w = new CborWriter()
  writeValue(w, value, 0)
  return w.finish()
}
