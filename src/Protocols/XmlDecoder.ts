/**
 * Shape-directed XML reader, shared by rest-xml, query and ec2: it walks the element tree of
 * `parseXml` as the shape says. Each structure maps child element names to members once, when it
 * is compiled; elements are matched by local name (`s3:Key` is `Key`). Unknown elements are
 * ignored. Timestamps default to date-time, blobs are base64.
 *
 * Naming mirrors the writer: `locationName` or the member name; list items `member` (or the list
 * member's `locationName`); map entries `entry` with `key` / `value`; flattened lists and maps
 * repeat the member's element. For a flattened list the item's `locationName`, when set, names the
 * repeated element (as query services send it).
 *
 * @since 0.1.0
 */
import { utf8Decode } from "./Bytes.js"
import { memoizeCompiler } from "./Memo.js"
import { malformedBody, ProtocolError, rethrowAt } from "./Protocol.js"
import { fromTextOf } from "./Scalar.js"
import {
  type ListShape,
  type MapShape,
  type MemberRef,
  type Shape,
  type StructureShape,
  traitOf
} from "./Shape.js"
import { setOwn } from "./Values.js"
import { localName, parseXml, type XmlElement, XmlParseError } from "./Xml.js"

/** Converts one element into the SDK's value for a shape; `undefined` means "absent". */
export type XmlRead = (element: XmlElement) => unknown

/** Parses an XML response body into its root element; an empty body is `undefined`. */
export const parseXmlBody = (body: Uint8Array): XmlElement | undefined => {
  if (body.length === 0) return undefined
  const text = utf8Decode(body)
  if (text.trim() === "") return undefined
  try {
    return parseXml(text)
  } catch (e) {
    if (e instanceof XmlParseError) throw malformedBody("XML", text, e.message)
    throw e
  }
}

/** The first child element with this local name. */
export const childNamed = (element: XmlElement, name: string): XmlElement | undefined => {
  for (const child of element.children) if (localName(child.name) === name) return child
  return undefined
}

const scalarReader = (ref: MemberRef): XmlRead => {
  const fromText = fromTextOf(ref, "iso8601")
  const type = ref.shape.type
  // an empty element is an empty string or blob, but no number, boolean or timestamp
  const emptyIsAbsent = type !== "string" && type !== "character" && type !== "blob"
  return (el) => (emptyIsAbsent && el.text.trim() === "" ? undefined : fromText(el.text))
}

const refReader = (ref: MemberRef): XmlRead =>
  (ref.shape.type === "timestamp" && ref.timestampFormat !== undefined) || ref.jsonvalue === true
    ? scalarReader(ref)
    : xmlReader(ref.shape)

type EntryRead = (entry: XmlElement, out: Record<string, unknown>) => void

/** Reads one map entry's key and value children into `out`. */
const entryReader = (shape: MapShape): EntryRead => {
  const keyTag = shape.key.locationName ?? "key"
  const valueTag = shape.value.locationName ?? "value"
  const readValue = refReader(shape.value)
  return (entry, out) => {
    const key = childNamed(entry, keyTag)
    const value = childNamed(entry, valueTag)
    if (key === undefined || value === undefined) return
    let v: unknown
    try {
      v = readValue(value)
    } catch (e) {
      rethrowAt(e, `[${JSON.stringify(key.text)}]`)
    }
    if (v !== undefined) setOwn(out, key.text, v)
  }
}

/** Adds what one child element holds to the structure being read. */
type Collect = (child: XmlElement, out: Record<string, unknown>) => void

interface Field {
  readonly name: string
  readonly collect: Collect
}

const elementField = (name: string, read: XmlRead): Field => ({
  name,
  collect: (child, out) => {
    const v = read(child)
    if (v !== undefined) out[name] = v
  }
})

/** Each repeated element is one item. */
const flatListField = (name: string, read: XmlRead): Field => ({
  name,
  collect: (child, out) => {
    const v = read(child)
    if (v === undefined) return
    const list = out[name]
    if (Array.isArray(list)) list.push(v)
    else out[name] = [v]
  }
})

