/**
 * Input events to messages: a Transcribe-like input audio stream (blob payloads, a JSON
 * configuration event, each framed and signed) and a json-protocol stream with event headers of
 * every type and an initial request; what is written is read back through the framing.
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { decodeMessage, encodeMessage } from "../../../src/Protocols/EventStream.js"
import { encodeEvent, encodeInitialRequest } from "../../../src/Protocols/EventStreamInput.js"
import { decodeEvent } from "../../../src/Protocols/EventStreamOutput.js"
import { jsonPayloads } from "../../../src/Protocols/EventStreamPayloads.js"
import { eventSigningChain } from "../../../src/Protocols/EventStreamSigning.js"
import { str, structure, text, tickModel, tickShapes, tickUnion } from "../../support/EventStreamEvents.js"

describe("Transcribe streaming (rest-json input audio stream)", () => {
  const shapes = linkShapes({
    AudioStream: {
      type: "structure",
      eventstream: true,
      members: { AudioEvent: { shape: "AudioEvent" }, ConfigurationEvent: { shape: "ConfigurationEvent" } }
    },
    AudioEvent: {
      type: "structure",
      event: true,
      members: { AudioChunk: { shape: "Chunk", eventpayload: true } }
    },
    ConfigurationEvent: {
      type: "structure",
      event: true,
      members: { ChannelDefinitions: { shape: "Channels" } }
    },
    Channels: { type: "list", member: { shape: "Channel" } },
    Channel: { type: "structure", members: { ChannelId: { shape: "I" }, ParticipantRole: { shape: "S" } } },
    Chunk: { type: "blob" },
    S: { type: "string" },
    I: { type: "integer" }
  })
  const union = structure(shapes, "AudioStream")

  it("writes an audio event as a blob payload with the event headers", () => {
    const m = encodeEvent(union, jsonPayloads, { AudioEvent: { AudioChunk: new Uint8Array([1, 2, 3, 4]) } })
    expect(m.headers).toEqual({
      ":message-type": str("event"),
      ":event-type": str("AudioEvent"),
      ":content-type": str("application/octet-stream")
    })
    expect(m.payload).toEqual(new Uint8Array([1, 2, 3, 4]))
  })

  it("writes a configuration event as a JSON payload, and reads it back", () => {
    const value = { ConfigurationEvent: { ChannelDefinitions: [{ ChannelId: 0, ParticipantRole: "AGENT" }] } }
    const m = encodeEvent(union, jsonPayloads, value)
    expect(m.headers[":content-type"]).toEqual(str("application/json"))
    expect(JSON.parse(text(m.payload))).toEqual(value.ConfigurationEvent)
    const back = decodeEvent({ union, format: jsonPayloads }, decodeMessage(encodeMessage(m)))
    expect(back).toEqual({ _tag: "Event", event: value })
  })

  it("frames and signs each event, then an empty end-of-stream message", () => {
    const sign = eventSigningChain(
      { secretAccessKey: "secret", region: "us-east-1", service: "transcribe" },
      "00".repeat(32)
    )
    const date = new Date("2024-01-02T03:04:05Z")
    const inner = encodeMessage(
      encodeEvent(union, jsonPayloads, { AudioEvent: { AudioChunk: new Uint8Array(320) } })
    )
    const outer = decodeMessage(sign(inner, date))
    expect(Object.keys(outer.headers)).toEqual([":date", ":chunk-signature"])
    expect(decodeMessage(outer.payload).headers[":event-type"]).toEqual(str("AudioEvent"))
    expect(decodeMessage(sign(new Uint8Array(0), date)).payload).toEqual(new Uint8Array(0))
  })

  it("rejects an event with no member or two members set, or not of the union", () => {
    expect(() => encodeEvent(union, jsonPayloads, {})).toThrow(/exactly one member set, got none/)
    expect(() =>
      encodeEvent(union, jsonPayloads, {
        AudioEvent: { AudioChunk: new Uint8Array(1) },
        ConfigurationEvent: {}
      })
    ).toThrow(/got AudioEvent, ConfigurationEvent/)
    expect(() => encodeEvent(union, jsonPayloads, { Nope: {} })).toThrow(
      /Nope is not an event of AudioStream/
    )
    expect(() => encodeEvent(union, jsonPayloads, { AudioEvent: { AudioChunk: 5 } })).toThrow(
      /AudioEvent\.AudioChunk/
    )
  })
})

describe("a json-protocol stream with event headers", () => {
  it("binds header members of every type, and the rest from the payload, both ways", () => {
    const tick = {
      Label: "l",
      Count: 7,
      Big: 2 ** 40,
      On: true,
      Raw: new Uint8Array([9]),
      At: new Date(1_700_000_000_000),
      Note: "n"
    }
    const m = encodeEvent(tickUnion, jsonPayloads, { Tick: tick })
    expect(m.headers.Label).toEqual(str("l"))
    expect(m.headers.Count).toEqual({ type: "integer", value: 7 })
    expect(m.headers["big-number"]).toEqual({ type: "long", value: 2n ** 40n })
    expect(m.headers.At).toEqual({ type: "timestamp", value: tick.At })
    expect(JSON.parse(text(m.payload))).toEqual({ Note: "n" })
    expect(decodeEvent(tickModel, decodeMessage(encodeMessage(m)))).toEqual({
      _tag: "Event",
      event: { Tick: tick }
    })
  })

  it("writes the initial request from the input's other members", () => {
    const m = encodeInitialRequest(structure(tickShapes, "Input"), jsonPayloads, {
      Name: "x",
      Events: "ignored"
    })
    expect(m.headers[":event-type"]).toEqual(str("initial-request"))
    expect(JSON.parse(text(m.payload))).toEqual({ Name: "x" })
  })
})
