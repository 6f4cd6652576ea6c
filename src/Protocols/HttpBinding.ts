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
import { checkHeaderName, checkHeaderValue, fromHeaderOf, toHeaderOf } from "./HeaderValue.js"
import { memoize } from "./Memo.js"
import { type ResponseParts, rethrowAt } from "./Protocol.js"
import { fromTextOf, toTextOf } from "./Scalar.js"
import { type MemberRef, type OperationModel, type StructureShape, traitOf } from "./Shape.js"
import { compileUri } from "./UriTemplate.js"
import { isRecord, mismatch, setOwn } from "./Values.js"

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
// query string

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
  fixed: ReadonlyArray<readonly [string, string]>,
  shape: StructureShape | undefined
): RequestPlan["query"] => {
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
  const text = toHeaderOf(ref)
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
  const uri = compileUri(operation.http.requestUri, shape)
  const payload = shape && payloadOf(shape, operation.input?.payload ?? shape.payload)
  return {
    path: uri.path,
    query: queryOf(uri.query, shape),
    headers: headersOf(shape),
    payload,
    body: shape !== undefined && payload === undefined ? bodyShapeOf(shape, REQUEST_LOCATIONS) : undefined
  }
}

/** The compiled request bindings of an operation, cached. */
export const requestPlanOf: (operation: OperationModel) => RequestPlan = memoize(compileRequest)

// ---------------------------------------------------------------------------------------------
// responses

type ResponseRead = (response: ResponseParts, out: Record<string, unknown>) => void

const responseMemberOf = (name: string, ref: MemberRef): ResponseRead | undefined => {
  switch (traitOf(ref, "location")) {
    case "statusCode":
      return (response, out) => {
        out[name] = response.status
      }
    case "header": {
      const header = wireName(name, ref).toLowerCase()
      const read = fromHeaderOf(ref)
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
        // for-in, not Object.entries: no array of pairs per response (~0.8 KB for S3's ~10 headers)
        const headers = response.headers
        for (const header in headers) {
          if (header.startsWith(prefix) && Object.hasOwn(headers, header)) {
            setOwn(map, header.slice(prefix.length), read(headers[header]!))
          }
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
