/**
 * Messages to typed events and back, on hand-written models shaped like S3 SelectObjectContent
 * (rest-xml: blob and XML structure payloads), Bedrock ConverseStream (rest-json: JSON payloads,
 * nested unions, modeled exceptions mid-stream), Transcribe streaming (an input audio stream of
 * blob payloads, a JSON configuration event) and a json-protocol stream with an initial response
 * and event headers of every type. Each message goes through the framing both ways first.
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { encodeCbor } from "../../../src/Protocols/Cbor.js"
import {
  decodeMessage,
  encodeMessage,
  type HeaderValue,
  type Message,
  MessageDecoder
} from "../../../src/Protocols/EventStream.js"
import {
  cborPayloads,
  decodeEvent,
  encodeEvent,
  encodeInitialRequest,
  eventStreamReader,
  jsonPayloads,
  payloadFormatOf,
  xmlPayloads
} from "../../../src/Protocols/EventStreamEvents.js"
import { eventSigningChain } from "../../../src/Protocols/EventStreamSigning.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import type { StructureShape } from "../../../src/Protocols/Shape.js"

const utf8 = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const str = (value: string): HeaderValue => ({ type: "string", value })

/** A message as a server sends it, through the framing (encoded, then decoded from the wire). */
const wire = (headers: Record<string, HeaderValue>, payload: string | Uint8Array): Message =>
  decodeMessage(encodeMessage({ headers, payload: typeof payload === "string" ? utf8(payload) : payload }))

const event = (
  type: string,
  contentType: string | undefined,
  payload: string | Uint8Array,
  extra = {}
): Message =>
  wire(
    {
      ":message-type": str("event"),
      ":event-type": str(type),
      ...(contentType === undefined ? {} : { ":content-type": str(contentType) }),
      ...extra
    },
    payload
  )

const exception = (type: string, payload: string): Message =>
  wire(
    {
      ":message-type": str("exception"),
      ":exception-type": str(type),
      ":content-type": str("application/json")
    },
    payload
  )

const structure = (shapes: ReadonlyMap<string, unknown>, name: string) => shapes.get(name) as StructureShape

describe("S3 SelectObjectContent (rest-xml)", () => {
  const shapes = linkShapes({
    SelectObjectContentEventStream: {
      type: "structure",
      eventstream: true,
      members: {
        Records: { shape: "RecordsEvent" },
        Stats: { shape: "StatsEvent" },
        Progress: { shape: "ProgressEvent" },
        Cont: { shape: "ContinuationEvent" },
        End: { shape: "EndEvent" }
      }
    },
    RecordsEvent: {
      type: "structure",
      event: true,
      members: { Payload: { shape: "Body", eventpayload: true } }
    },
    StatsEvent: {
      type: "structure",
      event: true,
      members: { Details: { shape: "Stats", eventpayload: true } }
    },
    ProgressEvent: {
      type: "structure",
      event: true,
      members: { Details: { shape: "Progress", eventpayload: true } }
    },
    Stats: {
      type: "structure",
      members: {
        BytesScanned: { shape: "Long" },
        BytesProcessed: { shape: "Long" },
        BytesReturned: { shape: "Long" }
      }
    },
    Progress: { type: "structure", members: { BytesScanned: { shape: "Long" } } },
    ContinuationEvent: { type: "structure", event: true, members: {} },
    EndEvent: { type: "structure", event: true, members: {} },
    Body: { type: "blob" },
    Long: { type: "long" }
  })
  const model = {
    union: structure(shapes, "SelectObjectContentEventStream"),
    format: payloadFormatOf({ protocol: "rest-xml", apiVersion: "2006-03-01" })
  }

  it("decodes records, stats, continuation and end from frames cut anywhere", () => {
    const frames = [
      encodeMessage(event("Records", "application/octet-stream", "a,b\n1,2\n")),
      encodeMessage(
        event(
          "Stats",
          "text/xml",
          "<Stats><BytesScanned>100</BytesScanned><BytesProcessed>90</BytesProcessed><BytesReturned>8</BytesReturned></Stats>"
        )
      ),
      encodeMessage(event("Progress", "text/xml", "<Progress><BytesScanned>50</BytesScanned></Progress>")),
      encodeMessage(event("Cont", undefined, "")),
      encodeMessage(event("End", undefined, ""))
    ]
    const all = Buffer.concat(frames)
    const decoder = new MessageDecoder()
    const events = []
    for (let i = 0; i < all.length; i += 7) {
      for (const m of decoder.push(all.subarray(i, i + 7))) events.push(decodeEvent(model, m))
    }
    decoder.end()
    expect(events.map((e) => e._tag)).toEqual(["Event", "Event", "Event", "Event", "Event"])
    const [records, stats, progress, cont, end] = events.map((e) =>
      e._tag === "Event" ? e.event : undefined
    )
    expect(text((records as { Records: { Payload: Uint8Array } }).Records.Payload)).toBe("a,b\n1,2\n")
    expect(stats).toEqual({ Stats: { Details: { BytesScanned: 100, BytesProcessed: 90, BytesReturned: 8 } } })
    expect(progress).toEqual({ Progress: { Details: { BytesScanned: 50 } } })
    expect(cont).toEqual({ Cont: {} })
    expect(end).toEqual({ End: {} })
  })

  it("reports a malformed XML payload as a ProtocolError naming the event and member", () => {
    expect(() => decodeEvent(model, event("Stats", "text/xml", "<Stats><BytesScanned>1</Stats>"))).toThrow(
      /Stats\.Details/
    )
  })
})

