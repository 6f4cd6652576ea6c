/**
 * The JSON fast path: a shape-driven parser over the body's bytes (`JsonScanner`) that builds the
 * output directly, instead of `JSON.parse` building a generic tree and the readers (`JsonReader`)
 * walking it. On DynamoDB's deep items (many small objects, keys known from the shape) it takes
 * less time than decoding the body to text and `JSON.parse` alone.
 *
 * It handles what it is sure to handle exactly as `JSON.parse` and the readers would; anything
 * else (malformed JSON, a value of the wrong type, a null or a duplicate that would reorder keys,
 * an unknown union member, an event stream, any conversion error) makes it give up, and the body
 * is decoded again by `JSON.parse` and the readers, which return the value or the exact error.
 * Results are equal either way; only the time differs.
 *
 * @since 0.1.0
 */
import { type JsonRead, jsonReader, readJsonValue, timestampReader } from "./JsonReader.js"
import {
  canScan,
  colon,
  giveUp,
  keyMatcher,
  next,
  opens,
  position,
  readAny,
  readBoolean,
  readKey,
  readNull,
  readString,
  readText,
  scanBody,
  textAt,
  ws
} from "./JsonScanner.js"
import type { ListShape, MapShape, MemberRef, Shape, StructureShape } from "./Shape.js"
import { setOwn } from "./Values.js"

/** Reads the value at `pos` (whitespace skipped, not `null`) as its shape says. */
type FastRead = () => unknown

/**
 * The fast reader of a shape or member. Readers call their members' through the cell (made before
 * the reader is compiled, so recursive shapes find it), and read plain strings inline: most
 * values are strings, and a call through a shared call site is not inlined.
 */
interface Cell {
  read: FastRead
  readonly text: boolean
}

/** A scalar: the value as `JSON.parse` gives it, through the scalar's reader. */
const scalarFast =
  (read: JsonRead): FastRead =>
  () =>
    read(readAny())

/** Reads the value at `pos` (its first code unit `c`) through a cell. */
const readCell = (cell: Cell, c: number): unknown =>
  cell.text ? (c === 34 ? readText() : giveUp()) : cell.read()

const memberFast = (ref: MemberRef): Cell => {
  if (ref.jsonvalue) return { read: scalarFast(readJsonValue), text: false }
  if (ref.shape.type === "timestamp" && ref.timestampFormat !== undefined)
    return { read: scalarFast(timestampReader(ref.timestampFormat)), text: false }
  return fastCell(ref.shape)
}

interface FastField {
  readonly name: string
  readonly cell: Cell
}

/** Names the fast path leaves to the readers: where a plain object's key order or prototype differ. */
const unusualName = (name: string): boolean => name === "__proto__" || /^(0|[1-9][0-9]*)$/.test(name)

const fastFields = (shape: StructureShape): Map<string, FastField> | undefined => {
  const fields = new Map<string, FastField>()
  for (const [name, ref] of Object.entries(shape.members)) {
    const wire = ref.locationName ?? name
    if (unusualName(name) || unusualName(wire)) return undefined
    fields.set(wire, { name, cell: memberFast(ref) })
  }
  return fields
}

const structureFast = (shape: StructureShape): FastRead => {
  const fields = fastFields(shape)
  if (fields === undefined) return giveUp
  const readField = keyMatcher(fields)
  return () => {
    const out: Record<string, unknown> = {}
    if (opens(123, 125)) return out
    // a member seen as null, then set (or set, then null): JSON.parse keeps the first position
    let nulls: Array<string> | undefined
    do {
      if (ws() !== 34) giveUp()
      const field = readField()
      const c = colon()
      if (field === undefined) readAny()
      else if (readNull(c)) {
        if (out[field.name] !== undefined) giveUp()
        nulls = nulls === undefined ? [field.name] : [...nulls, field.name]
      } else {
        if (nulls?.includes(field.name)) giveUp()
        out[field.name] = readCell(field.cell, c)
      }
    } while (!next(125))
    return out
  }
}

const unionFast = (shape: StructureShape): FastRead => {
  const fields = fastFields(shape)
  // the readers skip `__type` before looking for a member of that name
  if (fields === undefined || fields.has("__type")) return giveUp
  const readField = keyMatcher(fields)
  return () => {
    if (opens(123, 125)) return {}
    let field: FastField | undefined
    let value: unknown
    do {
      if (ws() !== 34) giveUp()
      const keyStart = position()
      const f = readField()
      const c = colon()
      if (readNull(c)) {
        // the member set, then null: JSON.parse keeps the null
        if (f !== undefined && f === field) giveUp()
        continue
      }
      if (f === undefined) {
        if (textAt('"__type"', keyStart)) {
          readAny()
          continue
        }
        // an unknown member (or __type written with escapes): the readers decide
        giveUp()
      }
      // a second member, or a duplicate key: the readers decide
      if (field !== undefined) giveUp()
      field = f
      value = readCell(f!.cell, c)
    } while (!next(125))
    return field === undefined ? {} : { [field.name]: value }
  }
}

const listFast = (shape: ListShape): FastRead => {
  const cell = memberFast(shape.member)
  return () => {
    const out: Array<unknown> = []
    if (opens(91, 93)) return out
    do {
      const c = ws()
      out.push(readNull(c) ? null : readCell(cell, c))
    } while (!next(93))
    return out
  }
}

const mapFast = (shape: MapShape): FastRead => {
  const cell = memberFast(shape.value)
  return () => {
    const out: Record<string, unknown> = {}
    if (opens(123, 125)) return out
    let nulls: Array<string> | undefined
    do {
      if (ws() !== 34) giveUp()
      const key = readKey()
      const c = colon()
      if (readNull(c)) {
        if (Object.hasOwn(out, key)) giveUp()
        nulls = nulls === undefined ? [key] : [...nulls, key]
      } else {
        if (nulls?.includes(key)) giveUp()
        setOwn(out, key, readCell(cell, c))
      }
    } while (!next(125))
    return out
  }
}

const compileFast = (shape: Shape): FastRead => {
  switch (shape.type) {
    case "structure":
      if (shape.document) return readAny
      if (shape.eventstream) return giveUp
      return shape.union ? unionFast(shape) : structureFast(shape)
    case "list":
      return listFast(shape)
    case "map":
      return mapFast(shape)
    case "string":
      return shape.jsonvalue ? scalarFast(readJsonValue) : readString
    case "character":
      return readString
    case "boolean":
      return readBoolean
    default:
      return scalarFast(jsonReader(shape))
  }
}

const cells = new WeakMap<Shape, Cell>()

/** The fast reader of a shape, compiled once and cached (its cell exists before it compiles). */
const fastCell = (shape: Shape): Cell => {
  let cell = cells.get(shape)
  if (cell === undefined) {
    const text = (shape.type === "string" && !shape.jsonvalue) || shape.type === "character"
    cell = { read: giveUp, text }
    cells.set(shape, cell)
    cell.read = compileFast(shape)
  }
  return cell
}

/**
 * The fast path alone: `{ value }` where it decodes the (non-empty) body itself, `undefined`
 * where it gives up. `readJsonBody` is the one to call; this is exported for its tests.
 */
export const readJsonBodyFast = (shape: Shape, body: Uint8Array): { readonly value: unknown } | undefined =>
  canScan ? scanBody(body, readCell, fastCell(shape)) : undefined
