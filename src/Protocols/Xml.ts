/**
 * A small XML reader and writer for the subset of XML that AWS services send and accept:
 * elements, attributes, text, CDATA, the five predefined entities and numeric character
 * references; the declaration, comments and processing instructions are skipped; a DOCTYPE is
 * rejected (no entity expansion, ever). Whitespace in text is kept exactly as sent.
 *
 * The reader builds a compact element tree that the shape-directed decoders walk. Its text,
 * attribute values and names are strings of their own, never substrings that point into the
 * document (V8 makes a substring of 13 or more characters a "sliced string" that keeps its whole
 * parent alive: one kept S3 key would keep its whole ListObjectsV2 page).
 *
 * @since 0.1.0
 */

/** An element of a parsed XML document. */
export interface XmlElement {
  /** The qualified name as written (`prefix:local` or `local`). */
  readonly name: string
  readonly attributes: Readonly<Record<string, string>> | undefined
  readonly children: ReadonlyArray<XmlElement>
  /** The concatenated character data directly inside this element, entities decoded. */
  readonly text: string
}

/** Substrings this long are slices of their parent in V8 (shorter ones are copies). */
const SLICED = 13

/**
 * `s` as a string of its own, holding on to no other: the slice of a flat copy one character
 * longer (one cheap copy), where it is long enough to be a slice or a concatenation of slices.
 */
export const ownString = (s: string): string => (s.length < SLICED ? s : ` ${s}`.slice(1))

/** A document that is not well-formed XML, or uses what AWS XML never does (DOCTYPE). */
export class XmlParseError extends Error {
  override readonly name = "XmlParseError"
  readonly reason: string
  constructor(
    reason: string,
    readonly position: number
  ) {
    // the reason may quote names of the document
    const own = ownString(reason)
    super(`${own} at offset ${position}`)
    this.reason = own
  }
}

interface MutableElement {
  name: string
  attributes: Record<string, string> | undefined
  children: Array<MutableElement>
  text: string
}

const isNameChar = (c: number): boolean =>
  !(
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 62 ||
    c === 47 ||
    c === 61 ||
    c === 60 ||
    Number.isNaN(c)
  )

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13

