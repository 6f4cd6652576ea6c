/**
 * What a server sends is bounded: a response read whole (every non-streaming call, every error
 * response) larger than `maxResponseBytes` fails with `SerializationError` and its connection is
 * dropped instead of being buffered until memory runs out, whether its length is declared or it
 * streams on without one. The idle timer runs while the SDK waits for data, not while a body waits
 * for its reader.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Client from "../../src/Request/Client.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import { realPause } from "../support/Clock.js"
import * as FaultServer from "../support/FaultServer.js"
import * as TestService from "../support/TestService.js"
import { clients, runAgainst } from "./Harness.js"

/** Runs a call on every client of the harness, pointed at `url`, in real time; a call still reading after 20 s fails. */
const callAt = <A, E>(
  url: string,
  call: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof clients>> | Scope.Scope>,
  maxResponseBytes?: number
) =>
  Effect.exit(
    Effect.scoped(Effect.provide(call, clients({ endpoint: url, maxResponseBytes }))).pipe(
      Effect.timeoutFail({
        duration: "20 seconds",
        onTimeout: () => new Error("still reading the endless body after 20 s: it was never cut")
      })
    )
  )

const failureOf = <A, E>(exit: Exit.Exit<A, E>): { readonly _tag: string; readonly message: string } => {
  if (Exit.isSuccess(exit)) throw new Error("the call succeeded")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  return failure.value as never
}

/** A server that answers with a chunked body that never ends (1 KiB every few ms); counts what it wrote. */
const endless = (status: number) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const written = { bytes: 0, open: 0 }
      const server = http.createServer((_req, res) => {
        written.open++
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" })
        const kib = Buffer.alloc(1024, 0x20)
        const timer = setInterval(() => {
          for (let i = 0; i < 64; i++) {
            res.write(kib)
            written.bytes += kib.length
          }
        }, 2)
        res.once("close", () => {
          written.open--
          clearInterval(timer)
        })
      })
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
      return { server, written, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
    }),
    ({ server }) =>
      Effect.promise(
        () =>
          new Promise<void>((r) => {
            server.closeAllConnections()
            server.close(() => r())
          })
      )
  )

describe("responses read whole are capped", () => {
  it.effect("a declared length over maxResponseBytes fails at once, not retried", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([{ status: 200, body: JSON.stringify({ Name: "x".repeat(5000) }) }])
        const report = yield* runAgainst(server, TestService.echo({ Name: "a" }), { maxResponseBytes: 1024 })
        const error = failureOf(report.exit)
        expect(error._tag).toBe("SerializationError")
        expect(error.message).toMatch(
          /larger than 1 KiB, the most a call reads whole \(maxResponseBytes\): it declares 5011 bytes/
        )
        expect(report.requests).toBe(1)
        expect(report.openAfterClose).toBe(0)
      })
    )
  )

  for (const status of [200, 500]) {
    it.live(
      `an endless body without a length (HTTP ${status}) is cut at the cap and its connection dropped`,
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { url, written } = yield* endless(status)
            const exit = yield* callAt(url, TestService.echo({ Name: "a" }), 256 * 1024)
            const error = failureOf(exit)
            expect(error._tag).toBe("SerializationError")
            expect(error.message).toMatch(/larger than 256 KiB, the most a call reads whole/)
            yield* realPause(50)
            expect(written.open).toBe(0)
          })
        )
    )
  }

  it.live("the error body of a streaming operation is capped too", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url, written } = yield* endless(500)
        const exit = yield* callAt(
          url,
          Effect.map(TestService.download({ Id: "a" }), (out) => out.Size),
          256 * 1024
        )
        expect(failureOf(exit)._tag).toBe("SerializationError")
        yield* realPause(50)
        expect(written.open).toBe(0)
      })
    )
  )

  it.live("the default cap is 64 MiB: an endless body stops there", () =>
    Effect.scoped(
      Effect.gen(function* () {
        expect(Client.DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * 1024 * 1024)
        const { url, written } = yield* endless(200)
        const exit = yield* callAt(url, TestService.echo({ Name: "a" }))
        expect(failureOf(exit).message).toMatch(/larger than 64 MiB,/)
        expect(written.bytes).toBeLessThan(80 * 1024 * 1024)
      })
    )
  )
})

describe("a HEAD's Content-Length is the resource's, not a body to cap", () => {
  it.effect("HeadObject of a 10 GiB object succeeds under a 1 KiB cap", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([{ status: 200, headers: { "content-length": String(10 * 1024 ** 3), etag: '"e"' } }])
        const report = yield* runAgainst(server, S3.headObject({ Bucket: "bucket", Key: "big" }), {
          maxResponseBytes: 1024
        })
        if (Exit.isFailure(report.exit)) throw new Error(Cause.pretty(report.exit.cause))
        expect(report.exit.value.ContentLength).toBe(10 * 1024 ** 3)
      })
    )
  )
})

describe("the idle timer", () => {
  it("defaults to 60 s, as botocore's read timeout", () => {
    expect(NodeTransport.DEFAULT_IDLE_TIMEOUT_MS).toBe(60_000)
  })

  it.effect("does not run while a streamed body waits for its reader", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        const body = "y".repeat(512 * 1024)
        server.script([{ status: 200, body }])
        const call = Effect.gen(function* () {
          const out = yield* TestService.download({ Id: "a" })
          // the reader comes late: longer than the idle timeout
          yield* realPause(400)
          const chunks = yield* Stream.runCollect(out.Body!)
          let size = 0
          for (const c of chunks) size += c.length
          return size
        })
        const report = yield* runAgainst(server, call, { idleTimeoutMs: 100 })
        if (Exit.isFailure(report.exit)) throw new Error(Cause.pretty(report.exit.cause))
        expect(report.exit.value).toBe(body.length)
      })
    )
  )
})
