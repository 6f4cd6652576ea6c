/**
 * Header values of the REST protocols, both ways: scalars as text (timestamps as http-dates by
 * default), lists joined with `, ` (string items quoted when they hold `,` or `"`), `jsonvalue`
 * members as base64 JSON; and what may be sent at all (printable ASCII, never CR or LF).
 *
 * @since 0.1.0
 */
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from "./Bytes.js"
import { ProtocolError } from "./Protocol.js"
import { type FromText, fromTextOf, type ToText, timestampFormatOf, toTextOf } from "./Scalar.js"
import { type MemberRef, traitOf } from "./Shape.js"
import { jsonValueText, mismatch, parseJsonValue } from "./Values.js"

/**
 * Header values are sent as printable ASCII. CR and LF would let a value inject headers; other
 * control characters and non-ASCII text have no portable encoding in HTTP/1.1 headers (encode such
 * text first, as S3 asks for metadata, e.g. per RFC 2047). The error says where, never what: header
 * values carry secrets (SSE-C keys, session and bearer tokens).
 */
export const checkHeaderValue = (value: string): string => {
  if (/[\r\n]/.test(value)) throw new ProtocolError("a header value cannot contain CR or LF")
  const bad = value.search(/[^\t\x20-\x7e]/)
  if (bad !== -1) {
    throw new ProtocolError(
      `a header value must be printable ASCII (character ${bad} of ${value.length} is not)`
    )
  }
  return value
}

/** A header name taken from a map key must be an HTTP token. */
export const checkHeaderName = (name: string): string => {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new ProtocolError(`not a valid header name: ${JSON.stringify(name)}`)
  return name
}

/** A string item of a header list, quoted when it holds a comma or a double quote. */
const quoteItem = (item: string): string =>
  /[",]/.test(item) ? `"${item.replace(/(["\\])/g, "\\$1")}"` : item

const jsonHeaderText: ToText = (value) => base64Encode(utf8Encode(jsonValueText(value)))

/** Compiles the header text of a `header` member. */
export const toHeaderOf = (ref: MemberRef): ToText => {
  if (traitOf(ref, "jsonvalue")) return jsonHeaderText
  const shape = ref.shape
  if (shape.type !== "list") return toTextOf(ref, "rfc822")
  const item = toTextOf(shape.member, "rfc822")
  const quote = shape.member.shape.type === "string"
  return (value) => {
    if (!Array.isArray(value)) return mismatch("an array", value)
    return value.map((v) => (quote ? quoteItem(item(v)) : item(v))).join(", ")
  }
}

/** Splits a header list on commas, honouring double-quoted items (`"b,c", a`). */
const splitHeaderList = (value: string): Array<string> => {
  if (value.trim() === "") return []
  const items: Array<string> = []
  let i = 0
  while (i <= value.length) {
    while (value[i] === " " || value[i] === "\t") i++
    if (value[i] === '"') {
      let item = ""
      let j = i + 1
      for (; j < value.length && value[j] !== '"'; j++) item += value[j] === "\\" ? value[++j] : value[j]
      items.push(item)
      const comma = value.indexOf(",", j)
      i = comma === -1 ? value.length + 1 : comma + 1
    } else {
      const comma = value.indexOf(",", i)
      const end = comma === -1 ? value.length : comma
      items.push(value.slice(i, end).trim())
      i = end + 1
    }
  }
  return items
}

/** http-dates hold a comma themselves: `Mon, 16 Dec 2019 ..., Tue, 17 Dec ...` pairs up. */
const pairUp = (items: Array<string>): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < items.length; i += 2) out.push(`${items[i]}, ${items[i + 1] ?? ""}`)
  return out
}

const jsonHeaderValue: FromText = (text) => {
  const bytes = base64Decode(text.trim())
  if (bytes === undefined) throw new ProtocolError("a JSON header value is not base64")
  return parseJsonValue(utf8Decode(bytes))
}

/** Compiles the reader of a `header` member from its header text. */
export const fromHeaderOf = (ref: MemberRef): FromText => {
  if (traitOf(ref, "jsonvalue")) return jsonHeaderValue
  const shape = ref.shape
  if (shape.type !== "list") return fromTextOf(ref, "rfc822")
  const item = fromTextOf(shape.member, "rfc822")
  const httpDates =
    shape.member.shape.type === "timestamp" && timestampFormatOf(shape.member, "rfc822") === "rfc822"
  return (text) => {
    const items = splitHeaderList(text)
    return (httpDates ? pairUp(items) : items).map(item)
  }
}
