/**
 * Text that needs care on its way into a request: URI labels (plain and greedy), query keys and
 * values, and header values.
 */
import { describe, expect, it } from "vitest"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import { bodyText, service } from "../../support/ProtocolModel.js"

const shapes = {
  Input: {
    type: "structure",
    members: {
      Bucket: { shape: "String", location: "uri", locationName: "Bucket" },
      Key: { shape: "String", location: "uri", locationName: "Key" },
      Query: { shape: "String", location: "querystring", locationName: "q" },
      Params: { shape: "StringMap", location: "querystring" },
      Header: { shape: "String", location: "header", locationName: "x-amz-meta-note" },
      Meta: { shape: "StringMap", location: "headers", locationName: "x-amz-meta-" }
    }
  },
  StringMap: { type: "map", key: { shape: "String" }, value: { shape: "String" } },
  String: { type: "string" }
}

const svc = service("rest-xml", shapes)
const op = svc.operation({
  input: { shape: "Input" },
  http: { method: "PUT", requestUri: "/{Bucket}/{Key+}?x-id=Put" }
})

const tricky = "a/b+c%d e😀é"

describe("URI labels", () => {
  it("percent-encode everything but unreserved characters; a greedy label keeps its slashes", () => {
    const request = svc.codec.serialize(op, { Bucket: tricky, Key: `dir/${tricky}` })
    expect(request.path).toBe("/a%2Fb%2Bc%25d%20e%F0%9F%98%80%C3%A9/dir/a/b%2Bc%25d%20e%F0%9F%98%80%C3%A9")
  })

  it("encode RFC 3986 sub-delimiters that encodeURIComponent leaves alone", () => {
    const request = svc.codec.serialize(op, { Bucket: "!'()*", Key: "k" })
    expect(request.path).toBe("/%21%27%28%29%2A/k")
  })

  it("must be present and non-empty", () => {
    expect(() => svc.codec.serialize(op, { Key: "k" })).toThrow(/Bucket: missing the value of a URI label/)
    expect(() => svc.codec.serialize(op, { Bucket: "", Key: "k" })).toThrow(
      /Bucket: a URI label cannot be empty/
    )
  })

  it("reject text that is not well-formed Unicode", () => {
    expect(() => svc.codec.serialize(op, { Bucket: "\uD800", Key: "k" })).toThrow(ProtocolError)
  })
})

describe("query string", () => {
  it("keeps keys and values as given (the pipeline encodes them), static parameters first", () => {
    const request = svc.codec.serialize(op, {
      Bucket: "b",
      Key: "k",
      Query: tricky,
      Params: { [tricky]: "v w" }
    })
    expect(request.query).toEqual([
      ["x-id", "Put"],
      ["q", tricky],
      [tricky, "v w"]
    ])
  })

  it("lets a named member win over the same key in a parameter map", () => {
    const request = svc.codec.serialize(op, {
      Bucket: "b",
      Key: "k",
      Query: "named",
      Params: { q: "map", r: "s" }
    })
    expect(request.query).toEqual([
      ["x-id", "Put"],
      ["q", "named"],
      ["r", "s"]
    ])
  })
})

describe("headers", () => {
  it("send printable ASCII as is", () => {
    const request = svc.codec.serialize(op, {
      Bucket: "b",
      Key: "k",
      Header: "a/b+c%d e",
      Meta: { "x-y": "1" }
    })
    expect(request.headers).toMatchObject({ "x-amz-meta-note": "a/b+c%d e", "x-amz-meta-x-y": "1" })
  })

  it.each([
    ["CR LF", "a\r\nx-injected: 1"],
    ["LF", "a\nb"],
    ["non-ASCII text", "é😀"]
  ])("reject %s in a value, naming the member", (_name, value) => {
    expect(() => svc.codec.serialize(op, { Bucket: "b", Key: "k", Header: value })).toThrow(
      expect.objectContaining({ name: "ProtocolError", path: "Header" })
    )
  })

  it("reject a prefix-map key that is not a header name", () => {
    expect(() => svc.codec.serialize(op, { Bucket: "b", Key: "k", Meta: { "a b": "1" } })).toThrow(
      expect.objectContaining({ name: "ProtocolError", path: "Meta" })
    )
  })

  it("reject CR LF in a prefix-map value", () => {
    expect(() => svc.codec.serialize(op, { Bucket: "b", Key: "k", Meta: { a: "1\r\n" } })).toThrow(
      /Meta: a header value cannot contain CR or LF/
    )
  })
})

describe("form bodies", () => {
  it("percent-encode keys and values as UTF-8, space as %20", () => {
    const query = service("query", {
      Input: { type: "structure", members: { Value: { shape: "String" }, Map: { shape: "StringMap" } } },
      StringMap: { type: "map", key: { shape: "String" }, value: { shape: "String" } },
      String: { type: "string" }
    })
    const request = query.codec.serialize(query.operation({ input: { shape: "Input" } }), {
      Value: tricky,
      Map: { "k/😀": "+" }
    })
    expect(bodyText(request.body)).toBe(
      "Action=Op&Version=2020-01-01&Value=a%2Fb%2Bc%25d%20e%F0%9F%98%80%C3%A9" +
        "&Map.entry.1.key=k%2F%F0%9F%98%80&Map.entry.1.value=%2B"
    )
  })
})