/** Each repeated element is one entry. */
const flatMapField = (name: string, readEntry: EntryRead): Field => ({
  name,
  collect: (child, out) => {
    let map = out[name] as Record<string, unknown> | undefined
    if (map === undefined) {
      map = {}
      out[name] = map
    }
    readEntry(child, map)
  }
})

/** A member's element name, its field, and for a flattened list the item's name it may also go by. */
const fieldOf = (name: string, ref: MemberRef): readonly [string, Field, string | undefined] => {
  const shape = ref.shape
  const flattened = traitOf(ref, "flattened") === true
  const tag = ref.locationName ?? name
  if (flattened && shape.type === "list") {
    return [tag, flatListField(name, refReader(shape.member)), shape.member.locationName]
  }
  if (flattened && shape.type === "map") return [tag, flatMapField(name, entryReader(shape)), undefined]
  return [tag, elementField(name, refReader(ref)), undefined]
}

/**
 * Element names to members. Services name a flattened list's repeated element after the item's
 * `locationName` (SQS's `<Message>`) or after the member (Smithy models): both are accepted, the
 * members' own names first.
 */
const fieldsOf = (members: ReadonlyArray<readonly [string, MemberRef]>): ReadonlyMap<string, Field> => {
  const entries = members.map(([name, ref]) => fieldOf(name, ref))
  const fields = new Map<string, Field>()
  for (const [tag, field] of entries) fields.set(tag, field)
  for (const [, field, alias] of entries) {
    if (alias !== undefined && !fields.has(alias)) fields.set(alias, field)
  }
  return fields
}

const structureReader = (shape: StructureShape): XmlRead => {
  const members = Object.entries(shape.members)
  const attributes = members
    .filter(([, ref]) => ref.xmlAttribute)
    .map(([name, ref]) => ({ name, attribute: ref.locationName ?? name, read: fromTextOf(ref, "iso8601") }))
  const fields = fieldsOf(members.filter(([, ref]) => !ref.xmlAttribute))
  return (el) => {
    const out: Record<string, unknown> = {}
    let current = ""
    try {
      if (el.attributes !== undefined) {
        for (const attribute of attributes) {
          const text = el.attributes[attribute.attribute]
          current = attribute.name
          if (text !== undefined) out[attribute.name] = attribute.read(text)
        }
      }
      for (const child of el.children) {
        const field = fields.get(localName(child.name))
        if (field === undefined) continue
        current = field.name
        field.collect(child, out)
      }
    } catch (e) {
      rethrowAt(e, current)
    }
    return out
  }
}

const unionReader = (shape: StructureShape): XmlRead => {
  const read = structureReader(shape)
  return (el) => {
    const out = read(el) as Record<string, unknown>
    const keys = Object.keys(out)
    if (keys.length > 1) throw new ProtocolError(`a union has more than one member set (${keys.join(", ")})`)
    if (keys.length === 1) return out
    const unknown = el.children[0]
    return unknown === undefined ? {} : { $unknown: [localName(unknown.name), unknown.text] }
  }
}

const listReader = (shape: ListShape): XmlRead => {
  const itemTag = shape.member.locationName ?? "member"
  const read = refReader(shape.member)
  return (el) => {
    const out: Array<unknown> = []
    try {
      for (const child of el.children) {
        if (localName(child.name) !== itemTag) continue
        const v = read(child)
        if (v !== undefined) out.push(v)
      }
    } catch (e) {
      rethrowAt(e, `[${out.length}]`)
    }
    return out
  }
}

const mapReader = (shape: MapShape): XmlRead => {
  const readEntry = entryReader(shape)
  return (el) => {
    const out: Record<string, unknown> = {}
    for (const child of el.children) {
      if (localName(child.name) === "entry") readEntry(child, out)
    }
    return out
  }
}

const compile = (shape: Shape): XmlRead => {
  switch (shape.type) {
    case "structure":
      return shape.union ? unionReader(shape) : structureReader(shape)
    case "list":
      return listReader(shape)
    case "map":
      return mapReader(shape)
    default:
      return scalarReader({ shape })
  }
}

/** The XML reader of a shape, compiled once and cached. */
export const xmlReader: (shape: Shape) => XmlRead = memoizeCompiler(compile)
