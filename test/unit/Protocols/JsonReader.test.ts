import { describe, expect, it } from "@effect/vitest"
import { jsonReader } from "../../../src/Protocols/JsonDecoder.js"
import * as DynamoDB from "../../../src/Services/DynamoDB/index.js"

// GetItemOutput: { Item: map of AttributeValue (a structure with one of S, N, B, M, L, NULL, ... set) }
const read = jsonReader(DynamoDB.getItem.model.output!.shape)

describe("JSON reader: structure shared with the parsed JSON where nothing changes", () => {
  it("returns unchanged objects and arrays as they are, and never mutates its input", () => {
    const text =
      '{"Item":{"a":{"S":"x"},"b":{"L":[{"N":"1"},{"M":{"c":{"BOOL":true}}}]},"d":{"SS":["p","q"]}}}'
    const input = JSON.parse(text)
    const out = read(input) as Record<string, Record<string, unknown>>
    expect(out).toEqual(JSON.parse(text))
    expect(out).toBe(input)
    expect(JSON.stringify(input)).toBe(text)
  })

  it("copies what it converts or drops, and shares the rest", () => {
    const text =
      '{"Item":{"a":{"S":"x"},"bin":{"B":"AQI="},"n":null,"u":{"S":"y","__type":"t"},"l":{"L":[{"S":"z"},{"B":"Aw=="}]}},"Extra":1}'
    const input = JSON.parse(text)
    const out = read(input) as { Item: Record<string, Record<string, unknown>> }
    expect(out).not.toBe(input)
    expect(Object.keys(out)).toEqual(["Item"])
    expect(Object.keys(out.Item)).toEqual(["a", "bin", "u", "l"])
    expect(out.Item.a).toBe(input.Item.a)
    expect(out.Item.bin!.B).toEqual(new Uint8Array([1, 2]))
    expect(out.Item.u).toEqual({ S: "y" })
    const list = out.Item.l!.L as Array<Record<string, unknown>>
    expect(list[0]).toBe(input.Item.l.L[0])
    expect(list[1]!.B).toEqual(new Uint8Array([3]))
    // the input is untouched
    expect(JSON.stringify(input)).toBe(text)
  })
})
