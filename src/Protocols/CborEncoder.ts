/**
 * Shape-directed CBOR writer (Smithy RPC v2 CBOR): structures and unions are maps keyed by member
 * name (no `locationName`: the protocol ignores JSON names), null or undefined members left out;
 * lists are arrays and maps are maps (a null entry written as CBOR null); blobs are byte strings;
 * timestamps are tag 1 with epoch seconds as a double; `float` members are single precision where
 * the value is exactly one (else double), `double` and `bigdecimal` are doubles; integers take
 * the shortest head (a `bigint` is written exactly); documents are written as plain values.
 *
 * @since 0.1.0
 */
import { CborWriter, writeCborValue } from "./Cbor.js"
import { memoizeCompiler } from "./Memo.js"
import { ProtocolError, rethrowAt } from "./Protocol.js"
import type { ListShape, MapShape, Shape, StructureShape } from "./Shape.js"
import { isRecord, mismatch, toBoolean, toBytes, toDate, toText } from "./Values.js"

/** Writes one value. */
export type CborWrite = (w: CborWriter, value: unknown) => void

const writeString: CborWrite = (w, v) => w.text(toText(v))
const writeBoolean: CborWrite = (w, v) => w.boolean(toBoolean(v))
const writeBlob: CborWrite = (w, v) => w.bytes(toBytes(v))

const writeInteger: CborWrite = (w, v) => {
  if (typeof v === "bigint") w.integer(v)
  else if (typeof v === "number" && Number.isSafeInteger(v)) w.integer(v)
  else mismatch("an integer", v)
}

const writeFloat32: CborWrite = (w, v) => w.float32(typeof v === "number" ? v : mismatch("a number", v))
const writeFloat64: CborWrite = (w, v) => w.float64(typeof v === "number" ? v : mismatch("a number", v))

const writeTimestamp: CborWrite = (w, v) => {
  w.tag(1)
  w.float64(toDate(v).getTime() / 1000)
}

const writeDocument: CborWrite = writeCborValue

const rejectEventStream: CborWrite = () => {
  throw new ProtocolError("an event stream is sent as event-stream messages, not in the body")
}

const structureWriter = (shape: StructureShape): CborWrite => {
  const fields = Object.entries(shape.members).map(([name, ref]) => ({ name, write: cborWriter(ref.shape) }))
  return (w, value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let count = 0
    for (const field of fields) {
      const v = value[field.name]
      if (v !== undefined && v !== null) count++
    }
    w.mapHead(count)
    let current = ""
    try {
      for (const field of fields) {
        const v = value[field.name]
        if (v === undefined || v === null) continue
        current = field.name
        w.text(field.name)
        field.write(w, v)
      }
    } catch (e) {
      rethrowAt(e, current)
    }
  }
}

const listWriter = (shape: ListShape): CborWrite => {
  const write = cborWriter(shape.member.shape)
  return (w, value) => {
    if (!Array.isArray(value)) return mismatch("an array", value)
    w.arrayHead(value.length)
    let i = 0
    try {
      for (; i < value.length; i++) {
        const v: unknown = value[i]
        if (v === undefined || v === null) w.null()
        else write(w, v)
      }
    } catch (e) {
      rethrowAt(e, `[${i}]`)
    }
  }
}

const mapWriter = (shape: MapShape): CborWrite => {
  const write = cborWriter(shape.value.shape)
  return (w, value) => {
    if (!isRecord(value)) return mismatch("an object", value)
    const keys = Object.keys(value)
    w.mapHead(keys.length)
    let current = ""
    try {
      for (const key of keys) {
        current = key
        const v = value[key]
        w.text(key)
        if (v === undefined || v === null) w.null()
        else write(w, v)
      }
    } catch (e) {
      rethrowAt(e, `[${JSON.stringify(current)}]`)
    }
  }
}

const compile = (shape: Shape): CborWrite => {
  switch (shape.type) {
    case "structure":
      return shape.document ? writeDocument : shape.eventstream ? rejectEventStream : structureWriter(shape)
    case "list":
      return listWriter(shape)
    case "map":
      return mapWriter(shape)
    case "string":
    case "character":
      return writeString
    case "boolean":
      return writeBoolean
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
      return writeInteger
    case "float":
      return writeFloat32
    case "double":
    case "bigdecimal":
      return writeFloat64
    case "timestamp":
      return writeTimestamp
    case "blob":
      return writeBlob
  }
}

/** The CBOR writer of a shape, compiled once and cached. */
export const cborWriter: (shape: Shape) => CborWrite = memoizeCompiler(compile)

/** The CBOR bytes of `value` as `shape` says. */
export const encodeShape = (shape: Shape, value: unknown): Uint8Array => {
  const w = new CborWriter()
  cborWriter(shape)(w, value)
  return w.finish()
}
