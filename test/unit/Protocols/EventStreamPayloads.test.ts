/**
 * Event payload formats: the same member plan read from CBOR and XML payloads.
 */
import { describe, expect, it } from "vitest"
import { encodeCbor } from "../../../src/Protocols/Cbor.js"
import { decodeEvent } from "../../../src/Protocols/EventStreamOutput.js"
import { cborPayloads, xmlPayloads } from "../../../src/Protocols/EventStreamPayloads.js"
import { event, structure, tickShapes, tickUnion } from "../../support/EventStreamEvents.js"

describe("payload formats", () => {
  it("reads CBOR and XML payloads with the same plan", () => {
    const cbor = { union: tickUnion, format: cborPayloads, output: structure(tickShapes, "Output") }
    expect(decodeEvent(cbor, event("Tick", "application/cbor", encodeCbor({ Note: "c" })))).toEqual({
      _tag: "Event",
      event: { Tick: { Note: "c" } }
    })
    const xml = { union: tickUnion, format: xmlPayloads }
    expect(decodeEvent(xml, event("Tick", "text/xml", "<Tick><Note>x</Note></Tick>"))).toEqual({
      _tag: "Event",
      event: { Tick: { Note: "x" } }
    })
  })
})
