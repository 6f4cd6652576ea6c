/**
 * Request details the suites only touch with fixed values: the default idempotency token, host
 * label validation, and compile-once caching (recursive shapes included).
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { jsonReader } from "../../../src/Protocols/JsonDecoder.js"
import { jsonWriter } from "../../../src/Protocols/JsonEncoder.js"
import { xmlWriter } from "../../../src/Protocols/XmlEncoder.js"
import { bodyText, PROTOCOLS, service } from "./model.js"

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
