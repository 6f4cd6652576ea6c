import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import * as Body from "../../../src/Request/Body.js"
import * as HttpClientTransport from "../../../src/Request/HttpClientTransport.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import * as Retry from "../../../src/Request/Retry.js"
import type { Transport } from "../../../src/Request/Transport.js"
import * as Session from "../../../src/Session/Session.js"
import * as FaultServer from "../../support/FaultServer.js"
import * as TestService from "../../support/TestService.js"

const env = (url: string, transport: Layer.Layer<Transport>) =>
  TestService.layerRest().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: "us-east-1",
        credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "s" })),
        endpoint: url,
        retry: Retry.none
      })
    ),
    Layer.provide(transport)
  )

// fetch's connection pool is global (it outlives the layer): only its busy sockets are checked
const transports = [
  ["the Node transport", NodeTransport.layer(), (s: FaultServer.FaultServer) => s.waitForSocketsClosed()],
  [
    "an HttpClient (fetch)",
    HttpClientTransport.layer().pipe(Layer.provide(FetchHttpClient.layer)),
    (s: FaultServer.FaultServer) => s.waitForIdle()
  ]
] as const

const withServer = <A, E>(f: (server: FaultServer.FaultServer) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(FaultServer.scoped, f))

describe("Body.bytes / Body.text", () => {
  for (const [name, transport, released] of transports) {
    it.live(`reads a streamed body whole through ${name}`, () =>
      withServer((server) =>
        Effect.gen(function* () {
          const payload = "0123456789".repeat(30_000)
          server.script([{ status: 200, body: payload }])
          const text = yield* Effect.scoped(
            Effect.flatMap(TestService.download({ Id: "a" }), (out) => Body.text(out.Body))
          ).pipe(Effect.provide(env(server.url, transport)))
          expect(text).toBe(payload)
          expect(yield* Effect.promise(() => released(server))).toBe(0)
        })
      )
    )

    it.live(`a body cut short is a typed NetworkError through ${name}`, () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.script([{ status: 200, body: "z".repeat(100_000), truncate: true }])
          const error = yield* Effect.flip(
            Effect.scoped(Effect.flatMap(TestService.download({ Id: "a" }), (out) => Body.bytes(out.Body)))
          ).pipe(Effect.provide(env(server.url, transport)))
          expect(error._tag).toBe("NetworkError")
          expect(yield* Effect.promise(() => released(server))).toBe(0)
        })
      )
    )
  }

  for (const [name, transport, released] of transports) {
    it.live(`a large body read as a stream, slowly, arrives whole and in order through ${name}`, () =>
      withServer((server) =>
        Effect.gen(function* () {
          // over the Node reader's read-ahead, so it pauses the socket and resumes it
          const payload = Array.from({ length: 100_000 }, (_, i) => `${i},`).join("")
          server.script([{ status: 200, body: payload }])
          let pulls = 0
          const chunks = yield* Effect.scoped(
            Effect.flatMap(TestService.download({ Id: "a" }), (out) =>
              Stream.runCollect(
                Stream.tap(out.Body ?? Stream.empty, () =>
                  ++pulls % 3 === 0 ? Effect.sleep("2 millis") : Effect.void
                )
              )
            )
          ).pipe(Effect.provide(env(server.url, transport)))
          expect(new TextDecoder().decode(Body.concat([...chunks]))).toBe(payload)
          expect(yield* Effect.promise(() => released(server))).toBe(0)
        })
      )
    )

    it.live(`Body.batches reads at least what it asks for, then the rest, through ${name}`, () =>
      withServer((server) =>
        Effect.gen(function* () {
          const payload = "0123456789abcdef".repeat(40_000)
          server.script([{ status: 200, body: payload }])
          const batches = yield* Effect.scoped(
            Effect.gen(function* () {
              const out = yield* TestService.download({ Id: "a" })
              const read = yield* Body.batches(out.Body)
              const all: Array<ReadonlyArray<Uint8Array>> = []
              for (;;) {
                const batch = yield* read(100_000)
                if (batch === undefined) return all
                all.push(batch)
              }
            })
          ).pipe(Effect.provide(env(server.url, transport)))
          const sizes = batches.map((b) => b.reduce((n, c) => n + c.length, 0))
          expect(sizes.slice(0, -1).every((n) => n >= 100_000)).toBe(true)
          expect(new TextDecoder().decode(Body.concat(batches.flat()))).toBe(payload)
          expect(yield* Effect.promise(() => released(server))).toBe(0)
        })
      )
    )

    it.live(`a body cut short fails its stream with a typed NetworkError through ${name}`, () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.script([{ status: 200, body: "z".repeat(300_000), truncate: true }])
          const error = yield* Effect.flip(
            Effect.scoped(
              Effect.flatMap(TestService.download({ Id: "a" }), (out) =>
                Stream.runDrain(out.Body ?? Stream.empty)
              )
            )
          ).pipe(Effect.provide(env(server.url, transport)))
          expect(error._tag).toBe("NetworkError")
          expect(yield* Effect.promise(() => released(server))).toBe(0)
        })
      )
    )
  }

  it.live("a body that arrives slowly is handed on as it comes, not held back for a batch", () =>
    Effect.gen(function* () {
      // the server sends a few bytes and waits for the client to have them before it sends the rest
      let sendRest: (() => void) | undefined
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "x-amzn-requestid": "r" })
        res.write("first;")
        sendRest = () => res.end("rest")
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.sync(() => server.close())
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const got = yield* Effect.scoped(
        Effect.gen(function* () {
          const out = yield* TestService.download({ Id: "a" })
          const pull = yield* Stream.toPull(out.Body ?? Stream.empty)
          const first = new TextDecoder().decode(Body.concat([...(yield* pull)]))
          sendRest?.()
          const rest = yield* Stream.runCollect(Stream.fromPull(Effect.succeed(pull)))
          return first + new TextDecoder().decode(Body.concat([...rest]))
        })
      ).pipe(Effect.provide(env(url, NodeTransport.layer())))
      expect(got).toBe("first;rest")
    }).pipe(Effect.scoped, Effect.timeout("5 seconds"))
  )

  it.effect("Body.batches over any other stream pulls it; no body is over at once", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const read = yield* Body.batches(
          Stream.make(new Uint8Array([1, 2]), new Uint8Array([3])).pipe(Stream.rechunk(1))
        )
        const seen: Array<number> = []
        for (;;) {
          const batch = yield* read(1)
          if (batch === undefined) break
          for (const c of batch) seen.push(...c)
        }
        expect(seen).toEqual([1, 2, 3])
        expect(yield* (yield* Body.batches(undefined))(1)).toBeUndefined()
        const failing = yield* Body.batches(Stream.fail("boom" as const))
        expect(yield* Effect.flip(failing(1))).toBe("boom")
      })
    )
  )

  it.live("the Node transport's socket is reused after a body read whole", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([{ status: 200, body: "abc" }])
        const read = Effect.scoped(
          Effect.flatMap(TestService.download({ Id: "a" }), (out) => Body.text(out.Body))
        )
        const texts = yield* Effect.gen(function* () {
          const a = yield* read
          const b = yield* read
          expect(server.busySockets()).toBe(0)
          expect(server.openSockets()).toBe(1)
          return [a, b]
        }).pipe(Effect.provide(env(server.url, NodeTransport.layer())))
        expect(texts).toEqual(["abc", "abc"])
      })
    )
  )

  it.effect("any other stream is collected; no body is empty", () =>
    Effect.gen(function* () {
      const stream = Stream.make(new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3]))
      expect([...(yield* Body.bytes(stream))]).toEqual([1, 2, 3])
      expect((yield* Body.bytes(undefined)).length).toBe(0)
      expect(
        yield* Body.text(
          Stream.make(new TextEncoder().encode("h\u00e9"), new Uint8Array([0xf0, 0x9f, 0x98, 0x80]))
        )
      ).toBe("h\u00e9\u{1F600}")
      const failing = Stream.concat(Stream.make(new Uint8Array([1])), Stream.fail("boom" as const))
      expect(yield* Effect.flip(Body.bytes(failing))).toBe("boom")
    })
  )

  it.effect("a stream a transport marked is read through the transport's reader", () =>
    Effect.gen(function* () {
      let viaReader = 0
      const marked = Body.withWholeBody(
        Stream.die("the stream must not run"),
        Effect.sync(() => {
          viaReader++
          return new Uint8Array([7])
        })
      )
      expect([...(yield* Body.bytes(marked))]).toEqual([7])
      expect(viaReader).toBe(1)
      // a transformed stream is a new stream: collected, not read through the reader
      expect([...(yield* Body.bytes(Stream.map(Stream.make(new Uint8Array([9])), (b) => b)))]).toEqual([9])
    })
  )
})
