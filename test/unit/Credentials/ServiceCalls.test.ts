/**
 * The bounds of the AWS calls credential providers make (defect 4, second half): an STS or SSO
 * endpoint that accepts the connection and never answers, or that streams megabytes, cannot hold
 * or swell a credentials fetch.
 */

import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as AssumeRole from "../../../src/Credentials/AssumeRole.js"
import { anonymous, fromStatic, make as makeCredentials } from "../../../src/Credentials/Credentials.js"
import * as ServiceCalls from "../../../src/Credentials/ServiceCalls.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import { Transport, type TransportService } from "../../../src/Request/Transport.js"
import { layer as nodeFileSystem } from "../../../src/Session/NodeFileSystem.js"
import * as ProfileSet from "../../../src/Session/ProfileSet.js"
import * as Session from "../../../src/Session/Session.js"
import * as SharedConfig from "../../../src/Session/SharedConfig.js"
import * as Loopback from "../../support/LoopbackServer.js"

const noFiles = SharedConfig.fromProfileSet(ProfileSet.empty)

const liveCalls = (endpoint: string, limits: ServiceCalls.CallLimits = {}) =>
  Effect.gen(function* () {
    const transport = yield* NodeTransport.make()
    return yield* ServiceCalls.live({ sharedConfig: noFiles, ...limits }).pipe(
      Effect.provideService(Transport, transport),
      Effect.provide(nodeFileSystem),
      Effect.withConfigProvider(
        ConfigProvider.fromMap(
          new Map([
            ["AWS_ENDPOINT_URL", endpoint],
            ["AWS_MAX_ATTEMPTS", "1"]
          ])
        )
      )
    )
  })

/** Waits (for real: it is the loopback server's I/O) until the server has seen `n` requests. */
const untilRequests = (server: Loopback.LoopbackServer, n: number) =>
  Effect.promise(async () => {
    for (let i = 0; i < 500 && server.requests.length < n; i++) await new Promise((r) => setTimeout(r, 10))
  })

const webIdentity = (calls: ServiceCalls.ServiceCalls, region = "us-east-1") =>
  calls.sts.assumeRoleWithWebIdentity(
    { RoleArn: "arn:aws:iam::123456789012:role/r", RoleSessionName: "s", WebIdentityToken: "jwt" },
    { region, credentials: anonymous }
  )

describe("ServiceCalls.live: limits", () => {
  it.scoped(
    "an STS endpoint that accepts and never answers fails the call at the 20 s default deadline",
    () =>
      Effect.gen(function* () {
        const server = yield* Loopback.start(() => ({ status: 200, hang: true }))
        const calls = yield* liveCalls(server.url)
        const call = yield* Effect.fork(webIdentity(calls))
        yield* untilRequests(server, 1)
        expect(server.requests).toHaveLength(1)
        yield* TestClock.adjust("19999 millis")
        expect((yield* Fiber.poll(call))._tag).toBe("None")
        yield* TestClock.adjust("1 millis")
        const exit = yield* Fiber.await(call)
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
          expect(exit.cause.error._tag).toBe("RequestTimeout")
          expect(exit.cause.error.message).toContain("did not complete within 20s")
        }
      })
  )

  it.scoped("the deadline is an option", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 200, hang: true }))
      const calls = yield* liveCalls(server.url, { callTimeout: "3 seconds" })
      const call = yield* Effect.fork(webIdentity(calls))
      yield* untilRequests(server, 1)
      yield* TestClock.adjust("3 seconds")
      const exit = yield* Fiber.await(call)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe(
        "RequestTimeout"
      )
    })
  )

  it.scopedLive("an SSO answer over the size cap is refused, not buffered", () =>
    Effect.gen(function* () {
      const padding = "x".repeat(1024 * 1024)
      const server = yield* Loopback.start(() => ({
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          roleCredentials: {
            accessKeyId: "ASIASSO",
            secretAccessKey: "SSO-SECRET",
            sessionToken: "SSO-TOKEN",
            expiration: Date.parse("2099-01-01T00:00:00Z")
          },
          padding
        })
      }))
      const calls = yield* liveCalls(server.url)
      const exit = yield* Effect.exit(
        calls.sso.getRoleCredentials(
          { roleName: "r", accountId: "123456789012", accessToken: "token" },
          { region: "us-east-1", credentials: anonymous }
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error._tag).toBe("SerializationError")
        expect(exit.cause.error.message).toContain("larger than 256 KiB")
      }
    })
  )
})

describe("ServiceCalls.live: regions", () => {
  it.effect("a region that is not a region name never reaches an endpoint's host name", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const recording: TransportService = {
        send: (request) => {
          seen.push(request.hostname)
          return Effect.die("no network in this test")
        }
      }
      const calls = yield* ServiceCalls.live({ sharedConfig: noFiles }).pipe(
        Effect.provideService(Transport, recording),
        Effect.provide(nodeFileSystem),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["AWS_MAX_ATTEMPTS", "1"]])))
      )
      for (const region of ["evil.example.com#", "attacker.com/x?", "us-east-1.attacker.com", "-x", ""]) {
        const context = { region, credentials: anonymous }
        const sso = yield* Effect.flip(
          calls.sso.getRoleCredentials(
            { roleName: "r", accountId: "123456789012", accessToken: "t" },
            context
          )
        )
        const sts = yield* Effect.flip(webIdentity(calls, region))
        for (const error of [sso, sts]) {
          expect(error._tag, region).toBe("CredentialsError")
          expect(error.message, region).toContain("is not a region name")
        }
      }
      expect(seen).toEqual([])
    })
  )
})

describe("AssumeRole.fromSession: limits and region", () => {
  const sessionOver = (transport: TransportService, region: string) =>
    Session.layerWith({
      region,
      credentials: fromStatic(
        makeCredentials({ accessKeyId: "AKIDSOURCE", secretAccessKey: "source-secret" })
      ),
      transport,
      retry: undefined
    })

  it.scoped("an STS endpoint that never answers fails the refresh at the call's deadline", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 200, hang: true }))
      const transport = yield* NodeTransport.make()
      const provider = yield* AssumeRole.fromSession({
        roleArn: "arn:aws:iam::123456789012:role/r",
        endpoint: server.url,
        callTimeout: "3 seconds"
      }).pipe(Effect.provide(sessionOver(transport, "us-east-1")))
      const get = yield* Effect.fork(provider.get)
      yield* untilRequests(server, 1)
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(get))
      expect(error._tag).toBe("CredentialsError")
      expect(error.message).toContain("did not complete within 3s")
    })
  )

  it.scoped("a session region that is not a region name is refused before any request", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const recording: TransportService = {
        send: (request) => {
          seen.push(request.hostname)
          return Effect.die("no network in this test")
        }
      }
      const provider = yield* AssumeRole.fromSession({ roleArn: "arn:aws:iam::123456789012:role/r" }).pipe(
        Effect.provide(sessionOver(recording, "evil.example.com#"))
      )
      const error = yield* Effect.flip(provider.get)
      expect(error.message).toContain("is not a region name")
      expect(seen).toEqual([])
    })
  )
})
