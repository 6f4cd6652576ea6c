/**
 * Responses the suites do not cover: malformed bodies, errors without a body or in S3's bare
 * form, error codes outside the operation's list, and streamed payloads.
 */
import { describe, expect, it } from "vitest"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import { type Protocol, response, service } from "../../support/ProtocolModel.js"

const shapes = {
  Output: { type: "structure", members: { Name: { shape: "String" } } },
  NoSuchKey: {
    type: "structure",
    exception: true,
    members: { Message: { shape: "String" }, Key: { shape: "String" } }
  },
  Throttled: { type: "structure", exception: true, members: { message: { shape: "String" } } },
  String: { type: "string" }
}

describe("malformed bodies", () => {
  const cases: ReadonlyArray<readonly [Protocol, string, string]> = [
    ["json", `{"Name": "trunc`, "JSON"],
    ["rest-json", `<html>oops</html>`, "JSON"],
    ["rest-xml", `<Output><Name>x</Output>`, "XML"],
    ["query", `{"not":"xml"}`, "XML"],
    ["ec2", `<OpResponse><Name>&bogus;</Name></OpResponse>`, "XML"]
  ]

  it.each(cases)(
    "in %s are a ProtocolError saying what is wrong, never quoting the body",
    (protocol, body, format) => {
      const svc = service(protocol, shapes)
      const read = () =>
        svc.codec.deserialize(svc.operation({ output: { shape: "Output" } }), response(200, body))
      expect(read).toThrow(ProtocolError)
      expect(read).toThrow(`malformed ${format} response body of ${body.length} characters (`)
      // a successful response is the output, and outputs carry secrets: the pipeline decides
      // whether a body may be quoted (error responses and proxy pages are)
      expect(read).not.toThrow(body.slice(0, 12))
    }
  )

  it("the JSON parser's own quote of the text is cut from the reason", () => {
    const svc = service("json", shapes)
    const body = `{"Name": "secret-value" x}`
    try {
      svc.codec.deserialize(svc.operation({ output: { shape: "Output" } }), response(200, body))
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toMatch(/^malformed JSON response body of 26 characters \(.+\)$/)
      expect((e as Error).message).not.toContain("secret")
    }
  })

  it.each(["json", "rest-json"] as const)(
    "an output without members takes any body (%s): plain text, HTML, nothing",
    (protocol) => {
      const svc = service(protocol, { ...shapes, Empty: { type: "structure", members: {} } })
      for (const body of ["OK", "<html>accepted</html>", "", "{"]) {
        expect(
          svc.codec.deserialize(
            svc.operation({ output: { shape: "Empty" } }),
            response(200, body, { "content-type": "text/plain" })
          )
        ).toEqual({})
      }
    }
  )

  it("an XML body with a DOCTYPE is refused", () => {
    const svc = service("rest-xml", shapes)
    const body = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Output><Name>&x;</Name></Output>`
    expect(() =>
      svc.codec.deserialize(svc.operation({ output: { shape: "Output" } }), response(200, body))
    ).toThrow(/DOCTYPE/)
  })
})

describe("errors", () => {
  const errorsOp = { output: { shape: "Output" }, errors: [{ shape: "NoSuchKey" }] }

  it("without a body take their code from the status (S3 HEAD 404)", () => {
    const svc = service("rest-xml", shapes)
    const error = svc.codec.deserializeError(
      svc.operation({ ...errorsOp, http: { method: "HEAD", requestUri: "/" } }),
      response(404, "", { "x-amz-request-id": "req-1" })
    )
    expect(error).toMatchObject({
      code: "NotFound",
      message: undefined,
      shape: undefined,
      requestId: "req-1"
    })
  })

  it("in S3's bare <Error> form resolve to the modeled shape, with request id and members", () => {
    const svc = service("rest-xml", shapes)
    const body =
      "<Error><Code>NoSuchKey</Code><Message>gone</Message><Key>a.txt</Key><RequestId>req-2</RequestId></Error>"
    const error = svc.codec.deserializeError(svc.operation(errorsOp), response(404, body))
    expect(error.code).toBe("NoSuchKey")
    expect(error.shape?.name).toBe("NoSuchKey")
    expect(error).toMatchObject({
      message: "gone",
      requestId: "req-2",
      members: { Message: "gone", Key: "a.txt" }
    })
  })

  it("named outside the operation's list resolve against the service's error shapes", () => {
    const svc = service("json", shapes)
    const op = svc.operation(errorsOp)
    const body = `{"__type":"com.amazon#Throttled","message":"slow down"}`
    expect(svc.codec.deserializeError(op, response(400, body))).toMatchObject({
      code: "Throttled",
      shape: undefined
    })
    const withServiceErrors = service("json", shapes, {}, true)
    const error = withServiceErrors.codec.deserializeError(
      withServiceErrors.operation(errorsOp),
      response(400, body)
    )
    expect(error.shape?.name).toBe("Throttled")
    expect(error).toMatchObject({
      code: "Throttled",
      message: "slow down",
      members: { message: "slow down" }
    })
  })

  it("with an errorMessage field give that message", () => {
    const svc = service("rest-json", shapes)
    const error = svc.codec.deserializeError(
      svc.operation(errorsOp),
      response(400, `{"errorMessage":"bad"}`, { "x-amzn-errortype": "Bad:http://x/" })
    )
    expect(error).toMatchObject({ code: "Bad", message: "bad" })
  })

  it("of a query-compatible json service use the awsQuery code from x-amzn-query-error", () => {
    const svc = service("json", shapes, { awsQueryCompatible: {} })
    const error = svc.codec.deserializeError(
      svc.operation(errorsOp),
      response(400, `{"__type":"com.amazon#NoSuchKey","Message":"m"}`, {
        "x-amzn-query-error": "AWS.Legacy.NoSuchKey;Sender"
      })
    )
    expect(error.code).toBe("AWS.Legacy.NoSuchKey")
  })
})

describe("streamed payloads", () => {
  const streaming = {
    Output: {
      type: "structure",
      members: {
        Body: { shape: "Stream" },
        Length: { shape: "Long", location: "header", locationName: "content-length" }
      },
      payload: "Body"
    },
    Input: { type: "structure", members: { Body: { shape: "Stream" } }, payload: "Body" },
    Sized: {
      type: "structure",
      members: {
        Body: { shape: "SizedStream" },
        Length: { shape: "Long", location: "header", locationName: "Content-Length" }
      },
      payload: "Body"
    },
    Events: { type: "structure", members: { Events: { shape: "EventStream" } } },
    EventStream: { type: "structure", eventstream: true, members: { A: { shape: "Event" } } },
    Event: { type: "structure", event: true, members: {} },
    Stream: { type: "blob", streaming: true },
    SizedStream: { type: "blob", streaming: true, requiresLength: true },
    Long: { type: "long" }
  }
  const stream = { _streaming: "a stream" }

  it("put the pipeline's stream in the payload member, headers beside it", () => {
    const svc = service("rest-xml", streaming)
    const output = svc.codec.deserialize(
      svc.operation({ output: { shape: "Output" } }),
      response(200, "", { "content-length": "3" }),
      stream
    )
    expect(output).toEqual({ Body: stream, Length: 3 })
  })

  it("pass a stream input through as the body", () => {
    const svc = service("rest-json", streaming)
    const request = svc.codec.serialize(svc.operation({ input: { shape: "Input" } }), { Body: stream })
    expect(request.body).toBe(stream)
    expect(request.headers["Content-Type"]).toBe("application/octet-stream")
  })

  it("refuse a stream of unknown length where the service requires the length", () => {
    const svc = service("rest-xml", streaming)
    const op = svc.operation({ input: { shape: "Sized" } })
    expect(() => svc.codec.serialize(op, { Body: stream })).toThrow(/Body: the service needs the length/)
    expect(svc.codec.serialize(op, { Body: stream, Length: 3 }).headers["Content-Length"]).toBe("3")
    expect(svc.codec.serialize(op, { Body: "abc" }).body).toBe("abc")
  })

  it("hand an event stream over undecoded, and refuse one as input", () => {
    const svc = service("json", streaming)
    const output = svc.codec.deserialize(
      svc.operation({ output: { shape: "Events" } }),
      response(200, ""),
      stream
    )
    expect(output).toEqual({ Events: stream })
    expect(() => svc.codec.serialize(svc.operation({ input: { shape: "Events" } }), { Events: {} })).toThrow(
      /Events: event stream input is not supported yet/
    )
  })
})

describe("header lists", () => {
  const headers = {
    Output: {
      type: "structure",
      members: {
        Strings: { shape: "Strings", location: "header", locationName: "x-strings" },
        Dates: { shape: "Dates", location: "header", locationName: "x-dates" },
        Numbers: { shape: "Numbers", location: "header", locationName: "x-numbers" }
      }
    },
    Strings: { type: "list", member: { shape: "String" } },
    Dates: { type: "list", member: { shape: "Timestamp" } },
    Numbers: { type: "list", member: { shape: "Integer" } },
    String: { type: "string" },
    Timestamp: { type: "timestamp" },
    Integer: { type: "integer" }
  }
  const svc = service("rest-json", headers)
  const op = svc.operation({ input: { shape: "Output" }, output: { shape: "Output" } })

  it("round-trip quoted items, escaped quotes and http-dates", () => {
    const value = {
      Strings: ["a,b", 'say "hi"', "plain", "back\\slash"],
      Dates: [new Date(0), new Date(1576540098000)],
      Numbers: [1, 2]
    }
    const sent = svc.codec.serialize(op, value).headers
    expect(sent).toMatchObject({
      "x-strings": '"a,b", "say \\"hi\\"", plain, back\\slash',
      "x-dates": "Thu, 01 Jan 1970 00:00:00 GMT, Mon, 16 Dec 2019 23:48:18 GMT",
      "x-numbers": "1, 2"
    })
    expect(svc.codec.deserialize(op, response(200, "", sent))).toEqual(value)
  })

  it("read an empty header as an empty list", () => {
    expect(svc.codec.deserialize(op, response(200, "", { "x-strings": "" }))).toEqual({ Strings: [] })
  })
})