describe("Bedrock ConverseStream (rest-json)", () => {
  const shapes = linkShapes({
    ConverseStreamOutput: {
      type: "structure",
      eventstream: true,
      members: {
        messageStart: { shape: "MessageStartEvent" },
        contentBlockDelta: { shape: "ContentBlockDeltaEvent" },
        contentBlockStop: { shape: "ContentBlockStopEvent" },
        messageStop: { shape: "MessageStopEvent" },
        metadata: { shape: "ConverseStreamMetadataEvent" },
        internalServerException: { shape: "InternalServerException" },
        modelStreamErrorException: { shape: "ModelStreamErrorException" },
        throttlingException: { shape: "ThrottlingException" }
      }
    },
    MessageStartEvent: { type: "structure", event: true, members: { role: { shape: "S" } } },
    ContentBlockDeltaEvent: {
      type: "structure",
      event: true,
      members: { delta: { shape: "ContentBlockDelta" }, contentBlockIndex: { shape: "I" } }
    },
    ContentBlockDelta: {
      type: "structure",
      union: true,
      members: { text: { shape: "S" }, toolUse: { shape: "ToolUseBlockDelta" } }
    },
    ToolUseBlockDelta: { type: "structure", members: { input: { shape: "S" } } },
    ContentBlockStopEvent: { type: "structure", event: true, members: { contentBlockIndex: { shape: "I" } } },
    MessageStopEvent: {
      type: "structure",
      event: true,
      members: { stopReason: { shape: "S" }, additionalModelResponseFields: { shape: "Doc" } }
    },
    ConverseStreamMetadataEvent: {
      type: "structure",
      event: true,
      members: { usage: { shape: "TokenUsage" }, metrics: { shape: "Metrics" } }
    },
    TokenUsage: {
      type: "structure",
      members: { inputTokens: { shape: "I" }, outputTokens: { shape: "I" }, totalTokens: { shape: "I" } }
    },
    Metrics: { type: "structure", members: { latencyMs: { shape: "L" } } },
    InternalServerException: { type: "structure", exception: true, members: { message: { shape: "S" } } },
    ModelStreamErrorException: {
      type: "structure",
      exception: true,
      members: {
        message: { shape: "S" },
        originalStatusCode: { shape: "I" },
        originalMessage: { shape: "S" }
      }
    },
    ThrottlingException: { type: "structure", exception: true, members: { message: { shape: "S" } } },
    Doc: { type: "structure", document: true, members: {} },
    S: { type: "string" },
    I: { type: "integer" },
    L: { type: "long" }
  })
  const model = { union: structure(shapes, "ConverseStreamOutput"), format: jsonPayloads }
  const json = "application/json"

  it("decodes text deltas, tool use, stop and metadata (padding ignored)", () => {
    const got = [
      event("messageStart", json, '{"p":"abcd","role":"assistant"}'),
      event("contentBlockDelta", json, '{"contentBlockIndex":0,"delta":{"text":"Hel"},"p":"ab"}'),
      event("contentBlockDelta", json, '{"contentBlockIndex":0,"delta":{"text":"lo \\u00e9"}}'),
      event("contentBlockDelta", json, '{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\\"a\\":"}}}'),
      event("contentBlockStop", json, '{"contentBlockIndex":1}'),
      event("messageStop", json, '{"stopReason":"tool_use","additionalModelResponseFields":{"x":[1]}}'),
      event(
        "metadata",
        json,
        '{"usage":{"inputTokens":10,"outputTokens":5,"totalTokens":15},"metrics":{"latencyMs":321}}'
      )
    ].map((m) => decodeEvent(model, m))
    expect(got).toEqual([
      { _tag: "Event", event: { messageStart: { role: "assistant" } } },
      { _tag: "Event", event: { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hel" } } } },
      { _tag: "Event", event: { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "lo \u00e9" } } } },
      {
        _tag: "Event",
        event: { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } } }
      },
      { _tag: "Event", event: { contentBlockStop: { contentBlockIndex: 1 } } },
      {
        _tag: "Event",
        event: { messageStop: { stopReason: "tool_use", additionalModelResponseFields: { x: [1] } } }
      },
      {
        _tag: "Event",
        event: {
          metadata: {
            usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
            metrics: { latencyMs: 321 }
          }
        }
      }
    ])
  })

  it("turns a modeled exception mid-stream into a typed error with its members", () => {
    const got = decodeEvent(
      model,
      exception(
        "modelStreamErrorException",
        '{"message":"boom","originalStatusCode":424,"originalMessage":"x"}'
      )
    )
    expect(got._tag).toBe("Exception")
    if (got._tag !== "Exception") return
    expect(got.error.code).toBe("modelStreamErrorException")
    expect(got.error.message).toBe("boom")
    expect(got.error.shape?.name).toBe("ModelStreamErrorException")
    expect(got.error.members).toEqual({ message: "boom", originalStatusCode: 424, originalMessage: "x" })
  })

  it("reports an unmodeled exception with its code and message", () => {
    const got = decodeEvent(model, exception("SomethingNew", '{"Message":"new"}'))
    expect(got).toEqual({
      _tag: "Exception",
      error: { code: "SomethingNew", message: "new", shape: undefined, members: {}, requestId: undefined }
    })
  })

  it("turns :message-type error into a typed error with :error-code and :error-message", () => {
    const m = wire(
      {
        ":message-type": str("error"),
        ":error-code": str("InternalFailure"),
        ":error-message": str("try again")
      },
      ""
    )
    expect(decodeEvent(model, m)).toEqual({ _tag: "Error", code: "InternalFailure", message: "try again" })
  })

  it("passes an event type the model does not know as Unknown", () => {
    const m = event("newKindOfEvent", json, "{}")
    expect(decodeEvent(model, m)).toMatchObject({ _tag: "Unknown", eventType: "newKindOfEvent" })
  })

  it("rejects messages that contradict the model, with where", () => {
    expect(() => decodeEvent(model, wire({ ":event-type": str("messageStart") }, "{}"))).toThrow(
      /without :message-type/
    )
    expect(() => decodeEvent(model, wire({ ":message-type": { type: "integer", value: 1 } }, ""))).toThrow(
      /:message-type is a integer, not a string/
    )
    expect(() =>
      decodeEvent(model, event("contentBlockDelta", json, '{"contentBlockIndex":"zero"}'))
    ).toThrow(ProtocolError)
    expect(() =>
      decodeEvent(model, event("contentBlockDelta", json, '{"contentBlockIndex":"zero"}'))
    ).toThrow(/contentBlockDelta\.contentBlockIndex/)
    expect(() => decodeEvent(model, event("messageStart", json, "{not json"))).toThrow(/malformed JSON/)
    expect(() => decodeEvent(model, wire({ ":message-type": str("bogus") }, ""))).toThrow(
      /unknown :message-type/
    )
  })
})

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

