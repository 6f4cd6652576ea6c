/**
 * Messages to typed events, on hand-written models shaped like S3 SelectObjectContent (rest-xml:
 * blob and XML structure payloads), Bedrock ConverseStream (rest-json: JSON payloads, nested
 * unions, modeled exceptions mid-stream) and a json-protocol stream with an initial response and
 * event headers. Each message goes through the framing both ways first.
 */
import { describe, expect, it } from "vitest"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import { encodeMessage, MessageDecoder } from "../../../src/Protocols/EventStream.js"
import { decodeEvent } from "../../../src/Protocols/EventStreamOutput.js"
import { jsonPayloads, payloadFormatOf } from "../../../src/Protocols/EventStreamPayloads.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import { event, exception, str, structure, text, tickModel, wire } from "../../support/EventStreamEvents.js"

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

describe("a json-protocol stream with an initial response and event headers", () => {
  it("fills the output's other members from the initial response", () => {
    const m = event("initial-response", "application/json", '{"SessionId":"s-1"}')
    expect(decodeEvent(tickModel, m)).toEqual({ _tag: "InitialResponse", members: { SessionId: "s-1" } })
  })

  it("rejects a header of the wrong type or a long beyond 2^53", () => {
    expect(() => decodeEvent(tickModel, event("Tick", undefined, "", { Count: str("7") }))).toThrow(
      /Tick\.Count: a string header cannot be a integer/
    )
    expect(() =>
      decodeEvent(
        tickModel,
        event("Tick", undefined, "", { "big-number": { type: "long", value: 2n ** 60n } })
      )
    ).toThrow(/Tick\.Big: the long 1152921504606846976 cannot be represented/)
  })
})
