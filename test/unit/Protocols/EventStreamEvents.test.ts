/**
 * `eventStreamReader`: the output side over body chunks (framing, then `decodeEvent`), with the
 * decoder's limits.
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { encodeMessage } from "../../../src/Protocols/EventStream.js"
import { eventStreamReader, jsonPayloads } from "../../../src/Protocols/EventStreamEvents.js"
import { event, structure } from "../../support/EventStreamEvents.js"

describe("eventStreamReader", () => {
  const shapes = linkShapes({
    Stream: { type: "structure", eventstream: true, members: { Chunk: { shape: "ChunkEvent" } } },
    ChunkEvent: { type: "structure", event: true, members: { Bytes: { shape: "Blob", eventpayload: true } } },
    Blob: { type: "blob" }
  })
  const model = { union: structure(shapes, "Stream"), format: jsonPayloads }

  it("decodes the events a chunk completes, and fails at the end inside a frame", () => {
    const frames = [1, 2, 3].map((n) =>
      encodeMessage(event("Chunk", "application/octet-stream", new Uint8Array(n)))
    )
    const all = Buffer.concat(frames)
    const reader = eventStreamReader(model)
    expect(reader.push(all.subarray(0, 5))).toEqual([])
    const got = reader.push(all.subarray(5, all.length - 1))
    expect(
      got.map((e) => (e._tag === "Event" ? (e.event.Chunk as { Bytes: Uint8Array }).Bytes.length : -1))
    ).toEqual([1, 2])
    expect(() => reader.end()).toThrow(`ended ${frames[2]!.length - 1} bytes into a message`)
  })

  it("holds the decoder's limits", () => {
    const reader = eventStreamReader(model, { maxMessageBytes: 20 })
    expect(() => reader.push(encodeMessage(event("Chunk", undefined, new Uint8Array(100))))).toThrow(
      /exceeds the limit of 20/
    )
  })
})
