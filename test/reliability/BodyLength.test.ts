/**
 * A request body puts exactly its declared length on the wire, or the call fails with a typed
 * error and its connection is abandoned.
 *
 * A body longer than its `Content-Length` is request smuggling on a keep-alive connection: the
 * server reads the extra bytes as the next request, and the next call on that socket receives the
 * answer to it. A body shorter than declared leaves the server waiting for bytes that never come.
 * Every body kind is covered (string, bytes, an Effect `Stream`, a Node `Readable` made a
 * `Stream`, a file read as a `Stream`), both directions, over the Node transport and over an
 * `@effect/platform` `HttpClient` (fetch).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as HttpClientTransport from "../../src/Request/HttpClientTransport.js"
import * as Retry from "../../src/Request/Retry.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"
import * as FaultServer from "../support/FaultServer.js"
import { runAgainst, staticCredentials } from "./Harness.js"

const encoder = new TextEncoder()

/** A second request hidden after the declared length: what a smuggled body carries. */
const SMUGGLED = "PUT /bucket/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("the call succeeded")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  return failure.value
}

type Body = NonNullable<S3.PutObjectRequest["Body"]>

/** Body kinds that produce `text`'s bytes as a stream, each made fresh per call. */
const streamKinds: ReadonlyArray<readonly [string, (text: string) => Body]> = [
  [
    "an Effect Stream",
    (text) => Stream.make(encoder.encode(text.slice(0, 4)), encoder.encode(text.slice(4)))
  ],
  [
    "a Node Readable made a Stream",
    (text) =>
      Stream.fromAsyncIterable(
        Readable.from([Buffer.from(text.slice(0, 4)), Buffer.from(text.slice(4))]),
        (e) => e
      )
  ],
  [
    "a file read as a Stream",
    (text) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "body-length-")), "body")
      fs.writeFileSync(file, text)
      return Stream.fromAsyncIterable(fs.createReadStream(file, { highWaterMark: 4 }), (e) => e)
    }
  ]
]

const put = (Body: Body, ContentLength: number) =>
  S3.putObject({ Bucket: "bucket", Key: "k", Body, ContentLength })

