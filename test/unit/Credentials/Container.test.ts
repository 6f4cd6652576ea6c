import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Container from "../../../src/Credentials/Container.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import { Transport } from "../../../src/Request/Transport.js"
import { layer as nodeFileSystem } from "../../../src/Session/NodeFileSystem.js"
import * as Loopback from "../../support/LoopbackServer.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "container-creds-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const document = JSON.stringify({
  RoleArn: "arn:aws:iam::123456789:role/ecs-task-role",
  AccessKeyId: "ASIACONTAINER",
  SecretAccessKey: "CONTAINER-SECRET",
  Token: "CONTAINER-TOKEN",
  AccountId: "012345678901",
  Expiration: "2099-02-13T23:31:30Z"
})

const provider = (env: Record<string, string>, options: Container.ContainerOptions = {}) =>
  Effect.gen(function* () {
    const transport = yield* NodeTransport.make()
    return yield* Container.make(options).pipe(
      Effect.provideService(Transport, transport),
      Effect.provide(nodeFileSystem),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
  })

describe("Container", () => {
  it.scopedLive("a relative URI goes to the ECS agent address", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 200, body: document }))
      const container = yield* provider(
        { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc?x=1" },
        { relativeEndpoint: server.url }
      )
      const creds = yield* container.get
      expect(creds.accessKeyId).toBe("ASIACONTAINER")
      expect(Redacted.value(creds.secretAccessKey)).toBe("CONTAINER-SECRET")
      expect(creds.accountId).toBe("012345678901")
      expect(creds.expiration?.toISOString()).toBe("2099-02-13T23:31:30.000Z")
      expect(server.requests[0]?.url).toBe("/v2/credentials/abc?x=1")
      expect(server.requests[0]?.headers.accept).toBe("application/json")
      expect(server.requests[0]?.headers.authorization).toBeUndefined()
    })
  )

  it.scopedLive("a full loopback URI with the token from the environment", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 200, body: document }))
      const container = yield* provider({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "Basic abc"
      })
      yield* container.get
      expect(server.requests[0]?.url).toBe("/creds")
      expect(server.requests[0]?.headers.authorization).toBe("Basic abc")
    })
  )

  it.scopedLive("the token file wins over the variable and is read on every fetch", () =>
    Effect.gen(function* () {
      const tokenFile = path.join(dir, "token")
      fs.writeFileSync(tokenFile, "first-token\n")
      const server = yield* Loopback.start(() => ({ status: 200, body: document }))
      const container = yield* provider({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "from-variable",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile
      })
      yield* container.get
      fs.writeFileSync(tokenFile, "rotated-token")
      yield* container.get
      expect(server.requests.map((r) => r.headers.authorization)).toEqual(["first-token", "rotated-token"])
    })
  )

  it.scopedLive("a missing token file fails before any request", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 200, body: document }))
      const container = yield* provider({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: path.join(dir, "absent")
      })
      const error = yield* Effect.flip(container.get)
      expect(error.message).toContain("No such file or directory")
      expect(error.message).toContain(path.join(dir, "absent"))
      expect(error.notLoaded).toBeUndefined()
      expect(server.requests).toHaveLength(0)
    })
  )

  it.scopedLive("plain-http hosts other than loopback and the ECS/EKS agents are refused", () =>
    Effect.gen(function* () {
      for (const uri of [
        "http://169.254.169.254/creds",
        "http://example.com/creds",
        "http://10.0.0.1:8080/creds"
      ]) {
        const error = yield* Effect.flip((yield* provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri })).get)
        expect(error.message).toContain("is not allowed over http")
      }
    })
  )

  it("allows https anywhere, and http to loopback and the agents", () => {
    for (const uri of [
      "https://example.com/creds",
      "http://127.0.0.1:51679/creds",
      "http://localhost/creds",
      "http://[::1]:80/creds",
      "http://169.254.170.2/creds",
      "http://169.254.170.23/v1/credentials",
      "http://[fd00:ec2::23]/v1/credentials"
    ]) {
      expect(Container.resolveEndpoint({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri })).toEqual(
        Either.right(uri)
      )
    }
  })

  it.scopedLive("without either URI variable it is 'not loaded'", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip((yield* provider({})).get)
      expect(error.notLoaded).toBe(true)
    })
  )

  it.scopedLive("retries a 5xx once, then reports the status", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 503 }))
      const error = yield* Effect.flip(
        (yield* provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/c` })).get
      )
      expect(error.message).toContain("answered 503")
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scopedLive("a malformed answer is an error that does not repeat the secrets", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({
        status: 200,
        body: JSON.stringify({ AccessKeyId: "A", Token: "CONTAINER-TOKEN", SecretAccessKey: 7 })
      }))
      const error = yield* Effect.flip(
        (yield* provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/c` })).get
      )
      expect(error.message).toContain("lacks AccessKeyId or SecretAccessKey")
      expect(error.message).not.toContain("CONTAINER-TOKEN")
    })
  )

  it.scopedLive(
    "an answer that trickles in (a byte every 300 ms) fails at the total deadline, naming the endpoint",
    () =>
      Effect.gen(function* () {
        const server = yield* Loopback.start(() => ({ status: 200, trickleMs: 300 }))
        const container = yield* provider(
          { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds` },
          { timeout: "1 second", totalTimeout: "1500 millis" }
        )
        const started = Date.now()
        const error = yield* Effect.flip(Effect.timeout(container.get, "8 seconds"))
        expect(error._tag).toBe("CredentialsError")
        expect(error.message).toContain(`${server.url}/creds did not answer in full within 1500 ms`)
        expect(Date.now() - started).toBeLessThan(4_000)
      })
  )
})
