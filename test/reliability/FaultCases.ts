/**
 * The fault table: each fault the server can inject, against which client, and what the SDK must
 * make of it (the typed error or the success after retries, the attempts on both sides). Shared
 * by the fault suite and by the secrets scan, which replays it with debug logging and a tracer.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as S3 from "../../src/Services/S3/index.js"
import { realPause } from "../support/Clock.js"
import type { Reply } from "../support/FaultServer.js"
import * as TestService from "../support/TestService.js"
import { type Clients, crc32Of, crcEcho } from "./Harness.js"

export type ClientName = "json" | "dynamodb" | "s3" | "crc" | "download" | "download-unread" | "download-late"

/** One call per client, its output reduced to something comparable. */
export const callOf = (client: ClientName): Effect.Effect<unknown, unknown, Clients | Scope.Scope> => {
  switch (client) {
    case "json":
      return TestService.echo({ Name: "x" })
    case "crc":
      return crcEcho({ Name: "x" })
    case "dynamodb":
      return DynamoDB.getItem({ TableName: "t", Key: { id: { S: "1" } } })
    case "s3":
      return S3.listObjectsV2({ Bucket: "bucket" })
    case "download-unread":
      return Effect.map(TestService.download({ Id: "a" }), (out) => out.Size)
    case "download":
      return Effect.flatMap(TestService.download({ Id: "a" }), (out) =>
        out.Body === undefined ? Effect.succeed(0) : Stream.runFold(out.Body, 0, (n, c) => n + c.length)
      )
    case "download-late":
      // the body is read only after 200 ms (real time): whatever happened to the connection by then
      return Effect.flatMap(TestService.download({ Id: "a" }), (out) =>
        Effect.zipRight(
          realPause(200),
          out.Body === undefined ? Effect.succeed(0) : Stream.runFold(out.Body, 0, (n, c) => n + c.length)
        )
      )
  }
}

const JSON_11 = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "req-json" }
const JSON_10 = { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "req-ddb" }
const XML = { "content-type": "application/xml", "x-amz-request-id": "req-s3", "x-amz-id-2": "id2" }

const okBody: Record<ClientName, string> = {
  json: '{"Name":"ok"}',
  crc: '{"Name":"ok"}',
  dynamodb: '{"Item":{"id":{"S":"1"}}}',
  s3: '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><KeyCount>0</KeyCount></ListBucketResult>',
  download: "x".repeat(64),
  "download-unread": "x".repeat(64),
  "download-late": "x".repeat(64)
}
const headersOf: Record<ClientName, Readonly<Record<string, string>>> = {
  json: JSON_11,
  crc: JSON_11,
  dynamodb: JSON_10,
  s3: XML,
  download: { "content-type": "application/octet-stream", "x-amzn-requestid": "req-dl" },
  "download-unread": { "content-type": "application/octet-stream", "x-amzn-requestid": "req-dl" },
  "download-late": { "content-type": "application/octet-stream", "x-amzn-requestid": "req-dl" }
}

/** A successful reply of a client's call. */
export const ok = (client: ClientName): Reply => ({
  status: 200,
  headers: client === "crc" ? { ...JSON_11, "x-amz-crc32": crc32Of(okBody.crc) } : headersOf[client],
  body: okBody[client]
})

const jsonError = (client: "json" | "dynamodb", status: number, type: string): Reply => ({
  status,
  headers: headersOf[client],
  body: JSON.stringify({ __type: type, message: `${type} from the fault server` })
})

