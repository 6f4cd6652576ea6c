/**
 * How a serialized request is compared with a suite's `serialized` expectation: path exactly,
 * query parameters as a multiset, headers case-insensitively, bodies by their kind (JSON and XML
 * semantically, form bodies as parameter multisets, anything else exactly).
 */
import { isDeepStrictEqual } from "node:util"
import { decodeCbor } from "../../../src/Protocols/Cbor.js"
import type { SerializedRequest } from "../../../src/Protocols/Protocol.js"
import { parseXml, type XmlElement } from "../../../src/Protocols/Xml.js"

/** A problem found, or undefined. */
export type Mismatch =
  | { readonly what: string; readonly expected: unknown; readonly actual: unknown }
  | undefined

export interface ExpectedRequest {
  readonly method?: string
  readonly uri?: string
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly requireHeaders?: ReadonlyArray<string>
  readonly forbidHeaders?: ReadonlyArray<string>
  readonly host?: string
}

const decoder = new TextDecoder()

const decodeComponent = (s: string): string => decodeURIComponent(s)

/** `a=b&c` as sorted decoded pairs (`c` is `["c", ""]`). */
const parsePairs = (s: string): Array<string> =>
  s === ""
    ? []
    : s
        .split("&")
        .map((pair) => {
          const eq = pair.indexOf("=")
          const [k, v] = eq === -1 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)]
          return JSON.stringify([decodeComponent(k), decodeComponent(v)])
        })
        .sort()

const headerOf = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  const key = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : headers[key]
}

/**
 * Content-Type values are equal as media types: type and subtype case-insensitively, and a
 * `charset=utf-8` parameter on a form body means nothing (the format is UTF-8 by definition;
 * the legacy suite writes it, the Smithy suite does not).
 */
const sameHeader = (name: string, expected: string, actual: string): boolean => {
  if (expected === actual) return true
  if (name.toLowerCase() !== "content-type") return false
  const norm = (v: string) => v.toLowerCase().replace(/;\s*charset=utf-8$/, "")
  return norm(expected) === "application/x-www-form-urlencoded" && norm(expected) === norm(actual)
}

/** An element tree without the whitespace between elements. */
const xmlTree = (el: XmlElement): unknown => ({
  name: el.name,
  attributes: el.attributes ?? {},
  content: el.children.length === 0 ? el.text : el.children.map(xmlTree)
})

const bodyText = (body: SerializedRequest["body"]): string | undefined =>
  body === undefined
    ? undefined
    : typeof body === "string"
      ? body
      : body instanceof Uint8Array
        ? decoder.decode(body)
        : "<stream>"

const compareBody = (expected: string, actual: string | undefined, contentType: string): Mismatch => {
  const got = actual ?? ""
  if (expected === got) return undefined
  const differ = { what: "body", expected, actual: got }
  if (expected === "" || got === "") return differ
  try {
    if (/json/.test(contentType))
      return isDeepStrictEqual(JSON.parse(expected), JSON.parse(got)) ? undefined : differ
    if (/xml/.test(contentType)) {
      return isDeepStrictEqual(xmlTree(parseXml(expected)), xmlTree(parseXml(got))) ? undefined : differ
    }
    if (/x-www-form-urlencoded/.test(contentType)) {
      return isDeepStrictEqual(parsePairs(expected), parsePairs(got)) ? undefined : differ
    }
  } catch (e) {
    return { ...differ, what: `body (${e instanceof Error ? e.message : String(e)})` }
  }
  return differ
}

/**
 * A CBOR body (the suites write it as base64) compared as the data it encodes: definite and
 * indefinite lengths, and the float widths that hold a value exactly, are the same data.
 */
const compareCborBody = (expected: string, actual: SerializedRequest["body"]): Mismatch => {
  const got =
    actual === undefined
      ? new Uint8Array(0)
      : typeof actual === "string"
        ? new TextEncoder().encode(actual)
        : actual instanceof Uint8Array
          ? actual
          : undefined
  const gotText = got === undefined ? "<stream>" : Buffer.from(got).toString("base64")
  const differ = { what: "body", expected, actual: gotText }
  if (got === undefined) return differ
  if (expected === "" || got.length === 0) return expected === gotText ? undefined : differ
  try {
    const want = decodeCbor(new Uint8Array(Buffer.from(expected, "base64")))
    return isDeepStrictEqual(want, decodeCbor(got)) ? undefined : differ
  } catch (e) {
    return { ...differ, what: `body (${e instanceof Error ? e.message : String(e)})` }
  }
}

/** The first difference between a request and the expectation (host checked by the caller). */
export const compareRequest = (expected: ExpectedRequest, actual: SerializedRequest): Mismatch => {
  if (expected.method !== undefined && expected.method !== actual.method) {
    return { what: "method", expected: expected.method, actual: actual.method }
  }
  if (expected.uri !== undefined) {
    const q = expected.uri.indexOf("?")
    const path = q === -1 ? expected.uri : expected.uri.slice(0, q)
    if (path !== actual.path) return { what: "path", expected: path, actual: actual.path }
    const wanted = parsePairs(q === -1 ? "" : expected.uri.slice(q + 1))
    const got = actual.query.map(([k, v]) => JSON.stringify([k, v])).sort()
    if (!isDeepStrictEqual(wanted, got)) return { what: "query", expected: wanted, actual: got }
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = headerOf(actual.headers, name)
    if (got === undefined || !sameHeader(name, value, got)) {
      return { what: `header ${name}`, expected: value, actual: got ?? "(absent)" }
    }
  }
  for (const name of expected.requireHeaders ?? []) {
    if (headerOf(actual.headers, name) === undefined)
      return { what: `header ${name}`, expected: "present", actual: "(absent)" }
  }
  for (const name of expected.forbidHeaders ?? []) {
    const got = headerOf(actual.headers, name)
    if (got !== undefined) return { what: `header ${name}`, expected: "(absent)", actual: got }
  }
  if (expected.body !== undefined) {
    if (
      /cbor/.test(
        headerOf(actual.headers, "content-type") ?? headerOf(expected.headers ?? {}, "accept") ?? ""
      )
    )
      return compareCborBody(expected.body, actual.body)
    return compareBody(expected.body, bodyText(actual.body), headerOf(actual.headers, "content-type") ?? "")
  }
  return undefined
}
