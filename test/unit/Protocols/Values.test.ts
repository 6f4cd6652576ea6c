/**
 * The SDK's value conventions at the codec edges: 64-bit integers, keys that could pollute
 * prototypes, unions, timestamps and blobs, and error paths into the input.
 */
import { describe, expect, it } from "vitest"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import { bodyText, type Protocol, response, service } from "../../support/ProtocolModel.js"

const shapes = {
  Data: {
    type: "structure",
    members: {
      Long: { shape: "Long" },
      Map: { shape: "StringMap" },
      Choice: { shape: "Choice" },
      When: { shape: "Timestamp" },
      Bytes: { shape: "Blob" }
    }
  },
  Headers: {
    type: "structure",
    members: {
      Long: { shape: "Long", location: "header", locationName: "x-long" },
      Meta: { shape: "StringMap", location: "headers", locationName: "x-meta-" }
    }
  },
  Choice: { type: "structure", union: true, members: { A: { shape: "String" }, B: { shape: "Long" } } },
  StringMap: { type: "map", key: { shape: "String" }, value: { shape: "String" } },
  Long: { type: "long" },
  String: { type: "string" },
  Timestamp: { type: "timestamp" },
  Blob: { type: "blob" }
}

const BIG = 9007199254740993n // 2^53 + 1

describe("long", () => {
  const bodies: ReadonlyArray<readonly [Protocol, string]> = [
    ["json", `{"Long":9007199254740993}`],
    ["rest-json", `{"Long":9007199254740993}`],
    ["rest-xml", "<OpResult><Long>9007199254740993</Long></OpResult>"],
    ["query", "<OpResponse><OpResult><Long>9007199254740993</Long></OpResult></OpResponse>"],
    ["ec2", "<OpResponse><Long>9007199254740993</Long></OpResponse>"]
  ]

  it.each(bodies)(
    "beyond 2^53 in a %s response is a ProtocolError, not a rounded number",
    (protocol, body) => {
      const svc = service(protocol, shapes)
      const read = () =>
        svc.codec.deserialize(svc.operation({ output: { shape: "Data" } }), response(200, body))
      expect(read).toThrow(ProtocolError)
      expect(read).toThrow(/Long: .*cannot be represented exactly/)
    }
  )

  it("beyond 2^53 in a response header is a ProtocolError", () => {
    const svc = service("rest-json", shapes)
    const read = () =>
      svc.codec.deserialize(
        svc.operation({ output: { shape: "Headers" } }),
        response(200, "", { "x-long": `${BIG}` })
      )
    expect(read).toThrow(/Long: the long 9007199254740993 cannot be represented exactly/)
  })

  it("up to 2^53 - 1 is read as a number", () => {
    const svc = service("json", shapes)
    const output = svc.codec.deserialize(
      svc.operation({ output: { shape: "Data" } }),
      response(200, `{"Long":9007199254740991}`)
    )
    expect(output).toEqual({ Long: Number.MAX_SAFE_INTEGER })
  })

  const sent: ReadonlyArray<readonly [Protocol, string]> = [
    ["json", `{"Long":9007199254740993}`],
    ["rest-json", `{"Long":9007199254740993}`],
    ["rest-xml", "<Data><Long>9007199254740993</Long></Data>"],
    ["query", "Action=Op&Version=2020-01-01&Long=9007199254740993"],
    ["ec2", "Action=Op&Version=2020-01-01&Long=9007199254740993"]
  ]

  it.each(sent)("as a bigint input is sent exactly by %s", (protocol, body) => {
    const svc = service(protocol, shapes)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Data" } }), { Long: BIG })
    expect(bodyText(request.body)).toBe(body)
  })

  it("as a bigint input is sent exactly in a header", () => {
    const svc = service("rest-xml", shapes)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Headers" } }), { Long: BIG })
    expect(request.headers["x-long"]).toBe("9007199254740993")
  })

  it("rejects a fractional number", () => {
    const svc = service("json", shapes)
    expect(() => svc.codec.serialize(svc.operation({ input: { shape: "Data" } }), { Long: 1.5 })).toThrow(
      /Long: expected an integer/
    )
  })
})

describe("map keys from responses", () => {
  const bodies: ReadonlyArray<readonly [Protocol, string]> = [
    ["json", `{"Map":{"__proto__":"yes","constructor":"c"}}`],
    [
      "rest-xml",
      "<OpResult><Map><entry><key>__proto__</key><value>yes</value></entry>" +
        "<entry><key>constructor</key><value>c</value></entry></Map></OpResult>"
    ]
  ]

  it.each(bodies)("such as __proto__ become own properties in %s, polluting nothing", (protocol, body) => {
    const svc = service(protocol, shapes)
    const output = svc.codec.deserialize(svc.operation({ output: { shape: "Data" } }), response(200, body))
    const map = output.Map as Record<string, unknown>
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype)
    expect(Object.keys(map)).toEqual(["__proto__", "constructor"])
    expect(Object.getOwnPropertyDescriptor(map, "__proto__")?.value).toBe("yes")
    expect(({} as Record<string, unknown>).yes).toBeUndefined()
  })

  it("such as __proto__ in prefix headers become own properties", () => {
    const svc = service("rest-xml", shapes)
    const output = svc.codec.deserialize(
      svc.operation({ output: { shape: "Headers" } }),
      response(200, "", { "x-meta-__proto__": "yes" })
    )
    const meta = output.Meta as Record<string, unknown>
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype)
    expect(Object.keys(meta)).toEqual(["__proto__"])
  })
})