const s3Error = (status: number, code: string, extra = ""): Reply => ({
  status,
  headers: XML,
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code} from the fault server</Message>${extra}<RequestId>req-s3</RequestId><HostId>id2</HostId></Error>`
})

const html = (status: number): Reply => ({
  status,
  headers: { "content-type": "text/html", server: "nginx" },
  body: `<!DOCTYPE html>\n<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n`
})

/** What a case must end in. */
export type Expected =
  | { readonly _tag: "Success" }
  | {
      readonly _tag: "Failure"
      /** The error's `_tag`. */
      readonly tag: string
      /** For service errors, the `code`; for network errors, the `code` (`ECONNREFUSED`). */
      readonly code?: string
      readonly statusCode?: number
      /** Text the message must contain. */
      readonly message?: string
      /** For `RequestTimeout`, the phase that ran out of time. */
      readonly phase?: string
    }

export interface FaultCase {
  readonly fault: string
  readonly client: ClientName
  readonly replies: ReadonlyArray<Reply>
  /** Point the client at a port nobody listens on. */
  readonly refused?: boolean
  readonly idleTimeoutMs?: number
  readonly expected: Expected
  /** Attempts the client makes (sends to its transport). */
  readonly attempts: number
  /** Requests the server sees. */
  readonly serverSaw: number
}

const success = { _tag: "Success" } as const
const failure = (tag: string, more: Omit<Extract<Expected, { _tag: "Failure" }>, "_tag" | "tag"> = {}) =>
  ({ _tag: "Failure", tag, ...more }) as const

const both = (
  fault: string,
  client: ClientName,
  reply: Reply,
  failed: Expected,
  rest: Partial<FaultCase> = {}
) => [
  {
    fault: `${fault}, then success`,
    client,
    replies: [reply, ok(client)],
    expected: success,
    attempts: 2,
    serverSaw: 2,
    ...rest
  },
  {
    fault: `${fault}, every attempt`,
    client,
    replies: [reply],
    expected: failed,
    attempts: 3,
    serverSaw: 3,
    ...rest
  }
]

export const faultCases: ReadonlyArray<FaultCase> = [
  // 5xx
  ...both(
    "500 InternalFailure (JSON)",
    "json",
    jsonError("json", 500, "InternalFailure"),
    failure("InternalFailure", { statusCode: 500 })
  ),
  ...both(
    "500 with an empty body (JSON)",
    "json",
    { status: 500, headers: JSON_11 },
    failure("InternalError", { statusCode: 500 })
  ),
  ...both(
    "500 InternalError (S3 XML)",
    "s3",
    s3Error(500, "InternalError"),
    failure("InternalError", { statusCode: 500 })
  ),
  ...both("503 SlowDown (S3 XML)", "s3", s3Error(503, "SlowDown"), failure("SlowDown", { statusCode: 503 })),
  // throttling
  ...both(
    "400 ThrottlingException (JSON)",
    "json",
    jsonError("json", 400, "ThrottlingException"),
    failure("ThrottlingException")
  ),
  ...both(
    "429 TooManyRequestsException (JSON)",
    "json",
    jsonError("json", 429, "TooManyRequestsException"),
    failure("TooManyRequestsException")
  ),
  ...both(
    "400 ProvisionedThroughputExceededException (DynamoDB)",
    "dynamodb",
    jsonError("dynamodb", 400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"),
    failure("ProvisionedThroughputExceededException")
  ),
  ...both(
    "400 ThrottlingException (DynamoDB)",
    "dynamodb",
    jsonError("dynamodb", 400, "ThrottlingException"),
    failure("ThrottlingException")
  ),
  ...both(
    "429 with an empty body (JSON)",
    "json",
    { status: 429, headers: JSON_11 },
    failure("AwsServiceError", { code: "Http429Error", statusCode: 429 })
  ),
  // connections
  {
    fault: "connection refused",
    client: "json",
    replies: [],
    refused: true,
    expected: failure("NetworkError", { code: "ECONNREFUSED" }),
    attempts: 3,
    serverSaw: 0
  },
  ...both("reset before the headers", "json", { reset: "beforeHeaders" }, failure("NetworkError")),
  ...both("reset mid-headers", "json", { ...ok("json"), reset: "midHeaders" }, failure("NetworkError")),
  ...both("reset mid-headers (S3)", "s3", { ...ok("s3"), reset: "midHeaders" }, failure("NetworkError")),
  ...both(
    "reset mid-body",
    "json",
    { ...ok("json"), body: `{"Name":"${"y".repeat(4000)}"}`, reset: "midBody" },
    failure("NetworkError")
  ),
  ...both(
    "reset mid-body (DynamoDB)",
    "dynamodb",
    { ...ok("dynamodb"), reset: "midBody" },
    failure("NetworkError")
  ),
  ...both(
    "truncated body, correct Content-Length",
    "json",
    { ...ok("json"), body: `{"Name":"${"z".repeat(4000)}"}`, truncate: true },
    failure("NetworkError")
  ),
  ...both(
    "truncated body, correct Content-Length (S3)",
    "s3",
    { ...ok("s3"), truncate: true },
    failure("NetworkError")
  ),
  ...both(
    "body stalls, idle timeout 100 ms",
    "json",
    { ...ok("json"), stallBody: true },
    failure("RequestTimeout", { phase: "body" }),
    {
      idleTimeoutMs: 100
    }
  ),
  ...both(
    "body stalls, idle timeout 100 ms (S3)",
    "s3",
    { ...ok("s3"), stallBody: true },
    failure("RequestTimeout", { phase: "body" }),
    {
      idleTimeoutMs: 100
    }
  ),
  ...both(
    "no response, idle timeout 100 ms",
    "json",
    { ...ok("json"), delayMs: 1_000 },
    failure("RequestTimeout", { phase: "response" }),
    {
      idleTimeoutMs: 100
    }
  ),
  {
    fault: "streamed body stalls, idle timeout 100 ms",
    client: "download",
    replies: [{ ...ok("download"), stallBody: true }],
    idleTimeoutMs: 100,
    expected: failure("RequestTimeout", { phase: "body" }),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "streamed body stalls, never read, no idle timeout",
    client: "download-unread",
    replies: [{ ...ok("download"), stallBody: true }],
    expected: success,
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "streamed body reset mid-body",
    client: "download",
    replies: [{ ...ok("download"), reset: "midBody" }],
    expected: failure("NetworkError"),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "streamed body reset mid-body before it is read",
    client: "download-late",
    replies: [{ ...ok("download"), reset: "midBody" }],
    expected: failure("NetworkError"),
    attempts: 1,
    serverSaw: 1
  },
  // malformed bodies on 200
  {
    fault: "malformed JSON on 200",
    client: "json",
    replies: [{ ...ok("json"), body: '{"Name": "ok", ' }],
    expected: failure("SerializationError"),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "200 HTML page from a captive portal (JSON)",
    client: "json",
    replies: [{ ...html(200), body: "<html><body>Sign in to the hotel Wi-Fi</body></html>" }],
    expected: failure("SerializationError", { message: 'the body starts "<html><body>Sign in' }),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "malformed JSON on 200 (DynamoDB)",
    client: "dynamodb",
    replies: [{ ...ok("dynamodb"), body: '{"Item":{"id":{"S":"1"}' }],
    expected: failure("SerializationError"),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "JSON of the wrong shape on 200 (DynamoDB)",
    client: "dynamodb",
    replies: [{ ...ok("dynamodb"), body: '{"Item":{"id":{"S":1}}}' }],
    expected: failure("SerializationError", { message: "Item" }),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "malformed XML on 200 (S3)",
    client: "s3",
    replies: [{ ...ok("s3"), body: "<ListBucketResult><Name>bucket</Name><KeyCount>0</KeyCount>" }],
    expected: failure("SerializationError"),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "XML with a DOCTYPE on 200 (S3)",
    client: "s3",
    replies: [
      {
        ...ok("s3"),
        body: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><ListBucketResult><Name>&a;</Name></ListBucketResult>'
      }
    ],
    expected: failure("SerializationError", { message: "DOCTYPE" }),
    attempts: 1,
    serverSaw: 1
  },
  // damaged in transit
  ...both(
    "wrong x-amz-crc32 (DynamoDB)",
    "dynamodb",
    { ...ok("dynamodb"), headers: { ...JSON_10, "x-amz-crc32": "12345" } },
    failure("NetworkError", { message: "crc32" })
  ),
  ...both(
    "wrong x-amz-crc32 (pipeline hook, test customization)",
    "crc",
    { ...ok("crc"), headers: { ...JSON_11, "x-amz-crc32": "12345" } },
    failure("NetworkError", { message: "crc32" })
  ),
  // proxies
  ...both(
    "502 HTML page from a proxy (JSON)",
    "json",
    html(502),
    failure("AwsServiceError", { code: "Http502Error", statusCode: 502, message: "502" })
  ),
  ...both(
    "503 HTML page from a proxy (JSON)",
    "json",
    html(503),
    failure("ServiceUnavailable", { statusCode: 503 })
  ),
  ...both(
    "502 HTML page from a proxy (DynamoDB)",
    "dynamodb",
    html(502),
    failure("AwsServiceError", { code: "Http502Error", statusCode: 502 })
  ),
  ...both(
    "502 HTML page from a proxy (S3)",
    "s3",
    html(502),
    failure("AwsServiceError", { code: "Http502Error", statusCode: 502 })
  ),
  ...both(
    "503 HTML page from a proxy (S3)",
    "s3",
    html(503),
    failure("ServiceUnavailable", { statusCode: 503 })
  ),
  // redirects are not followed
  {
    fault: "301 redirect loop (Location: the same URL)",
    client: "json",
    replies: [{ status: 301, headers: { location: "/", "content-type": "text/plain" } }],
    expected: failure("AwsServiceError", { code: "Http301Error", statusCode: 301, message: "redirect" }),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "307 redirect loop (Location: the same URL)",
    client: "json",
    replies: [{ status: 307, headers: { location: "/", "content-type": "text/plain" }, body: "moved" }],
    expected: failure("AwsServiceError", { code: "Http307Error", statusCode: 307, message: "redirect" }),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "301 PermanentRedirect loop (S3 XML)",
    client: "s3",
    replies: [
      {
        ...s3Error(301, "PermanentRedirect", "<Endpoint>127.0.0.1</Endpoint><Bucket>bucket</Bucket>"),
        headers: { ...XML, location: "/bucket?list-type=2" }
      }
    ],
    expected: failure("AwsServiceError", { code: "PermanentRedirect", statusCode: 301 }),
    attempts: 1,
    serverSaw: 1
  },
  {
    fault: "307 TemporaryRedirect loop (S3 XML)",
    client: "s3",
    replies: [
      {
        ...s3Error(307, "TemporaryRedirect", "<Endpoint>127.0.0.1</Endpoint>"),
        headers: { ...XML, location: "/bucket?list-type=2" }
      }
    ],
    expected: failure("AwsServiceError", { code: "TemporaryRedirect", statusCode: 307 }),
    attempts: 1,
    serverSaw: 1
  }
]

/** A one-line description of how a run ended (for the table and for failure messages). */
export const describeExit = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return `DEFECT ${Cause.pretty(exit.cause)}`
  const e = failure.value as { _tag?: string; code?: string; statusCode?: number; phase?: string }
  const detail = [e.code, e.statusCode, e.phase].filter((x) => x !== undefined).join(" ")
  return `${e._tag}${detail === "" ? "" : ` (${detail})`}`
}
