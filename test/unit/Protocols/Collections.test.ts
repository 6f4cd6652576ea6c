/**
 * Lists and maps where the suites do not go: empty ones in every protocol (both ways), and
 * flattened lists and maps nested inside flattened lists (rest-xml and query).
 */
import { describe, expect, it } from "vitest"
import { bodyText, PROTOCOLS, response, service } from "../../support/ProtocolModel.js"

const shapes = {
  Input: {
    type: "structure",
    members: {
      List: { shape: "Strings" },
      Map: { shape: "StringMap" },
      FlatList: { shape: "Strings", flattened: true },
      FlatMap: { shape: "StringMap", flattened: true },
      Items: { shape: "Items", flattened: true }
    }
  },
  Items: { type: "list", member: { shape: "Item" } },
  Item: {
    type: "structure",
    members: {
      Tags: { shape: "StringMap", flattened: true },
      Values: { shape: "Strings", flattened: true },
      Nested: { shape: "Strings" }
    }
  },
  Strings: { type: "list", member: { shape: "String" } },
  StringMap: { type: "map", key: { shape: "String" }, value: { shape: "String" } },
  String: { type: "string" }
}

const empty = { List: [], Map: {}, FlatList: [], FlatMap: {} }

const expectedEmptyBody: Readonly<Record<string, string>> = {
  "rest-json": `{"List":[],"Map":{},"FlatList":[],"FlatMap":{}}`,
  json: `{"List":[],"Map":{},"FlatList":[],"FlatMap":{}}`,
  // a wrapped list or map is an empty element; a flattened one has no element at all
  "rest-xml": "<Input><List></List><Map></Map></Input>",
  // awsQuery sends an empty list as `Name=`, an empty map not at all; ec2 sends neither
  query: "Action=Op&Version=2020-01-01&List=&FlatList=",
  ec2: "Action=Op&Version=2020-01-01"
}

describe("empty lists and maps", () => {
  it.each(PROTOCOLS)("are serialized as %s expects", (protocol) => {
    const svc = service(protocol, shapes)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), empty)
    expect(bodyText(request.body)).toBe(expectedEmptyBody[protocol])
  })

  const emptyResponses: ReadonlyArray<readonly [string, string]> = [
    ["rest-json", `{"List":[],"Map":{}}`],
    ["json", `{"List":[],"Map":{}}`],
    ["rest-xml", "<OpResult><List/><Map></Map></OpResult>"],
    ["query", "<OpResponse><OpResult><List/><Map></Map></OpResult></OpResponse>"],
    ["ec2", "<OpResponse><List/><Map></Map></OpResponse>"]
  ]
  it.each(emptyResponses)("are read from %s as [] and {}", (protocol, body) => {
    const svc = service(protocol as (typeof PROTOCOLS)[number], shapes)
    const output = svc.codec.deserialize(svc.operation({ output: { shape: "Input" } }), response(200, body))
    expect(output).toEqual({ List: [], Map: {} })
  })
})

describe("flattened lists and maps inside a flattened list", () => {
  const value = {
    Items: [
      { Tags: { a: "1", b: "2" }, Values: ["x", "y"], Nested: ["n"] },
      { Tags: { c: "3" }, Values: ["z"] }
    ]
  }

  it("rest-xml writes repeated elements and reads them back", () => {
    const svc = service("rest-xml", shapes)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), value)
    const xml = bodyText(request.body)
    expect(xml).toBe(
      "<Input>" +
        "<Items><Tags><key>a</key><value>1</value></Tags><Tags><key>b</key><value>2</value></Tags>" +
        "<Values>x</Values><Values>y</Values><Nested><member>n</member></Nested></Items>" +
        "<Items><Tags><key>c</key><value>3</value></Tags><Values>z</Values></Items>" +
        "</Input>"
    )
    const output = svc.codec.deserialize(svc.operation({ output: { shape: "Input" } }), response(200, xml))
    expect(output).toEqual(value)
  })

  it("query numbers every level", () => {
    const svc = service("query", shapes)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), value)
    expect(bodyText(request.body).split("&").slice(2)).toEqual([
      "Items.1.Tags.1.key=a",
      "Items.1.Tags.1.value=1",
      "Items.1.Tags.2.key=b",
      "Items.1.Tags.2.value=2",
      "Items.1.Values.1=x",
      "Items.1.Values.2=y",
      "Items.1.Nested.member.1=n",
      "Items.2.Tags.1.key=c",
      "Items.2.Tags.1.value=3",
      "Items.2.Values.1=z"
    ])
  })

  it("query reads them from a result", () => {
    const svc = service("query", shapes)
    const xml =
      "<OpResponse><OpResult><Items><Tags><key>a</key><value>1</value></Tags><Values>x</Values></Items>" +
      "<Items><Values>y</Values><Values>z</Values></Items></OpResult></OpResponse>"
    const output = svc.codec.deserialize(svc.operation({ output: { shape: "Input" } }), response(200, xml))
    expect(output).toEqual({ Items: [{ Tags: { a: "1" }, Values: ["x"] }, { Values: ["y", "z"] }] })
  })
})
