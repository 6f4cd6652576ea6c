/**
 * The HTTP bindings of the REST protocols (rest-xml and rest-json): which input members go into
 * the URI path (`{Bucket}`, greedy `{Key+}`), the query string (static `?uploads` parts, bound
 * members, a map of parameters), headers (scalars, lists, `jsonvalue` as base64 JSON, a prefix
 * map such as S3's `x-amz-meta-`), and which output members come from headers or the status
 * code. What is left (the payload member, or the unbound members) is the body, which each
 * protocol encodes its own way.
 *
 * Plans are compiled once per operation (requests) and per structure (responses, errors).
 * Defaults: timestamps are http-dates in headers and date-times in the URI and query string.
 *
 * @since 0.1.0
 */
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from "./Bytes.js"
import { memoize } from "./Memo.js"
import { ProtocolError, type ResponseParts, rethrowAt } from "./Protocol.js"
import { type FromText, fromTextOf, type ToText, timestampFormatOf, toTextOf } from "./Scalar.js"
import { type MemberRef, type OperationModel, type StructureShape, traitOf } from "./Shape.js"
import { uriEncode, uriEncodePath } from "./UriEncoding.js"
import { isRecord, jsonValueText, mismatch, parseJsonValue, setOwn } from "./Values.js"

type Input = Readonly<Record<string, unknown>>

/** The member bound to the whole body. */
export interface PayloadMember {
  readonly name: string
  readonly ref: MemberRef
}

/** Where the members of a REST request go. */
export interface RequestPlan {
  readonly path: (input: Input) => string
  /** Static query parameters of the request URI, then the bound members, in order. */
  readonly query: (input: Input) => Array<readonly [string, string]>
  readonly headers: (input: Input) => Record<string, string>
  readonly payload: PayloadMember | undefined
  /** The body's structure (the unbound members) when there is no payload member and some are left. */
  readonly body: StructureShape | undefined
}

/** Where the members of a REST response (or error) come from. */
export interface ResponsePlan {
  /** Reads the header, prefix-header and status-code members into `out`. */
  readonly read: (response: ResponseParts, out: Record<string, unknown>) => void
  readonly payload: PayloadMember | undefined
  readonly body: StructureShape | undefined
}

type Location = NonNullable<MemberRef["location"]>

const REQUEST_LOCATIONS: ReadonlySet<Location> = new Set(["uri", "querystring", "header", "headers"])
/** In a response, only headers and the status code bind: a `uri` member is a body member there. */
const RESPONSE_LOCATIONS: ReadonlySet<Location> = new Set(["header", "headers", "statusCode"])

/** The structure of the members not bound to `locations`; the shape itself when none is bound. */
const bodyShapeOf = (shape: StructureShape, locations: ReadonlySet<Location>): StructureShape | undefined => {
  const entries = Object.entries(shape.members)
  const unbound = entries.filter(([, ref]) => {
    const location = traitOf(ref, "location")
    return location === undefined || !locations.has(location)
  })
  if (unbound.length === 0) return undefined
  if (unbound.length === entries.length && shape.payload === undefined) return shape
  const { payload: _payload, members: _members, ...rest } = shape
  return { ...rest, members: Object.fromEntries(unbound) }
}

const payloadOf = (shape: StructureShape, name: string | undefined): PayloadMember | undefined => {
  if (name === undefined) return undefined
  const ref = shape.members[name]
  if (ref === undefined) throw new Error(`model: payload member ${name} is not a member of ${shape.name}`)
  return { name, ref }
}

const wireName = (name: string, ref: MemberRef): string => traitOf(ref, "locationName") ?? name

// ---------------------------------------------------------------------------------------------
// URI path

const pathOf = (template: string, shape: StructureShape | undefined): RequestPlan["path"] => {
  // "/{Bucket}/{Key+}" -> ["/", "Bucket", "/", "Key+", ""]: odd indexes are labels
  const parts = template.split(/\{([^}]+)\}/)
  if (parts.length === 1) return () => template
  const labels = new Map<string, readonly [string, MemberRef]>()
  for (const [name, ref] of Object.entries(shape?.members ?? {})) {
    if (traitOf(ref, "location") === "uri") labels.set(wireName(name, ref), [name, ref])
  }
  const segments = parts.map((part, i): ((input: Input) => string) => {
    if (i % 2 === 0) return () => part
    const greedy = part.endsWith("+")
    const label = greedy ? part.slice(0, -1) : part
    const member = labels.get(label)
    if (member === undefined) throw new Error(`model: no member is bound to the URI label {${part}}`)
    const [name, ref] = member
    const text = toTextOf(ref, "iso8601")
    const encode = greedy ? uriEncodePath : uriEncode
    return (input) => {
      const value = input[name]
      if (value === undefined || value === null)
        throw new ProtocolError("missing the value of a URI label", name)
      let s: string
      try {
        s = text(value)
      } catch (e) {
        return rethrowAt(e, name)
      }
      if (s === "") throw new ProtocolError("a URI label cannot be empty", name)
      return encode(s)
    }
  })
  return (input) => segments.map((segment) => segment(input)).join("")
}

