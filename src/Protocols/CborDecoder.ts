/**
 * Shape-directed CBOR reader (Smithy RPC v2 CBOR): the body is decoded once by `decodeCbor`, then
 * each value is converted as its shape says. Members are read by name; unknown members are
 * ignored; null members and null map values are left out (null list entries kept); a union keeps
 * exactly the member present (an unknown one as `$unknown`). Numbers are taken in any CBOR form
 * the value fits (a double member from a half float, a long from a one-byte integer), as the
 * protocol asks of clients. A `long` beyond 2^53 is an error (a JavaScript number cannot hold it,
 * as with JSON); a `biginteger` beyond it is a `bigint`.
 *
 * @since 0.1.0
 */
import { type CborLimits, decodeCbor } from "./Cbor.js"
import { memoizeReader } from "./Memo.js"
import { ProtocolError, rethrowAt } from "./Protocol.js"
import { epochSecondsToDate } from "./Scalar.js"
import type { ListShape, MapShape, Shape, StructureShape } from "./Shape.js"
import { checkLong, isRecord, mismatch, setOwn } from "./Values.js"

/** Converts one decoded CBOR value into the SDK's value for a shape. */
export type CborRead = (value: unknown) => unknown

const readString: CborRead = (v) => (typeof v === "string" ? v : mismatch("a string", v))
const readBoolean: CborRead = (v) => (typeof v === "boolean" ? v : mismatch("a boolean", v))
const readBlob: CborRead = (v) => (v instanceof Uint8Array ? v : mismatch("a byte string", v))
const readDocument: CborRead = (v) => v

const readInteger: CborRead = (v) =>
  typeof v === "number" && Number.isInteger(v) ? v : mismatch("an integer", v)

const readLong: CborRead = (v) =>
  typeof v === "bigint" ? checkLong(Number(v), String(v)) : checkLong(readInteger(v) as number)

const readBigInteger: CborRead = (v) => (typeof v === "bigint" ? v : readInteger(v))

const readFloat: CborRead = (v) =>
  typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : mismatch("a number", v)

const readTimestamp: CborRead = (v) => {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new ProtocolError("a timestamp out of range")
    return v
  }
  if (typeof v === "number") return epochSecondsToDate(v)
  return mismatch("a timestamp", v)
}

const structureReader = (shape: StructureShape): CborRead => {
  const fields = new Map(Object.entries(shape.members).map(([name, ref]) => [name, cborReader(ref.shape)]))
  return (value) => {
    if (!isRecord(value)) return mismatch("a map", value)
    const out: Record<string, unknown> = {}
    let current = ""
    try {
      for (const key in value) {
        const read = fields.get(key)
        const v = value[key]
        if (read === undefined || v === null || v === undefined) continue
        current = key
        out[key] = read(v)
      }
    } catch (e) {
      rethrowAt(e, current)
    }
    return out
  }
}

const unionReader = (shape: StructureShape): CborRead => {
  const fields = new Map(Object.entries(shape.members).map(([name, ref]) => [name, cborReader(ref.shape)]))
  return (value) => {
    if (!isRecord(value)) return mismatch("a map", value)
    let out: Record<string, unknown> | undefined
    for (const key in value) {
      const v = value[key]
      if (v === null || v === undefined || key === "__type") continue
      if (out !== undefined) throw new ProtocolError(`a union has more than one member set (${key})`)
      const read = fields.get(key)
      if (read === undefined) {
        out = { $unknown: [key, v] }
        continue
      }
      try {
        out = { [key]: read(v) }
      } catch (e) {
        rethrowAt(e, key)
      }
    }
    return out ?? {}
  }
}

const listReader = (shape: ListShape): CborRead => {
  const read = cborReader(shape.member.shape)
  return (value) => {
    if (!Array.isArray(value)) return mismatch("an array", value)
    const out = new Array<unknown>(value.length)
    let i = 0
    try {
      for (; i < value.length; i++) {
        const v: unknown = value[i]
        out[i] = v === null || v === undefined ? null : read(v)
      }
    } catch (e) {
      rethrowAt(e, `[${i}]`)
    }
    return out
  }
}

const mapReader = (shape: MapShape): CborRead => {
  const read = cborReader(shape.value.shape)
  return (value) => {
    if (!isRecord(value)) return mismatch("a map", value)
    const out: Record<string, unknown> = {}
    let current = ""
    try {
      for (const key in value) {
        const v = value[key]
        if (v === null || v === undefined) continue
        current = key
        setOwn(out, key, read(v))
      }
    } catch (e) {
      rethrowAt(e, `[${JSON.stringify(current)}]`)
    }
    return out
  }
}

const rejectEventStream: CborRead = () => {
  throw new ProtocolError("event streams are passed through, not decoded from the body")
}

const compile = (shape: Shape): CborRead => {
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
    case "character":
      return readString
    case "boolean":
      return readBoolean
    case "long":
      return readLong
    case "biginteger":
      return readBigInteger
    case "integer":
    case "short":
    case "byte":
      return readInteger
    case "float":
    case "double":
    case "bigdecimal":
      return readFloat
    case "timestamp":
      return readTimestamp
    case "blob":
      return readBlob
  }
}

/** The CBOR reader of a shape, compiled once and cached. */
export const cborReader: (shape: Shape) => CborRead = memoizeReader(compile)

/** Decodes a CBOR body as `shape` says: `undefined` for an empty body. */
export const readCborBody = (shape: Shape, body: Uint8Array, limits?: CborLimits): unknown =>
  body.length === 0 ? undefined : cborReader(shape)(decodeCbor(body, limits))
