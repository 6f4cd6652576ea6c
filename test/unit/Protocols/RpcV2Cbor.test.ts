/**
 * The rpc-v2-cbor codec beyond the Smithy suites: numbers the shape bounds (a long beyond 2^53,
 * a biginteger), timestamps either way, unions, error codes from the body, the status or the
 * awsQuery header, an event-stream output passed through, and broken bodies as `ProtocolError`s.
 */
import { describe, expect, it } from "vitest"
import { linkOperation, linkShapes } from "../../../src/Protocols/Api2.js"
import { decodeCbor, encodeCbor } from "../../../src/Protocols/Cbor.js"
import { codecFor } from "../../../src/Protocols/index.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import type { ServiceMetadata, StructureShape } from "../../../src/Protocols/Shape.js"

const shapes = linkShapes({
  Out: {
    type: "structure",
    members: {
      Long: { shape: "L" },
      Big: { shape: "BI" },
      When: { shape: "T" },
      Choice: { shape: "U" },
      Tags: { shape: "M" },
      Blob: { shape: "B" }
    }
  },
  In: { type: "structure", members: { Long: { shape: "L" }, When: { shape: "T" }, F: { shape: "F" } } },
  Streamed: { type: "structure", members: { Events: { shape: "Events" } } },
  Events: { type: "structure", eventstream: true, members: { A: { shape: "Ev" } } },
  Ev: { type: "structure", event: true, members: {} },
  U: { type: "structure", union: true, members: { A: { shape: "S" }, B: { shape: "L" } } },
  M: { type: "map", key: { shape: "S" }, value: { shape: "S" } },
  Oops: { type: "structure", exception: true, members: { Message: { shape: "S" }, Reason: { shape: "S" } } },
  S: { type: "string" },
  L: { type: "long" },
  BI: { type: "biginteger" },
  T: { type: "timestamp" },
  F: { type: "float" },
  B: { type: "blob" }
})
const errors = [shapes.get("Oops") as StructureShape]
const metadata: ServiceMetadata = {
  protocol: "smithy-rpc-v2-cbor",
  apiVersion: "2020-01-01",
  targetPrefix: "Svc"
}
const codec = codecFor(metadata, { serviceErrors: errors })
const op = (given: Record<string, unknown>) => linkOperation(shapes, { name: "Op", ...given })
const respond = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: body instanceof Uint8Array ? body : encodeCbor(body)
})

describe("rpc-v2-cbor requests", () => {
  it("posts the input as CBOR to the operation's path", () => {
    const when = new Date(1_700_000_000_500)
    const r = codec.serialize(op({ input: { shape: "In" } }), { Long: 2n ** 60n, When: when, F: 0.1 })
    expect(r.method).toBe("POST")
    expect(r.path).toBe("/service/Svc/operation/Op")
    expect(r.headers).toEqual({
      "smithy-protocol": "rpc-v2-cbor",
      Accept: "application/cbor",
      "Content-Type": "application/cbor"
    })
    // a float that is not exactly single precision is sent as a double, not rounded
    expect(decodeCbor(r.body as Uint8Array)).toEqual({ Long: 2n ** 60n, When: when, F: 0.1 })
  })

  it("reports a bad input value with its path", () => {
    expect(() => codec.serialize(op({ input: { shape: "In" } }), { Long: 1.5 })).toThrow(
      /Long: expected an integer/
    )
  })
})

describe("rpc-v2-cbor responses", () => {
  const out = op({ output: { shape: "Out" } })
  const read = (body: unknown) => codec.deserialize(out, respond(200, body))

  it("reads a long beyond 2^53 as an error, a biginteger as a bigint", () => {
    expect(() => read({ Long: 2n ** 60n })).toThrow(
      /Long: the long 1152921504606846976 cannot be represented/
    )
    expect(read({ Big: 2n ** 60n, Long: 2 ** 53 - 1 })).toEqual({ Big: 2n ** 60n, Long: 2 ** 53 - 1 })
  })

  it("reads a timestamp from tag 1 or from bare epoch seconds", () => {
    expect(read({ When: new Date(1_500_000) })).toEqual({ When: new Date(1_500_000) })
    expect(read({ When: 1500.5 })).toEqual({ When: new Date(1_500_500) })
  })

  it("keeps the one union member, an unknown one as $unknown, and rejects two", () => {
    expect(read({ Choice: { A: "x" } })).toEqual({ Choice: { A: "x" } })
    expect(read({ Choice: { C: 1 } })).toEqual({ Choice: { $unknown: ["C", 1] } })
    expect(() => read({ Choice: { A: "x", B: 1 } })).toThrow(/more than one member/)
  })

  it("reports a value of the wrong type with its path, and a broken body as a ProtocolError", () => {
    expect(() => read({ Tags: { a: 1 } })).toThrow(/Tags\["a"\]: expected a string/)
    expect(() => read({ Blob: "text" })).toThrow(/Blob: expected a byte string/)
    expect(() => codec.deserialize(out, respond(200, Uint8Array.of(0xa1, 0x61)))).toThrow(ProtocolError)
  })

  it("passes an event stream output through", () => {
    const body = { stream: true }
    expect(
      codec.deserialize(op({ output: { shape: "Streamed" } }), respond(200, new Uint8Array(0)), body)
    ).toEqual({
      Events: body
    })
  })
})

describe("rpc-v2-cbor errors", () => {
  const o = op({ output: { shape: "Out" } })

  it("resolves __type to the modeled error, with its members and message", () => {
    const e = codec.deserializeError(
      o,
      respond(400, { __type: "com.example#Oops", Message: "no", Reason: "r" }, { "x-amzn-requestid": "id" })
    )
    expect(e).toMatchObject({
      code: "Oops",
      message: "no",
      members: { Message: "no", Reason: "r" },
      requestId: "id"
    })
    expect(e.shape?.name).toBe("Oops")
  })

  it("names an error without a body after its status", () => {
    expect(codec.deserializeError(o, respond(503, new Uint8Array(0))).code).toBe("ServiceUnavailable")
  })

  it("takes the awsQuery code from x-amzn-query-error when the service is query-compatible", () => {
    const qc = codecFor({ ...metadata, awsQueryCompatible: {} })
    const e = qc.deserializeError(
      o,
      respond(400, { __type: "com.example#Oops" }, { "x-amzn-query-error": "Legacy.Code;Sender" })
    )
    expect(e.code).toBe("Legacy.Code")
    expect(
      codec.deserializeError(o, respond(400, { __type: "a#Oops" }, { "x-amzn-query-error": "X;Sender" })).code
    ).toBe("Oops")
  })
})