// ---------------------------------------------------------------------------------------------
// query string

const staticQueryOf = (query: string | undefined): ReadonlyArray<readonly [string, string]> =>
  query === undefined || query === ""
    ? []
    : query.split("&").map((pair): readonly [string, string] => {
        const eq = pair.indexOf("=")
        return eq === -1 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)]
      })

/** Text of each item of a list value, or of a scalar value. */
const itemsText = (ref: MemberRef, fallback: "iso8601" | "rfc822"): ((value: unknown) => Array<string>) => {
  const shape = ref.shape
  if (shape.type === "list") {
    const text = toTextOf(shape.member, fallback)
    return (value) => (Array.isArray(value) ? value.map(text) : mismatch("an array", value))
  }
  const text = toTextOf(ref, fallback)
  return (value) => [text(value)]
}

type QueryWrite = (value: unknown, out: Array<readonly [string, string]>, taken: ReadonlySet<string>) => void

const queryMemberOf = (name: string, ref: MemberRef): QueryWrite => {
  const shape = ref.shape
  if (shape.type === "map") {
    const values = itemsText(shape.value, "iso8601")
    // parameters named by other members win over the same keys in the map
    return (value, out, taken) => {
      if (!isRecord(value)) return mismatch("an object", value)
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined || item === null || taken.has(key)) continue
        for (const text of values(item)) out.push([key, text])
      }
    }
  }
  const key = wireName(name, ref)
  const values = itemsText(ref, "iso8601")
  return (value, out) => {
    for (const text of values(value)) out.push([key, text])
  }
}

