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

describe("XML request bodies, element by element (issue 26)", () => {
  // linked again for each write: a writer is compiled once per shape, so that what a test checks
  // is compiled while that test runs (mutation testing runs only the tests that reached the code)
  const xmlShapes = {
    Root: {
      type: "structure",
      members: {
        Id: { shape: "Str", xmlAttribute: true, locationName: "id" },
        Kind: { shape: "Str", xmlAttribute: true },
        Stamp: { shape: "Time", xmlAttribute: true },
        Name: { shape: "Str" },
        Renamed: { shape: "Str", locationName: "Other" },
        Spaced: { shape: "Str", xmlNamespace: { uri: "urn:a&b" } },
        Prefixed: { shape: "Str", xmlNamespace: { prefix: "p", uri: "urn:p" } },
        Items: { shape: "Items" },
        Named: { shape: "NamedItems" },
        Flat: { shape: "Items", flattened: true, locationName: "Item" },
        Tags: { shape: "Tags" },
        NamedTags: { shape: "NamedTags" },
        FlatTags: { shape: "Tags", flattened: true, locationName: "Tag" },
        When: { shape: "Time" },
        WhenEpoch: { shape: "Time", timestampFormat: "unixTimestamp" },
        Stamps: { shape: "Stamps" },
        Data: { shape: "Bytes" },
        Flag: { shape: "Bool" },
        Count: { shape: "Int" },
        Child: { shape: "Child" }
      }
    },
    Child: { type: "structure", members: { A: { shape: "Str" } } },
    Items: { type: "list", member: { shape: "Str" } },
    NamedItems: {
      type: "list",
      member: { shape: "Str", locationName: "Entry", xmlNamespace: { uri: "urn:i" } }
    },
    Tags: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
    NamedTags: {
      type: "map",
      key: { shape: "Str", locationName: "K", xmlNamespace: { uri: "urn:k" } },
      value: { shape: "Str", locationName: "V", xmlNamespace: { prefix: "v", uri: "urn:v" } }
    },
    Stamps: { type: "list", member: { shape: "Time", timestampFormat: "unixTimestamp" } },
    Str: { type: "string" },
    Time: { type: "timestamp" },
    Bytes: { type: "blob" },
    Bool: { type: "boolean" },
    Int: { type: "integer" }
  }

  const write = (value: unknown, attributes = "") =>
    xmlWriter(linkShapes(xmlShapes).get("Root")!)(value, "Root", attributes)
  const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5))

  it("attributes: named by locationName or the member, escaped, timestamps as date-time, null ones left out", () => {
    expect(write({ Id: `a"<&'\r\n`, Kind: "k", Stamp: when })).toBe(
      `<Root id="a&quot;&lt;&amp;&apos;&#xD;&#xA;" Kind="k" Stamp="2026-01-02T03:04:05Z"></Root>`
    )
    expect(write({ Id: null, Kind: undefined }, ' xmlns="urn:r"')).toBe('<Root xmlns="urn:r"></Root>')
    expect(write({ Name: null, Items: undefined, Child: null })).toBe("<Root></Root>")
  })

  it("members: named by locationName or the member, text escaped, namespaces with and without prefix", () => {
    expect(write({ Name: "a<b>&\r", Renamed: "r", Spaced: "s", Prefixed: "p", Child: { A: "x" } })).toBe(
      "<Root><Name>a&lt;b&gt;&amp;&#xD;</Name><Other>r</Other>" +
        '<Spaced xmlns="urn:a&amp;b">s</Spaced><Prefixed xmlns:p="urn:p">p</Prefixed><Child><A>x</A></Child></Root>'
    )
  })

  it("lists: wrapped, items named member or their locationName, null items left out; flattened: repeated", () => {
    expect(write({ Items: ["a", null, "b", undefined], Named: ["c", "d"], Flat: ["e", "f"] })).toBe(
      "<Root><Items><member>a</member><member>b</member></Items>" +
        '<Named><Entry xmlns="urn:i">c</Entry><Entry xmlns="urn:i">d</Entry></Named>' +
        "<Item>e</Item><Item>f</Item></Root>"
    )
    expect(write({ Items: [] })).toBe("<Root><Items></Items></Root>")
  })

  it("maps: entry with key and value (or their locationNames), null values left out; flattened: repeated", () => {
    expect(
      write({
        Tags: { a: "1", b: null, "c&": "3", d: undefined },
        NamedTags: { k: "v" },
        FlatTags: { x: "9", y: "8" }
      })
    ).toBe(
      "<Root><Tags><entry><key>a</key><value>1</value></entry><entry><key>c&amp;</key><value>3</value></entry></Tags>" +
        '<NamedTags><entry><K xmlns="urn:k">k</K><V xmlns:v="urn:v">v</V></entry></NamedTags>' +
        "<Tag><key>x</key><value>9</value></Tag><Tag><key>y</key><value>8</value></Tag></Root>"
    )
  })

  it("scalars: timestamps as date-time unless the member or the item says otherwise, blobs base64, numbers, booleans", () => {
    expect(
      write({
        When: when,
        WhenEpoch: when,
        Stamps: [when],
        Data: new Uint8Array([1, 2, 255]),
        Flag: false,
        Count: 0
      })
    ).toBe(
      "<Root><When>2026-01-02T03:04:05Z</When><WhenEpoch>1767323045</WhenEpoch>" +
        "<Stamps><member>1767323045</member></Stamps><Data>AQL/</Data><Flag>false</Flag><Count>0</Count></Root>"
    )
  })

  it("a value of the wrong type fails naming where it is", () => {
    expect(() => write({ Items: ["a", 5] })).toThrow(expect.objectContaining({ path: "Items[1]" }))
    expect(() => write({ Tags: { ok: "1", bad: 2 } })).toThrow(
      expect.objectContaining({ path: 'Tags["bad"]' })
    )
    expect(() => write({ Id: 5 })).toThrow(expect.objectContaining({ path: "Id" }))
    expect(() => write({ Items: "a" })).toThrow(
      expect.objectContaining({ path: "Items", message: expect.stringContaining("expected an array, got") })
    )
    expect(() => write({ Tags: ["a"] })).toThrow(
      expect.objectContaining({ path: "Tags", message: expect.stringContaining("expected an object, got") })
    )
    expect(() => write({ Child: "a" })).toThrow(
      expect.objectContaining({ path: "Child", message: expect.stringContaining("expected an object, got") })
    )
    expect(() => write({ Flat: [1] })).toThrow(expect.objectContaining({ path: "Flat[0]" }))
    expect(() => write({ FlatTags: { z: 1 } })).toThrow(expect.objectContaining({ path: 'FlatTags["z"]' }))
    expect(() => write("root")).toThrow()
  })
})
