/**
 * The `requestUri` template of a REST operation: `/{Bucket}/{Key+}?uploads&x-id=Upload`. Labels
 * are filled from the input's `uri` members, percent-encoded (a greedy `{Key+}` label keeps its
 * `/`); the static query parameters after `?` are sent as written (a bare key with an empty value).
 *
 * @since 0.1.0
 */
import { ProtocolError, rethrowAt } from "./Protocol.js"
import { toTextOf } from "./Scalar.js"
import { type MemberRef, type StructureShape, traitOf } from "./Shape.js"
import { uriEncode, uriEncodePath } from "./UriEncoding.js"

type Input = Readonly<Record<string, unknown>>

/** A compiled request URI template. */
export interface UriTemplate {
  /** The encoded path with the labels filled in. */
  readonly path: (input: Input) => string
  /** The static query parameters, in order. */
  readonly query: ReadonlyArray<readonly [string, string]>
}

const pathOf = (template: string, shape: StructureShape | undefined): UriTemplate["path"] => {
  // "/{Bucket}/{Key+}" -> ["/", "Bucket", "/", "Key+", ""]: odd indexes are labels
  const parts = template.split(/\{([^}]+)\}/)
  if (parts.length === 1) return () => template
  const labels = new Map<string, readonly [string, MemberRef]>()
  for (const [name, ref] of Object.entries(shape?.members ?? {})) {
    if (traitOf(ref, "location") === "uri") labels.set(traitOf(ref, "locationName") ?? name, [name, ref])
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

const staticQueryOf = (query: string | undefined): ReadonlyArray<readonly [string, string]> =>
  query === undefined || query === ""
    ? []
    : query.split("&").map((pair): readonly [string, string] => {
        const eq = pair.indexOf("=")
        return eq === -1 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)]
      })

/** Compiles an operation's `requestUri` against its input structure. */
export const compileUri = (requestUri: string, shape: StructureShape | undefined): UriTemplate => {
  const q = requestUri.indexOf("?")
  return {
    path: pathOf(q === -1 ? requestUri : requestUri.slice(0, q), shape),
    query: staticQueryOf(q === -1 ? undefined : requestUri.slice(q + 1))
  }
}