const queryOf = (
  staticQuery: string | undefined,
  shape: StructureShape | undefined
): RequestPlan["query"] => {
  const fixed = staticQueryOf(staticQuery)
  const members = Object.entries(shape?.members ?? {})
    .filter(([, ref]) => traitOf(ref, "location") === "querystring")
    .map(([name, ref]) => ({ name, isMap: ref.shape.type === "map", write: queryMemberOf(name, ref) }))
  // named members first, so that the keys they take are known when a map is written
  members.sort((a, b) => Number(a.isMap) - Number(b.isMap))
  if (members.length === 0) return () => [...fixed]
  return (input) => {
    const out: Array<readonly [string, string]> = [...fixed]
    const taken = new Set<string>()
    for (const member of members) {
      const value = input[member.name]
      if (value === undefined || value === null) continue
      try {
        member.write(value, out, taken)
      } catch (e) {
        rethrowAt(e, member.name)
      }
      if (!member.isMap) for (const [key] of out) taken.add(key)
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------
// headers

/**
 * Header values are sent as printable ASCII. CR and LF would let a value inject headers; other
 * control characters and non-ASCII text have no portable encoding in HTTP/1.1 headers (encode such
 * text first, as S3 asks for metadata, e.g. per RFC 2047).
 */
const checkHeaderValue = (value: string): string => {
  if (/[\r\n]/.test(value)) throw new ProtocolError("a header value cannot contain CR or LF")
  if (!/^[\t\x20-\x7e]*$/.test(value)) {
    throw new ProtocolError(`a header value must be printable ASCII: ${JSON.stringify(value)}`)
  }
  return value
}

/** A header name taken from a map key must be an HTTP token. */
const checkHeaderName = (name: string): string => {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new ProtocolError(`not a valid header name: ${JSON.stringify(name)}`)
  return name
}

/** A string item of a header list, quoted when it holds a comma or a double quote. */
const quoteItem = (item: string): string =>
  /[",]/.test(item) ? `"${item.replace(/(["\\])/g, "\\$1")}"` : item

const jsonHeaderText: ToText = (value) => base64Encode(utf8Encode(jsonValueText(value)))

const headerTextOf = (ref: MemberRef): ToText => {
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

type HeaderWrite = (value: unknown, out: Record<string, string>) => void

const headerMemberOf = (name: string, ref: MemberRef): HeaderWrite => {
  const header = wireName(name, ref)
  if (traitOf(ref, "location") === "headers") {
    const shape = ref.shape
    if (shape.type !== "map") throw new Error(`model: the headers member ${name} must be a map`)
    const text = toTextOf(shape.value, "rfc822")
    return (value, out) => {
      if (!isRecord(value)) return mismatch("an object", value)
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined && item !== null)
          out[checkHeaderName(header + key)] = checkHeaderValue(text(item))
      }
    }
  }
  const text = headerTextOf(ref)
  return (value, out) => {
    out[header] = checkHeaderValue(text(value))
  }
}

const headersOf = (shape: StructureShape | undefined): RequestPlan["headers"] => {
  const members = Object.entries(shape?.members ?? {})
    .filter(([, ref]) => {
      const location = traitOf(ref, "location")
      return location === "header" || location === "headers"
    })
    .map(([name, ref]) => ({ name, write: headerMemberOf(name, ref) }))
  return (input) => {
    const out: Record<string, string> = {}
    for (const member of members) {
      const value = input[member.name]
      if (value === undefined || value === null) continue
      try {
        member.write(value, out)
      } catch (e) {
        rethrowAt(e, member.name)
      }
    }
    return out
  }
}

const compileRequest = (operation: OperationModel): RequestPlan => {
  const shape = operation.input?.shape
  const uri = operation.http.requestUri
  const q = uri.indexOf("?")
  const path = q === -1 ? uri : uri.slice(0, q)
  const payload = shape && payloadOf(shape, operation.input?.payload ?? shape.payload)
  return {
    path: pathOf(path, shape),
    query: queryOf(q === -1 ? undefined : uri.slice(q + 1), shape),
    headers: headersOf(shape),
    payload,
    body: shape !== undefined && payload === undefined ? bodyShapeOf(shape, REQUEST_LOCATIONS) : undefined
  }
}

/** The compiled request bindings of an operation, cached. */
export const requestPlanOf: (operation: OperationModel) => RequestPlan = memoize(compileRequest)

// ---------------------------------------------------------------------------------------------
// responses

/** Splits a header list on commas, honouring double-quoted items (`"b,c", a`). */
export const splitHeaderList = (value: string): Array<string> => {
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

const headerValueOf = (ref: MemberRef): FromText => {
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

type ResponseRead = (response: ResponseParts, out: Record<string, unknown>) => void

const responseMemberOf = (name: string, ref: MemberRef): ResponseRead | undefined => {
  switch (traitOf(ref, "location")) {
    case "statusCode":
      return (response, out) => {
        out[name] = response.status
      }
    case "header": {
      const header = wireName(name, ref).toLowerCase()
      const read = headerValueOf(ref)
      return (response, out) => {
        const text = response.headers[header]
        if (text !== undefined) out[name] = read(text)
      }
    }
    case "headers": {
      const prefix = (traitOf(ref, "locationName") ?? "").toLowerCase()
      const shape = ref.shape
      if (shape.type !== "map") throw new Error(`model: the headers member ${name} must be a map`)
      const read = fromTextOf(shape.value, "rfc822")
      return (response, out) => {
        const map: Record<string, unknown> = {}
        for (const [header, text] of Object.entries(response.headers)) {
          if (header.startsWith(prefix)) setOwn(map, header.slice(prefix.length), read(text))
        }
        out[name] = map
      }
    }
    default:
      return undefined
  }
}

const compileResponse = (shape: StructureShape): ResponsePlan => {
  const readers = Object.entries(shape.members).flatMap(([name, ref]) => {
    const read = responseMemberOf(name, ref)
    return read === undefined ? [] : [{ name, read }]
  })
  const payload = payloadOf(shape, shape.payload)
  return {
    read: (response, out) => {
      for (const reader of readers) {
        try {
          reader.read(response, out)
        } catch (e) {
          rethrowAt(e, reader.name)
        }
      }
    },
    payload,
    body: payload === undefined ? bodyShapeOf(shape, RESPONSE_LOCATIONS) : undefined
  }
}

/** The compiled response bindings of an output or error structure, cached. */
export const responsePlanOf: (shape: StructureShape) => ResponsePlan = memoize(compileResponse)