describe("a json-protocol stream with an initial response and event headers", () => {
  const shapes = linkShapes({
    Output: { type: "structure", members: { SessionId: { shape: "S" }, Events: { shape: "Stream" } } },
    Input: { type: "structure", members: { Name: { shape: "S" }, Events: { shape: "Stream" } } },
    Stream: { type: "structure", eventstream: true, members: { Tick: { shape: "Tick" } } },
    Tick: {
      type: "structure",
      event: true,
      members: {
        Label: { shape: "S", eventheader: true },
        Count: { shape: "I", eventheader: true },
        Big: { shape: "L", eventheader: true, locationName: "big-number" },
        On: { shape: "B", eventheader: true },
        Raw: { shape: "Blob", eventheader: true },
        At: { shape: "T", eventheader: true },
        Note: { shape: "S" }
      }
    },
    S: { type: "string" },
    I: { type: "integer" },
    L: { type: "long" },
    B: { type: "boolean" },
    Blob: { type: "blob" },
    T: { type: "timestamp" }
  })
  const union = structure(shapes, "Stream")
  const model = { union, format: jsonPayloads, output: structure(shapes, "Output") }

  it("fills the output's other members from the initial response", () => {
    const m = event("initial-response", "application/json", '{"SessionId":"s-1"}')
    expect(decodeEvent(model, m)).toEqual({ _tag: "InitialResponse", members: { SessionId: "s-1" } })
  })

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
    const m = encodeEvent(union, jsonPayloads, { Tick: tick })
    expect(m.headers.Label).toEqual(str("l"))
    expect(m.headers.Count).toEqual({ type: "integer", value: 7 })
    expect(m.headers["big-number"]).toEqual({ type: "long", value: 2n ** 40n })
    expect(m.headers.At).toEqual({ type: "timestamp", value: tick.At })
    expect(JSON.parse(text(m.payload))).toEqual({ Note: "n" })
    expect(decodeEvent(model, decodeMessage(encodeMessage(m)))).toEqual({
      _tag: "Event",
      event: { Tick: tick }
    })
  })

  it("rejects a header of the wrong type or a long beyond 2^53", () => {
    expect(() => decodeEvent(model, event("Tick", undefined, "", { Count: str("7") }))).toThrow(
      /Tick\.Count: a string header cannot be a integer/
    )
    expect(() =>
      decodeEvent(model, event("Tick", undefined, "", { "big-number": { type: "long", value: 2n ** 60n } }))
    ).toThrow(/Tick\.Big: the long 1152921504606846976 cannot be represented/)
  })

  it("writes the initial request from the input's other members", () => {
    const m = encodeInitialRequest(structure(shapes, "Input"), jsonPayloads, { Name: "x", Events: "ignored" })
    expect(m.headers[":event-type"]).toEqual(str("initial-request"))
    expect(JSON.parse(text(m.payload))).toEqual({ Name: "x" })
  })

  it("reads CBOR and XML payloads with the same plan", () => {
    const cbor = { union, format: cborPayloads, output: structure(shapes, "Output") }
    expect(decodeEvent(cbor, event("Tick", "application/cbor", encodeCbor({ Note: "c" })))).toEqual({
      _tag: "Event",
      event: { Tick: { Note: "c" } }
    })
    const xml = { union, format: xmlPayloads }
    expect(decodeEvent(xml, event("Tick", "text/xml", "<Tick><Note>x</Note></Tick>"))).toEqual({
      _tag: "Event",
      event: { Tick: { Note: "x" } }
    })
  })
})

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
