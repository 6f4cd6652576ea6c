/**
 * Shape-directed XML writer for rest-xml request bodies (S3, Route 53, CloudFront). A small
 * string builder over `escapeText` / `escapeAttribute`; no XML library.
 *
 * Element names: a member's `locationName`, else its name; list items `member` (or the list
 * member's `locationName`); map entries `entry` with `key` / `value` (or their `locationName`s).
 * `flattened` lists and maps repeat the member's element instead of wrapping. `xmlAttribute`
 * members become attributes; `xmlNamespace` becomes `xmlns` / `xmlns:prefix`. Timestamps default
 * to date-time, blobs are base64. Null list items and null members are left out.
 *
 * @since 0.1.0
 */
import { memoizeCompiler } from "./Memo.js"
import { rethrowAt } from "./Protocol.js"
import { toTextOf } from "./Scalar.js"
import {
  type ListShape,
  type MapShape,
  type MemberRef,
  type Shape,
  type StructureShape,
  traitOf,
  type XmlNamespace
} from "./Shape.js"
import { isRecord, mismatch, toText } from "./Values.js"
import { escapeAttribute, escapeText } from "./Xml.js"

/** Writes a value as an element named `tag`, with `attributes` (already escaped, each with a leading space). */
export type XmlWrite = (value: unknown, tag: string, attributes: string) => string

/** The `xmlns` attribute text of a namespace declaration (empty when there is none). */
export const namespaceAttribute = (ns: XmlNamespace | undefined): string =>
  ns === undefined ? "" : ` xmlns${ns.prefix ? `:${ns.prefix}` : ""}="${escapeAttribute(ns.uri)}"`

const element = (tag: string, attributes: string, content: string): string =>
  `<${tag}${attributes}>${content}</${tag}>`

const scalarWriter = (ref: MemberRef): XmlWrite => {
  const text = toTextOf(ref, "iso8601")
  return (value, tag, attributes) => element(tag, attributes, escapeText(text(value)))
}

/** The writer of a list item, map value or member: member-level `timestampFormat` first. */
const refWriter = (ref: MemberRef): XmlWrite =>
  (ref.shape.type === "timestamp" && ref.timestampFormat !== undefined) || ref.jsonvalue === true
    ? scalarWriter(ref)
    : xmlWriter(ref.shape)

/** Writes a member's whole XML (one element, or one per item when flattened); "" when absent. */
type MemberWrite = (value: unknown) => string

const eachItem = (value: unknown, write: (item: unknown) => string): string => {
  if (!Array.isArray(value)) return mismatch("an array", value)
  let out = ""
  let i = 0
  try {
    for (; i < value.length; i++) {
      const item: unknown = value[i]
      if (item !== undefined && item !== null) out += write(item)
    }
  } catch (e) {
    rethrowAt(e, `[${i}]`)
  }
  return out
}

const eachEntry = (value: unknown, write: (key: string, item: unknown) => string): string => {
  if (!isRecord(value)) return mismatch("an object", value)
  let out = ""
  let current = ""
  try {
    for (const key of Object.keys(value)) {
      const item = value[key]
      current = key
      if (item !== undefined && item !== null) out += write(key, item)
    }
  } catch (e) {
    rethrowAt(e, `[${JSON.stringify(current)}]`)
  }
  return out
}

/** The key and value elements of one map entry. */
const entryContent = (shape: MapShape): ((key: string, value: unknown) => string) => {
  const keyTag = shape.key.locationName ?? "key"
  const keyAttributes = namespaceAttribute(shape.key.xmlNamespace)
  const valueTag = shape.value.locationName ?? "value"
  const valueAttributes = namespaceAttribute(shape.value.xmlNamespace)
  const writeValue = refWriter(shape.value)
  return (key, value) =>
    element(keyTag, keyAttributes, escapeText(toText(key))) + writeValue(value, valueTag, valueAttributes)
}

/** Compiles the writer of a structure member named `tag` on the wire. */
const memberWriter = (ref: MemberRef, tag: string): MemberWrite => {
  const attributes = namespaceAttribute(traitOf(ref, "xmlNamespace"))
  const shape = ref.shape
  if (traitOf(ref, "flattened")) {
    if (shape.type === "list") {
      const write = refWriter(shape.member)
      return (value) => eachItem(value, (item) => write(item, tag, attributes))
    }
    if (shape.type === "map") {
      const content = entryContent(shape)
      return (value) => eachEntry(value, (key, item) => element(tag, attributes, content(key, item)))
    }
  }
  const write = refWriter(ref)
  return (value) => write(value, tag, attributes)
}

const structureWriter = (shape: StructureShape): XmlWrite => {
  const members = Object.entries(shape.members)
  const attributeMembers = members
    .filter(([, ref]) => ref.xmlAttribute)
    .map(([name, ref]) => ({ name, attribute: ref.locationName ?? name, text: toTextOf(ref, "iso8601") }))
  const elementMembers = members
    .filter(([, ref]) => !ref.xmlAttribute)
    .map(([name, ref]) => ({ name, write: memberWriter(ref, ref.locationName ?? name) }))
  return (value, tag, attributes) => {
    if (!isRecord(value)) return mismatch("an object", value)
    let open = attributes
    let content = ""
    let current = ""
    try {
      for (const member of attributeMembers) {
        const v = value[member.name]
        if (v === undefined || v === null) continue
        current = member.name
        open += ` ${member.attribute}="${escapeAttribute(member.text(v))}"`
      }
      for (const member of elementMembers) {
        const v = value[member.name]
        if (v === undefined || v === null) continue
        current = member.name
        content += member.write(v)
      }
    } catch (e) {
      rethrowAt(e, current)
    }
    return element(tag, open, content)
  }
}

const listWriter = (shape: ListShape): XmlWrite => {
  const itemTag = shape.member.locationName ?? "member"
  const itemAttributes = namespaceAttribute(shape.member.xmlNamespace)
  const write = refWriter(shape.member)
  return (value, tag, attributes) =>
    element(
      tag,
      attributes,
      eachItem(value, (item) => write(item, itemTag, itemAttributes))
    )
}

const mapWriter = (shape: MapShape): XmlWrite => {
  const content = entryContent(shape)
  return (value, tag, attributes) =>
    element(
      tag,
      attributes,
      eachEntry(value, (key, item) => element("entry", "", content(key, item)))
    )
}

const compile = (shape: Shape): XmlWrite => {
  switch (shape.type) {
    case "structure":
      return structureWriter(shape)
    case "list":
      return listWriter(shape)
    case "map":
      return mapWriter(shape)
    default:
      return scalarWriter({ shape })
  }
}

/** The XML writer of a shape, compiled once and cached. */
export const xmlWriter: (shape: Shape) => XmlWrite = memoizeCompiler(compile)
