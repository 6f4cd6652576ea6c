import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import * as HttpClientTransport from "../../../src/Request/HttpClientTransport.js"
import * as Retry from "../../../src/Request/Retry.js"
import * as Session from "../../../src/Session/Session.js"
import * as FaultServer from "../../support/FaultServer.js"
import * as TestService from "../../support/TestService.js"

const env = (url: string, idleTimeoutMs?: number) =>
  TestService.layerJson().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: "us-east-1",
        credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "s" })),
        endpoint: url,
        retry: Retry.none,
        idleTimeoutMs
      })
    ),
    Layer.provide(HttpClientTransport.layer()),
    Layer.provide(FetchHttpClient.layer)
  )

describe("Transport over an @effect/platform HttpClient (fetch)", () => {
  it.live("signs, sends and decodes through fetch", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([
          {
            status: 200,
            headers: { "content-type": "application/x-amz-json-1.1" },
            body: '{"Name":"via-fetch"}'
          }
        ])
        const out = yield* TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server.url)))
        expect(out).toEqual({ Name: "via-fetch" })
        expect(server.received[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /)
        expect(server.received[0]!.headers["x-amz-target"]).toBe("TestService.Echo")
      })
    )
  )

  it.live("maps a refused connection to NetworkError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        TestService.echo({ Name: "x" }).pipe(Effect.provide(env("http://127.0.0.1:1")))
      )
      expect(error._tag).toBe("NetworkError")
    })
  )

  it.live("a server that does not answer within the idle timeout fails with RequestTimeout", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        server.script([{ status: 200, body: "{}", delayMs: 2_000 }])
        const error = yield* Effect.flip(
          TestService.echo({ Name: "x" }).pipe(Effect.provide(env(server.url, 100)))
        )
        expect(error._tag).toBe("RequestTimeout")
        expect(error.message).toBe("no response within 100 ms")
      })
    )
  )
})
