/**
 * Header and URI injection through the real pipeline.
 *
 * Headers: CR/LF (and anything else that is not printable ASCII) in header-bound members, in
 * header maps (names and values), in per-call headers and in credentials is refused with a typed
 * error naming the member, and nothing is sent.
 *
 * URIs: `../`, `./`, `%2F`, `?`, `#`, spaces, unicode and emoji in URI labels and greedy labels
 * (S3 keys) are percent-encoded exactly once and never reinterpreted: the request line the server
 * receives is asserted byte for byte, and decoding it once gives the key back.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as FaultServer from "../support/FaultServer.js"
import * as LocalServers from "../support/LocalServers.js"
import * as TestService from "../support/TestService.js"
import { ACCESS_KEY, type Clients, putObject, runAgainst, SECRET } from "./Harness.js"

const SEED = 424_242

interface Refusal {
  readonly _tag: string
  readonly message: string
}

/** Runs a call that must be refused before anything is sent; returns its error. */
const refused = (
  call: Effect.Effect<unknown, unknown, Clients>,
  options: Parameters<typeof runAgainst>[2] = {}
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      const report = yield* runAgainst(server, call, options)
      expect(report.sends, "attempts made").toBe(0)
      expect(report.requests, "requests the server saw").toBe(0)
      const exit = report.exit
      if (Exit.isSuccess(exit)) throw new Error("the call was not refused")
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
      return failure.value as Refusal
    })
  )

/** Runs a call against a server that accepts anything; returns the request line's target. */
const sent = (call: Effect.Effect<unknown, unknown, Clients | Scope.Scope>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      server.script([{ status: 200 }])
      const report = yield* runAgainst(server, call)
      expect(
        Exit.isSuccess(report.exit),
        Exit.isFailure(report.exit) ? Cause.pretty(report.exit.cause) : ""
      ).toBe(true)
      expect(server.received).toHaveLength(1)
      return server.received[0]!
    })
  )

const INJECTIONS = [
  "text/plain\r\nX-Injected: 1",
  "a\nb",
  "a\rb",
  "a\u0000b",
  "caf\u00e9",
  "\u2028",
  "a\u0085b"
]

describe("header injection", () => {
  it.effect("a header-bound member with CR/LF or non-ASCII text is refused, naming the member", () =>
    Effect.gen(function* () {
      for (const value of INJECTIONS) {
        const error = yield* refused(putObject({ Bucket: "b", Key: "k", ContentType: value }))
        expect(error._tag).toBe("SerializationError")
        expect(error.message).toContain("ContentType")
        // the value itself is not repeated (header values can be secrets: SSE-C keys, tokens)
        expect(error.message).not.toContain(value)
      }
    })
  )

  it.effect("header maps: CR/LF in a value or a name is refused, naming the member", () =>
    Effect.gen(function* () {
      const value = yield* refused(
        putObject({ Bucket: "b", Key: "k", Metadata: { ok: "1", note: "x\r\nX-Evil: 1" } })
      )
      expect(value._tag).toBe("SerializationError")
      expect(value.message).toContain("Metadata")
      const name = yield* refused(putObject({ Bucket: "b", Key: "k", Metadata: { "a\r\nX-Evil": "1" } }))
      expect(name._tag).toBe("SerializationError")
      expect(name.message).toContain("Metadata")
      const space = yield* refused(putObject({ Bucket: "b", Key: "k", Metadata: { "a b": "1" } }))
      expect(space.message).toContain("Metadata")
    })
  )

  it.effect("the generated S3 client refuses CR/LF in headers and metadata", () =>
    Effect.gen(function* () {
      for (const input of [
        { ContentType: "text/plain\r\nX-Injected: 1" },
        { CacheControl: "no-cache\nSet-Cookie: a=b" },
        { ContentDisposition: "attachment\r\n\r\nbody" },
        { Metadata: { a: "b\r\nX-Evil: 1" } },
        { Metadata: { "a\nb": "c" } },
        { Metadata: { unicode: "😀" } }
      ]) {
        const error = yield* refused(S3.putObject({ Bucket: "bucket", Key: "key", Body: "x", ...input }))
        expect(error._tag).toBe("SerializationError")
        expect(error.message).toContain(Object.keys(input)[0])
      }
    })
  )

  it.effect("per-call headers with CR/LF or bad names are refused before sending", () =>
    Effect.gen(function* () {
      for (const headers of [
        { "x-extra": "a\r\nX-Injected: 1" },
        { "x-extra": "a\nb" },
        { "bad name": "x" },
        { "x\r\ny": "1" }
      ]) {
        const error = yield* refused(TestService.echo({ Name: "x" }, { headers }))
        expect(error._tag).toBe("SerializationError")
        expect(error.message).toContain("header")
      }
    })
  )

  it.effect(
    "a session token with a line break (a hostile metadata service) is refused, and not repeated",
    () =>
      Effect.gen(function* () {
        const token = "TOKENPART1\r\nX-Injected: 1"
        const credentials = Credentials.fromStatic(
          Credentials.make({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, sessionToken: token })
        )
        const error = yield* refused(TestService.echo({ Name: "x" }), { credentials })
        expect(["SerializationError", "CredentialsError"]).toContain(error._tag)
        expect(error.message).not.toContain("TOKENPART1")
        expect(JSON.stringify(error)).not.toContain("TOKENPART1")
      })
  )

  it.effect("the Node transport itself refuses a request it cannot write, as a typed error", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      const transport = yield* NodeTransport.make()
      for (const headers of [{ "x-a": "b\r\nX-Injected: 1" }, { "bad name": "1" }]) {
        const exit = yield* Effect.exit(
          Effect.scoped(
            transport.send(
              {
                method: "GET",
                protocol: "http:",
                hostname: "127.0.0.1",
                port: server.port,
                path: "/",
                query: [],
                headers,
                body: undefined
              },
              {}
            )
          )
        )
        expect(Exit.isFailure(exit) && Option.getOrUndefined(Cause.failureOption(exit.cause))?._tag).toBe(
          "SerializationError"
        )
      }
      expect(server.requestCount()).toBe(0)
    }).pipe(Effect.scoped)
  )
})

