/**
 * Request details the suites only touch with fixed values: the default idempotency token, host
 * label validation, and compile-once caching (recursive shapes included).
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { jsonReader } from "../../../src/Protocols/JsonDecoder.js"
import { jsonWriter } from "../../../src/Protocols/JsonEncoder.js"
import { xmlWriter } from "../../../src/Protocols/XmlEncoder.js"
import { bodyText, PROTOCOLS, response, service } from "../../support/ProtocolModel.js"

const shapes = {
  Input: {
    type: "structure",
    members: {
      Token: { shape: "String", idempotencyToken: true },
      Account: { shape: "String", hostLabel: true },
      Node: { shape: "Node" }
    }
  },
  Node: { type: "structure", members: { Name: { shape: "String" }, Children: { shape: "Nodes" } } },
  Nodes: { type: "list", member: { shape: "Node" } },
  String: { type: "string" }
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe("idempotency tokens", () => {
  it.each(PROTOCOLS)("are filled with a random UUID v4 by default (%s)", (protocol) => {
    const svc = service(protocol, shapes)
    const op = svc.operation({ input: { shape: "Input" } })
    const first = bodyText(svc.codec.serialize(op, {}).body)
    const second = bodyText(svc.codec.serialize(op, {}).body)
    const token = (body: string) => /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(body)?.[0]
    expect(token(first)).toMatch(UUID_V4)
    expect(token(first)).not.toBe(token(second))
  })

  it("keep a token the caller set, and do not touch the caller's object", () => {
    const svc = service("json", shapes)
    const input = {}
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), input, {
      idempotencyToken: () => "generated"
    })
    expect(bodyText(request.body)).toBe(`{"Token":"generated"}`)
    expect(input).toEqual({})
    const kept = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), { Token: "mine" })
    expect(bodyText(kept.body)).toBe(`{"Token":"mine"}`)
  })
})

describe("host prefixes", () => {
  const svc = service("rest-json", shapes)
  const op = svc.operation({ input: { shape: "Input" }, endpoint: { hostPrefix: "{Account}.data." } })

  it("fill their labels from the input", () => {
    expect(svc.codec.serialize(op, { Account: "123456789012" }).hostPrefix).toBe("123456789012.data.")
  })

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["with a dot", "a.evil.com/"],
    ["starting with a dash", "-a"],
    ["too long", "a".repeat(64)]
  ])("refuse a label value %s, naming the member", (_name, value) => {
    expect(() => svc.codec.serialize(op, value === undefined ? {} : { Account: value })).toThrow(
      expect.objectContaining({ name: "ProtocolError", path: "Account" })
    )
  })
})

describe("compiled codecs", () => {
  const linked = linkShapes(shapes)
  const node = linked.get("Node")!

  it("are compiled once per shape and reused", () => {
    expect(jsonWriter(node)).toBe(jsonWriter(node))
    expect(jsonReader(node)).toBe(jsonReader(node))
    expect(xmlWriter(node)).toBe(xmlWriter(node))
  })

  it("handle recursive shapes at any depth", () => {
    let value: Record<string, unknown> = { Name: "leaf" }
    for (let i = 0; i < 200; i++) value = { Name: `n${i}`, Children: [value] }
    const text = jsonWriter(node)(value)
    expect(JSON.parse(text)).toEqual(value)
    expect(jsonReader(node)(JSON.parse(text))).toEqual(value)
  })
})

describe("jsonvalue members", () => {
  const json = {
    Input: {
      type: "structure",
      members: {
        Header: { shape: "Text", jsonvalue: true, location: "header", locationName: "X-Json" },
        Query: { shape: "Text", jsonvalue: true, location: "querystring", locationName: "q" },
        Body: { shape: "Text", jsonvalue: true },
        Shaped: { shape: "JsonText" }
      }
    },
    Output: { type: "structure", members: { Body: { shape: "Text", jsonvalue: true } } },
    Text: { type: "string" },
    JsonText: { type: "string", jsonvalue: true }
  }
  const value = { a: [1, "x", null], b: { c: true } }
  const text = JSON.stringify(value)

  it.each(["rest-json", "rest-xml"] as const)(
    "are base64 of the JSON text in headers and the JSON text in query strings (%s)",
    (protocol) => {
      const svc = service(protocol, json)
      const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), {
        Header: value,
        Query: value
      })
      expect(request.headers["X-Json"]).toBe(Buffer.from(text).toString("base64"))
      expect(request.query).toContainEqual(["q", text])
    }
  )

  it.each(PROTOCOLS)("are the JSON text in bodies, set on the member or its shape (%s)", (protocol) => {
    const svc = service(protocol, json)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), {
      Body: value,
      Shaped: [1, 2]
    })
    const body = bodyText(request.body)
    if (protocol === "json" || protocol === "rest-json") {
      expect(JSON.parse(body)).toEqual({ Body: text, Shaped: "[1,2]" })
    } else if (protocol === "rest-xml") {
      expect(/<Body>(.*)<\/Body>/.exec(body)?.[1]?.replaceAll("&quot;", '"')).toBe(text)
      expect(body).toContain("<Shaped>[1,2]</Shaped>")
    } else {
      const form = new URLSearchParams(body)
      expect(form.get("Body")).toBe(text)
      expect(form.get("Shaped")).toBe("[1,2]")
    }
  })

  it("a string value is taken as JSON text already", () => {
    const svc = service("rest-json", json)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), { Query: '{"k":1}' })
    expect(request.query).toContainEqual(["q", '{"k":1}'])
  })

  it.each(["rest-xml", "query", "ec2"] as const)(
    "are parsed from the JSON text of XML bodies (%s)",
    (protocol) => {
      const svc = service(protocol, json)
      const wrapped =
        protocol === "rest-xml"
          ? `<Output><Body>${text}</Body></Output>`
          : protocol === "query"
            ? `<OpResponse><OpResult><Body>${text}</Body></OpResult></OpResponse>`
            : `<OpResponse><Body>${text}</Body></OpResponse>`
      const out = svc.codec.deserialize(
        svc.operation({ output: { shape: "Output" } }),
        response(200, wrapped)
      )
      expect(out).toEqual({ Body: value })
    }
  )
})