/** Decodes `&amp;`-style entities and `&#...;` references in `raw`. */
export const decodeEntities = (raw: string, offset = 0): string => {
  let amp = raw.indexOf("&")
  if (amp === -1) return raw
  let out = ""
  let last = 0
  while (amp !== -1) {
    const semi = raw.indexOf(";", amp + 1)
    if (semi === -1 || semi - amp > 12) throw new XmlParseError("unterminated entity reference", offset + amp)
    const entity = raw.slice(amp + 1, semi)
    let decoded: string
    switch (entity) {
      case "amp":
        decoded = "&"
        break
      case "lt":
        decoded = "<"
        break
      case "gt":
        decoded = ">"
        break
      case "quot":
        decoded = '"'
        break
      case "apos":
        decoded = "'"
        break
      default: {
        let code = Number.NaN
        if (entity.charCodeAt(0) === 35 /* # */) {
          const hex = entity.charCodeAt(1) === 120 /* x */ || entity.charCodeAt(1) === 88
          const digits = entity.slice(hex ? 2 : 1)
          if (digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
            code = Number.parseInt(digits, hex ? 16 : 10)
          }
        }
        if (!(code >= 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
          throw new XmlParseError(`unknown or invalid entity &${entity};`, offset + amp)
        }
        decoded = String.fromCodePoint(code)
      }
    }
    out += raw.slice(last, amp) + decoded
    last = semi + 1
    amp = raw.indexOf("&", last)
  }
  return out + raw.slice(last)
}

/**
 * Parses a document and returns its root element.
 * Throws `XmlParseError` on anything that is not well-formed.
 */
export const parseXml = (xml: string): XmlElement => {
  const len = xml.length
  let i = 0
  const stack: Array<MutableElement> = []
  let root: MutableElement | undefined
  while (i < len) {
    const lt = xml.indexOf("<", i)
    const textEnd = lt === -1 ? len : lt
    if (textEnd > i) {
      const top = stack[stack.length - 1]
      const raw = xml.slice(i, textEnd)
      if (top !== undefined) {
        top.text += ownString(decodeEntities(raw, i))
      } else if (!/^\s*$/.test(raw)) {
        throw new XmlParseError("text outside the root element", i)
      }
    }
    if (lt === -1) break
    const next = xml.charCodeAt(lt + 1)
    if (next === 47 /* / */) {
      const gt = xml.indexOf(">", lt + 2)
      if (gt === -1) throw new XmlParseError("unterminated end tag", lt)
      const name = xml.slice(lt + 2, gt).trimEnd()
      const top = stack.pop()
      if (top === undefined || top.name !== name) {
        throw new XmlParseError(`unexpected end tag </${name}>${top ? ` (expected </${top.name}>)` : ""}`, lt)
      }
      i = gt + 1
    } else if (next === 33 /* ! */) {
      if (xml.startsWith("<!--", lt)) {
        const end = xml.indexOf("-->", lt + 4)
        if (end === -1) throw new XmlParseError("unterminated comment", lt)
        i = end + 3
      } else if (xml.startsWith("<![CDATA[", lt)) {
        const end = xml.indexOf("]]>", lt + 9)
        if (end === -1) throw new XmlParseError("unterminated CDATA section", lt)
        const top = stack[stack.length - 1]
        if (top === undefined) throw new XmlParseError("CDATA outside the root element", lt)
        top.text += ownString(xml.slice(lt + 9, end))
        i = end + 3
      } else {
        throw new XmlParseError("DOCTYPE and other markup declarations are not accepted", lt)
      }
    } else if (next === 63 /* ? */) {
      const end = xml.indexOf("?>", lt + 2)
      if (end === -1) throw new XmlParseError("unterminated processing instruction", lt)
      i = end + 2
    } else {
      let j = lt + 1
      while (j < len && isNameChar(xml.charCodeAt(j))) j++
      if (j === lt + 1) throw new XmlParseError("invalid start tag", lt)
      const el: MutableElement = {
        name: ownString(xml.slice(lt + 1, j)),
        attributes: undefined,
        children: [],
        text: ""
      }
      const parent = stack[stack.length - 1]
      if (parent !== undefined) {
        parent.children.push(el)
      } else if (root === undefined) {
        root = el
      } else {
        throw new XmlParseError("more than one root element", lt)
      }
      // attributes
      for (;;) {
        while (j < len && isSpace(xml.charCodeAt(j))) j++
        const c = xml.charCodeAt(j)
        if (c === 62 /* > */) {
          j++
          stack.push(el)
          break
        }
        if (c === 47 /* / */ && xml.charCodeAt(j + 1) === 62) {
          j += 2
          break
        }
        const nameStart = j
        while (j < len && isNameChar(xml.charCodeAt(j))) j++
        if (j === nameStart) throw new XmlParseError(`malformed tag <${el.name}>`, j)
        const attrName = ownString(xml.slice(nameStart, j))
        while (j < len && isSpace(xml.charCodeAt(j))) j++
        if (xml.charCodeAt(j) !== 61 /* = */) throw new XmlParseError(`attribute ${attrName} has no value`, j)
        j++
        while (j < len && isSpace(xml.charCodeAt(j))) j++
        const quote = xml.charCodeAt(j)
        if (quote !== 34 && quote !== 39) throw new XmlParseError(`attribute ${attrName} is not quoted`, j)
        const close = xml.indexOf(quote === 34 ? '"' : "'", j + 1)
        if (close === -1) throw new XmlParseError(`unterminated attribute ${attrName}`, j)
        if (el.attributes === undefined) el.attributes = Object.create(null) as Record<string, string>
        el.attributes[attrName] = ownString(decodeEntities(xml.slice(j + 1, close), j + 1))
        j = close + 1
      }
      i = j
    }
  }
  if (stack.length > 0) throw new XmlParseError(`unclosed element <${stack[stack.length - 1]!.name}>`, len)
  if (root === undefined) throw new XmlParseError("no root element", 0)
  return root
}

/** The local part of a qualified name (`s3:Key` -> `Key`). */
export const localName = (name: string): string => {
  const colon = name.indexOf(":")
  return colon === -1 ? name : name.slice(colon + 1)
}

const escapeTable: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\r": "&#xD;",
  "\n": "&#xA;",
  "\u0085": "&#x85;",
  "\u2028": "&#x2028;"
}

/**
 * Escapes text content. Besides markup characters, line terminators are written as character
 * references so that no XML processor normalises them away (as the other AWS SDKs do).
 */
export const escapeText = (s: string): string => s.replace(/[&<>\r\n\u0085\u2028]/g, (c) => escapeTable[c]!)

/** Escapes an attribute value. */
export const escapeAttribute = (s: string): string =>
  s.replace(/[&<>"'\r\n\u0085\u2028]/g, (c) => escapeTable[c]!)