describe("URI injection", () => {
  it.effect("a URI label is encoded exactly once, slashes included", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["../x", "..%2Fx"],
        ["./", ".%2F"],
        ["..", ".."],
        [".", "."],
        ["%2F", "%252F"],
        ["a?b#c", "a%3Fb%23c"],
        ["a b", "a%20b"],
        ["a+b", "a%2Bb"],
        ["a;b=c&d", "a%3Bb%3Dc%26d"],
        ["ü", "%C3%BC"],
        ["😀", "%F0%9F%98%80"],
        ["a\r\nb", "a%0D%0Ab"],
        ["~-._", "~-._"],
        ["!'()*", "%21%27%28%29%2A"]
      ]
      for (const [id, encoded] of cases) {
        const request = yield* sent(TestService.download({ Id: id }))
        expect(request.url, id).toBe(`/download/${encoded}`)
        expect(decodeURIComponent(request.url.slice("/download/".length))).toBe(id)
      }
    })
  )

  it.effect("a greedy label keeps its slashes and dot segments as they are, encoding the rest once", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["a/../b", "a/../b"],
        ["../../etc/passwd", "../../etc/passwd"],
        ["./c", "./c"],
        ["..", ".."],
        ["%2F", "%252F"],
        ["a%2F..%2Fb", "a%252F..%252Fb"],
        ["q?x#y", "q%3Fx%23y"],
        ["sp ace/tab\there", "sp%20ace/tab%09here"],
        ["ü/😀", "%C3%BC/%F0%9F%98%80"],
        ["a//b", "a//b"],
        ["/lead", "/lead"],
        ["trail/", "trail/"],
        ["0123", "0123"]
      ]
      for (const [key, encoded] of cases) {
        const request = yield* sent(putObject({ Bucket: "b/../c", Key: key, Prefix: "a&b=c#d e+f%" }))
        expect(request.url, key).toBe(`/objects/b%2F..%2Fc/${encoded}?prefix=a%26b%3Dc%23d%20e%2Bf%25`)
      }
    })
  )

  it.effect(
    "any key: the request line decodes once to the key, with nothing unencoded but unreserved characters and /",
    () =>
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([{ status: 200, headers: { "content-type": "application/json" }, body: "{}" }])
        const keys: Array<string> = []
        fc.assert(
          fc.property(
            fc.string({
              unit: fc.oneof(
                fc.constantFrom("/", ".", "..", "%", "?", "#", " ", "+", "&", "=", ";", "\\"),
                fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })
              ),
              minLength: 1,
              maxLength: 24
            }),
            (key) => {
              keys.push(key)
            }
          ),
          { seed: SEED, numRuns: 300 }
        )
        console.log(`[fuzz] greedy-label keys through the pipeline: numRuns=300 seed=${SEED}`)
        const report = yield* runAgainst(
          server,
          Effect.forEach(keys, (Key) => putObject({ Bucket: "b", Key }), { discard: true })
        )
        expect(Exit.isSuccess(report.exit)).toBe(true)
        expect(server.received).toHaveLength(keys.length)
        server.received.forEach((request, i) => {
          const key = keys[i]!
          const raw = request.url.slice("/objects/b/".length)
          expect(raw, key).toMatch(/^[A-Za-z0-9\-._~%/]*$/)
          expect(decodeURIComponent(raw), key).toBe(key)
        })
      }).pipe(Effect.scoped)
  )

  it.effect("the generated S3 client sends keys encoded once (the key part of the request line)", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["a/../b", "a/../b"],
        ["%2F", "%252F"],
        ["q?x#y", "q%3Fx%23y"],
        ["sp ace", "sp%20ace"],
        ["ü/😀", "%C3%BC/%F0%9F%98%80"],
        ["a//b", "a//b"]
      ]
      for (const [key, encoded] of cases) {
        const request = yield* sent(S3.putObject({ Bucket: "bucket", Key: key, Body: "x" }))
        expect(request.url, key).toBe(`/bucket/${encoded}`)
        // the signature covers the same bytes: S3 signs the path as sent, without normalising it
        expect(request.headers["x-amz-content-sha256"]).toBeDefined()
      }
      const listing = yield* sent(S3.listObjectsV2({ Bucket: "bucket", Prefix: "a&b=c#d e+f%/.." }))
      expect(listing.url).toContain("prefix=a%26b%3Dc%23d%20e%2Bf%25%2F..")
    })
  )

  it.live("S3 round trip against s3rver: the same bytes back under the same key", () =>
    Effect.gen(function* () {
      const s3rver = yield* LocalServers.s3rver
      const env = S3.layer().pipe(
        Layer.provide(LocalServers.s3Session(s3rver.endpoint)),
        Layer.provide(NodeTransport.layer())
      )
      yield* Effect.provide(
        Effect.zipRight(
          S3.createBucket({ Bucket: "keys" }),
          S3.putObject({ Bucket: "keys", Key: "probe", Body: "probe" })
        ),
        env
      )
      // s3rver (Koa) normalises dot segments (`a/../b` is stored as `b`) and answers 404 to empty
      // segments (`a//b`, `/lead`), which S3 keeps: those keys are held to the request line against
      // the fault server above instead.
      const keys = [
        "%2F",
        "a%2F..%2Fb",
        "q?x#y",
        "sp ace",
        "ü/😀",
        "0123",
        "x+y=z&w",
        "..",
        "~!*'();:@&=+$,",
        "tab\tkey"
      ]
      const roundTrip = Effect.forEach(keys, (Key, i) =>
        Effect.gen(function* () {
          const body = new TextEncoder().encode(`object ${i} ${Key}`)
          yield* S3.putObject({ Bucket: "keys", Key, Body: body })
          const got = yield* Effect.scoped(
            Effect.flatMap(S3.getObject({ Bucket: "keys", Key }), (out) => Stream.runCollect(out.Body!))
          )
          return [Key, Buffer.concat([...got]).toString(), new TextDecoder().decode(body)] as const
        })
      )
      for (const [key, got, put] of yield* Effect.provide(roundTrip, env)) expect(got, key).toBe(put)
      const listed = yield* Effect.provide(S3.listObjectsV2({ Bucket: "keys" }), env)
      expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([...keys, "probe"].sort())
    }).pipe(Effect.scoped)
  )
})

describe("XML body injection", () => {
  it.effect(
    "every character an XML parser would change is escaped: a DeleteObjects key with CR deletes that key",
    () =>
      Effect.gen(function* () {
        const keys = ["a\rb", "a\nb", "a\r\nb", "x&<>y", "u\u0085v", "u\u2028v", "]]>"]
        const request = yield* sent(
          S3.deleteObjects({ Bucket: "bucket", Delete: { Objects: keys.map((Key) => ({ Key })) } })
        )
        const body = request.body.toString()
        // no raw CR, LF, NEL or LS reaches the wire: a parser would read \r and \r\n as \n
        expect(body).not.toMatch(/[\r\u0085\u2028]/)
        expect(body).toContain("<Key>a&#xD;b</Key>")
        expect(body).toContain("<Key>a&#xA;b</Key>")
        expect(body).toContain("<Key>a&#xD;&#xA;b</Key>")
        expect(body).toContain("<Key>x&amp;&lt;&gt;y</Key>")
        expect(body).toContain("<Key>u&#x85;v</Key>")
        expect(body).toContain("<Key>u&#x2028;v</Key>")
        expect(body).toContain("<Key>]]&gt;</Key>")
      })
  )
})