describe("a request body puts exactly its declared length on the wire", () => {
  it.effect(
    "a string's length counts UTF-8 bytes: text.length as ContentLength is refused before sending",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FaultServer.scoped
          const text = "héllo wörld" // 11 characters, 13 bytes
          const report = yield* runAgainst(server, put(text, text.length))
          const error = failureOf(report.exit) as { _tag: string; message: string }
          expect(error._tag).toBe("SerializationError")
          expect(error.message).toMatch(/Content-Length.*"11".*13 bytes.*UTF-8/)
          expect(report.requests).toBe(0)
          expect(report.sends).toBe(0)
        })
      )
  )

  for (const [label, declared] of [
    ["longer", 3],
    ["shorter", 9]
  ] as const) {
    it.effect(`bytes ${label} than their declared length are refused before sending`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FaultServer.scoped
          const report = yield* runAgainst(server, put(encoder.encode("abcdef"), declared))
          const error = failureOf(report.exit) as { _tag: string; message: string }
          expect(error._tag).toBe("SerializationError")
          expect(error.message).toContain(`Content-Length: is "${declared}" but the body is 6 bytes`)
          expect(report.requests).toBe(0)
        })
      )
    )
  }

  it.effect("a ContentLength that is no length in bytes is refused before sending", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        const report = yield* runAgainst(server, put(Stream.make(encoder.encode("abc")), -3))
        const error = failureOf(report.exit) as { _tag: string; message: string }
        expect(error._tag).toBe("SerializationError")
        expect(error.message).toContain('Content-Length: is "-3", not a length in bytes')
        expect(report.requests).toBe(0)
      })
    )
  )

  for (const [kind, make] of streamKinds) {
    it.effect(`${kind} longer than declared: nothing past the length is sent, the socket is not reused`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FaultServer.scoped
          server.scriptWith((request) => ({ status: 200, headers: { etag: `"${request.url}"` } }))
          // one call smuggles a second request after its 4 declared bytes; the next is honest
          const calls = Effect.gen(function* () {
            const smuggling = yield* Effect.exit(put(make(`AAAA${SMUGGLED}`), 4))
            const next = yield* S3.putObject({ Bucket: "bucket", Key: "next", Body: "ok" })
            return { smuggling, next }
          })
          const report = yield* runAgainst(server, calls, { maxSockets: 1, retry: Retry.none })
          if (Exit.isFailure(report.exit)) throw new Error(Cause.pretty(report.exit.cause))
          const { smuggling, next } = report.exit.value
          const error = failureOf(smuggling) as { _tag: string; message: string }
          expect(error._tag).toBe("SerializationError")
          expect(error.message).toMatch(/longer than its declared length of 4 bytes/)
          // the next call got the answer to its own request, not to the smuggled one
          expect(next.ETag).toBe('"/bucket/next"')
          expect(server.received.map((r) => r.url)).toEqual(["/bucket/next"])
          expect(report.openAfterClose).toBe(0)
        })
      )
    )

    it.effect(`${kind} shorter than declared fails at its end instead of leaving the server waiting`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FaultServer.scoped
          const report = yield* runAgainst(server, put(make("AAAAbb"), 100), { retry: Retry.none })
          const error = failureOf(report.exit) as { _tag: string; message: string }
          expect(error._tag).toBe("SerializationError")
          expect(error.message).toMatch(/ended after 6 bytes, short of its declared length of 100/)
          expect(report.requests).toBe(0)
          expect(report.busyAfterCall).toBe(0)
        })
      )
    )

    it.effect(`${kind} of exactly the declared length is sent whole`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FaultServer.scoped
          server.script([{ status: 200 }])
          const report = yield* runAgainst(server, put(make("AAAAbbbb"), 8))
          expect(Exit.isSuccess(report.exit)).toBe(true)
          expect(server.received[0]!.body.toString()).toBe("AAAAbbbb")
        })
      )
    )
  }
})

describe("over an @effect/platform HttpClient (fetch)", () => {
  const env = (url: string) =>
    S3.layer().pipe(
      Layer.provide(
        Session.layerWithoutTransport({
          region: "us-east-1",
          credentials: staticCredentials,
          endpoint: url,
          retry: Retry.none,
          s3: { forcePathStyle: true },
          requestChecksumCalculation: "when_required"
        })
      ),
      Layer.provide(HttpClientTransport.layer()),
      Layer.provide(FetchHttpClient.layer)
    )

  it.live("a stream longer than declared is abandoned: the smuggled request never arrives", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.scriptWith((request) => ({ status: 200, headers: { etag: `"${request.url}"` } }))
        const exit = yield* Effect.exit(
          put(Stream.make(encoder.encode(`AAAA${SMUGGLED}`)), 4).pipe(Effect.provide(env(server.url)))
        )
        expect((failureOf(exit) as { _tag: string })._tag).toBe("SerializationError")
        const next = yield* S3.putObject({ Bucket: "bucket", Key: "next", Body: "ok" }).pipe(
          Effect.provide(env(server.url))
        )
        expect(next.ETag).toBe('"/bucket/next"')
        expect(server.received.map((r) => r.url)).toEqual(["/bucket/next"])
      })
    )
  )

  it.live("a stream shorter than declared fails instead of hanging", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        const exit = yield* Effect.exit(
          put(Stream.make(encoder.encode("AAAA")), 100).pipe(
            Effect.provide(env(server.url)),
            Effect.timeoutFail({
              duration: "5 seconds",
              onTimeout: () => "hung: the short body was never refused"
            })
          )
        )
        const error = failureOf(exit) as { _tag: string; message: string } | string
        expect(typeof error === "string" ? error : error.message).toMatch(
          /short of its declared length of 100/
        )
        expect(server.requestCount()).toBe(0)
      })
    )
  )
})
