/**
 * Unions (`union: true` structures) in every protocol: exactly one member set is validated before
 * sending, written as that one member, and read back as that one member; a response with more than
 * one is a ProtocolError, one the model does not know is `$unknown`.
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import type { StructureShape } from "../../../src/Protocols/Shape.js"
import { validate } from "../../../src/Request/Pipeline/Validate.js"
import { bodyText, PROTOCOLS, type Protocol, response, service } from "../../support/ProtocolModel.js"

const shapes = {
  Input: { type: "structure", members: { Choice: { shape: "Choice" }, Choices: { shape: "ChoiceList" } } },
  Output: { type: "structure", members: { Choice: { shape: "Choice" } } },
  Choice: {
    type: "structure",
    union: true,
    members: { Text: { shape: "String" }, Count: { shape: "Integer" }, Nested: { shape: "Nested" } }
  },
  ChoiceList: { type: "list", member: { shape: "Choice" } },
  Nested: { type: "structure", members: { Flag: { shape: "Boolean" } } },
  String: { type: "string" },
  Integer: { type: "integer" },
  Boolean: { type: "boolean" }
}

const input = linkShapes(shapes).get("Input") as StructureShape

describe("union validation", () => {
  it("takes exactly one member: none and two are problems that say where", () => {
    expect(validate(input, { Choice: { Text: "a" } })).toEqual([])
    expect(validate(input, { Choice: {} })).toEqual([
      { path: "Choice", message: "a union takes exactly one member, got none (Text, Count or Nested)" }
    ])
    expect(validate(input, { Choices: [{ Count: 1 }, { Text: "a", Count: 2 }] })).toEqual([
      { path: "Choices[1]", message: "a union takes exactly one member, got 2 (Text, Count)" }
    ])
  })

  it("a null member counts as unset", () => {
    expect(validate(input, { Choice: { Text: null, Count: 3 } })).toEqual([])
  })
})

/** A response body holding `Choice` as the protocol writes it. */
const outputBody = (protocol: Protocol, choice: string): string => {
  switch (protocol) {
    case "json":
    case "rest-json":
      return `{"Choice":${choice}}`
    case "rest-xml":
      return `<Output><Choice>${choice}</Choice></Output>`
    case "query":
      return `<OpResponse><OpResult><Choice>${choice}</Choice></OpResult></OpResponse>`
    case "ec2":
      return `<OpResponse><Choice>${choice}</Choice></OpResponse>`
  }
}

const isJson = (protocol: Protocol) => protocol === "json" || protocol === "rest-json"

describe.each(PROTOCOLS)("unions in %s", (protocol) => {
  const svc = service(protocol, shapes)
  const read = (choice: string) =>
    svc.codec.deserialize(
      svc.operation({ output: { shape: "Output" } }),
      response(200, outputBody(protocol, choice))
    )

  it("are written as their one member", () => {
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), {
      Choice: { Nested: { Flag: true } },
      Choices: [{ Count: 7 }, { Text: "x" }]
    })
    const body = bodyText(request.body)
    if (isJson(protocol)) {
      expect(JSON.parse(body)).toEqual({
        Choice: { Nested: { Flag: true } },
        Choices: [{ Count: 7 }, { Text: "x" }]
      })
    } else if (protocol === "rest-xml") {
      expect(body).toBe(
        "<Input><Choice><Nested><Flag>true</Flag></Nested></Choice><Choices><member><Count>7</Count></member><member><Text>x</Text></member></Choices></Input>"
      )
    } else {
      const form = Object.fromEntries(new URLSearchParams(body))
      const list = protocol === "ec2" ? "Choices" : "Choices.member"
      expect(form).toMatchObject({
        "Choice.Nested.Flag": "true",
        [`${list}.1.Count`]: "7",
        [`${list}.2.Text`]: "x"
      })
    }
  })

  it("are read as their one member", () => {
    const json = isJson(protocol)
    expect(read(json ? `{"Count":5}` : "<Count>5</Count>")).toEqual({ Choice: { Count: 5 } })
    expect(read(json ? `{"Nested":{"Flag":false}}` : "<Nested><Flag>false</Flag></Nested>")).toEqual({
      Choice: { Nested: { Flag: false } }
    })
  })

  it("with two members set in a response are a ProtocolError", () => {
    const both = isJson(protocol) ? `{"Count":5,"Text":"a"}` : "<Count>5</Count><Text>a</Text>"
    expect(() => read(both)).toThrow(ProtocolError)
    expect(() => read(both)).toThrow("a union has more than one member set")
  })

  it("with a member the model does not know are $unknown", () => {
    expect(read(isJson(protocol) ? `{"Future":"v"}` : "<Future>v</Future>")).toEqual({
      Choice: { $unknown: ["Future", "v"] }
    })
  })
})