describe("unions", () => {
  it("keep exactly the member present; an unknown member is $unknown: [name, value]", () => {
    const svc = service("rest-json", shapes)
    const op = svc.operation({ output: { shape: "Data" } })
    expect(svc.codec.deserialize(op, response(200, `{"Choice":{"A":"a","B":null}}`))).toEqual({
      Choice: { A: "a" }
    })
    expect(svc.codec.deserialize(op, response(200, `{"Choice":{"Z":{"x":1}}}`))).toEqual({
      Choice: { $unknown: ["Z", { x: 1 }] }
    })
  })

  it("in XML keep exactly the member present; an unknown member is $unknown: [name, text]", () => {
    const svc = service("rest-xml", shapes)
    const op = svc.operation({ output: { shape: "Data" } })
    expect(svc.codec.deserialize(op, response(200, "<R><Choice><B>2</B></Choice></R>"))).toEqual({
      Choice: { B: 2 }
    })
    expect(svc.codec.deserialize(op, response(200, "<R><Choice><Z>z</Z></Choice></R>"))).toEqual({
      Choice: { $unknown: ["Z", "z"] }
    })
  })

  it("with two members set is a ProtocolError", () => {
    const svc = service("json", shapes)
    const read = () =>
      svc.codec.deserialize(
        svc.operation({ output: { shape: "Data" } }),
        response(200, `{"Choice":{"A":"a","B":1}}`)
      )
    expect(read).toThrow(ProtocolError)
  })
})

describe("timestamps and blobs", () => {
  it("take a Date or epoch seconds; give a Date", () => {
    const svc = service("json", shapes)
    const op = svc.operation({ input: { shape: "Data" }, output: { shape: "Data" } })
    expect(bodyText(svc.codec.serialize(op, { When: new Date(1500) }).body)).toBe(`{"When":1.5}`)
    expect(bodyText(svc.codec.serialize(op, { When: 1.5 }).body)).toBe(`{"When":1.5}`)
    expect(svc.codec.deserialize(op, response(200, `{"When":1.5}`))).toEqual({ When: new Date(1500) })
  })

  it("reject an invalid Date or a year that cannot be written, naming the member", () => {
    const svc = service("rest-xml", shapes)
    const op = svc.operation({ input: { shape: "Data" } })
    expect(() => svc.codec.serialize(op, { When: new Date(Number.NaN) })).toThrow(/When: invalid Date/)
    expect(() => svc.codec.serialize(op, { When: new Date("+010000-01-01T00:00:00Z") })).toThrow(
      expect.objectContaining({ name: "ProtocolError", path: "When" })
    )
  })

  it("blobs take bytes or UTF-8 text and come back as bytes", () => {
    const svc = service("rest-xml", shapes)
    const op = svc.operation({ input: { shape: "Data" }, output: { shape: "Data" } })
    expect(bodyText(svc.codec.serialize(op, { Bytes: "hé" }).body)).toBe("<Data><Bytes>aMOp</Bytes></Data>")
    expect(bodyText(svc.codec.serialize(op, { Bytes: new Uint8Array([0, 255]) }).body)).toBe(
      "<Data><Bytes>AP8=</Bytes></Data>"
    )
    expect(svc.codec.deserialize(op, response(200, "<R><Bytes>AP8=</Bytes></R>"))).toEqual({
      Bytes: new Uint8Array([0, 255])
    })
    expect(() => svc.codec.deserialize(op, response(200, "<R><Bytes>not base64!</Bytes></R>"))).toThrow(
      /Bytes: not base64/
    )
  })
})

describe("error paths", () => {
  it("lead into lists and structures (Delete.Objects[2].Key)", () => {
    const svc = service("rest-xml", {
      Input: { type: "structure", members: { Delete: { shape: "Delete" } } },
      Delete: { type: "structure", members: { Objects: { shape: "Objects" } } },
      Objects: { type: "list", member: { shape: "Object" }, flattened: true },
      Object: { type: "structure", members: { Key: { shape: "String" } } },
      String: { type: "string" }
    })
    const serialize = () =>
      svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), {
        Delete: { Objects: [{ Key: "a" }, { Key: "b" }, { Key: 3 }] }
      })
    expect(serialize).toThrow(
      expect.objectContaining({ path: "Delete.Objects[2].Key", reason: "expected a string, got number" })
    )
  })
})
