import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as InstanceMetadata from "../../../src/Credentials/InstanceMetadata.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import { Transport } from "../../../src/Request/Transport.js"
import { parse } from "../../../src/Session/ConfigFile.js"
import { layer as nodeFileSystem } from "../../../src/Session/NodeFileSystem.js"
import * as ProfileSet from "../../../src/Session/ProfileSet.js"
import * as SharedConfig from "../../../src/Session/SharedConfig.js"
import { manualClock } from "../../support/Clock.js"
import * as Loopback from "../../support/LoopbackServer.js"

const noFiles = SharedConfig.fromProfileSet(ProfileSet.empty)

const document = (expiration: string) =>
  JSON.stringify({
    Code: "Success",
    LastUpdated: "2021-09-20T21:42:26Z",
    Type: "AWS-HMAC",
    AccessKeyId: "ASIAIMDS",
    SecretAccessKey: "IMDS-SECRET-KEY",
    Token: "IMDS-SESSION-TOKEN",
    Expiration: expiration
  })

const future = "2099-01-01T00:00:00Z"

/** The usual IMDSv2 answers: token, role name, credentials. */
const imdsV2 =
  (expiration = future): Loopback.Handler =>
  (req) => {
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      return { status: 200, headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" }, body: "TOKEN-1" }
    }
    if (req.headers["x-aws-ec2-metadata-token"] !== "TOKEN-1") return { status: 401 }
    if (req.url === "/latest/meta-data/iam/security-credentials/") return { status: 200, body: "my-role\n" }
    if (req.url === "/latest/meta-data/iam/security-credentials/my-role")
      return { status: 200, body: document(expiration) }
    return { status: 404 }
  }

/** An uncached provider against a loopback server; environment only from `env`. */
const provider = (options: InstanceMetadata.InstanceMetadataOptions, env: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const transport = yield* NodeTransport.make()
    return yield* InstanceMetadata.make({ sharedConfig: noFiles, ...options }).pipe(
      Effect.provideService(Transport, transport),
      Effect.provide(nodeFileSystem),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
  })

const summary = (reqs: ReadonlyArray<Loopback.RecordedRequest>) =>
  reqs.map((r) => `${r.method} ${r.url}${r.headers["x-aws-ec2-metadata-token"] ? " (token)" : ""}`)

describe("InstanceMetadata", () => {
  it.scopedLive("IMDSv2: token, role name, then the role's credentials", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(imdsV2())
      const imds = yield* provider({ endpoint: server.url })
      const creds = yield* imds.get
      expect(creds.accessKeyId).toBe("ASIAIMDS")
      expect(Redacted.value(creds.secretAccessKey)).toBe("IMDS-SECRET-KEY")
      expect(creds.sessionToken && Redacted.value(creds.sessionToken)).toBe("IMDS-SESSION-TOKEN")
      expect(creds.expiration?.toISOString()).toBe("2099-01-01T00:00:00.000Z")
      expect(summary(server.requests)).toEqual([
        "PUT /latest/api/token",
        "GET /latest/meta-data/iam/security-credentials/ (token)",
        "GET /latest/meta-data/iam/security-credentials/my-role (token)"
      ])
      expect(server.requests[0]?.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("21600")
    })
  )

  it.scopedLive("keeps the session token for later fetches", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(imdsV2())
      const imds = yield* provider({ endpoint: server.url })
      yield* imds.get
      yield* imds.get
      expect(server.requests.filter((r) => r.method === "PUT")).toHaveLength(1)
    })
  )

  it.scopedLive("a token TTL header larger than asked for does not keep the token past the TTL asked", () =>
    Effect.gen(function* () {
      const clock = manualClock(Date.parse("2030-01-01T00:00:00Z"))
      const v2 = imdsV2()
      const server = yield* Loopback.start((req, i) => {
        const reply = v2(req, i)
        return req.method === "PUT"
          ? { ...reply, headers: { "x-aws-ec2-metadata-token-ttl-seconds": "999999999999" } }
          : reply
      })
      const imds = yield* provider({ endpoint: server.url })
      yield* clock.withTime(imds.get)
      clock.advance("6 hours")
      yield* clock.withTime(imds.get)
      expect(server.requests.filter((r) => r.method === "PUT")).toHaveLength(2)
    })
  )

  it.scopedLive("a role name that is not an IAM role name is refused, not put in a path or a message", () =>
    Effect.gen(function* () {
      const v2 = imdsV2()
      const server = yield* Loopback.start((req, i) =>
        req.url === "/latest/meta-data/iam/security-credentials/"
          ? { status: 200, body: "my role\u001b[31m FAKE LOG LINE\n" }
          : v2(req, i)
      )
      const imds = yield* provider({ endpoint: server.url })
      const error = yield* Effect.flip(imds.get)
      expect(error.message).toContain("not a valid IAM role name (26 characters")
      expect(error.message).not.toContain("FAKE LOG LINE")
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scopedLive("fetches a new token once when IMDS answers 401", () =>
    Effect.gen(function* () {
      let tokens = 0
      const server = yield* Loopback.start((req) => {
        if (req.method === "PUT") return { status: 200, body: `TOKEN-${++tokens}` }
        if (req.headers["x-aws-ec2-metadata-token"] !== "TOKEN-2") return { status: 401 }
        return imdsV2()({ ...req, headers: { "x-aws-ec2-metadata-token": "TOKEN-1" } }, 0)
      })
      const imds = yield* provider({ endpoint: server.url })
      expect((yield* imds.get).accessKeyId).toBe("ASIAIMDS")
      expect(tokens).toBe(2)
    })
  )

  it.scopedLive("falls back to IMDSv1 when the token request answers 404 or 405", () =>
    Effect.gen(function* () {
      for (const status of [404, 405]) {
        const server = yield* Loopback.start((req) => {
          if (req.method === "PUT") return { status }
          if (req.headers["x-aws-ec2-metadata-token"] !== undefined) return { status: 400 }
          if (req.url === "/latest/meta-data/iam/security-credentials/")
            return { status: 200, body: "my-role" }
          return { status: 200, body: document(future) }
        })
        const imds = yield* provider({ endpoint: server.url })
        expect((yield* imds.get).accessKeyId).toBe("ASIAIMDS")
        expect(summary(server.requests)).toEqual([
          "PUT /latest/api/token",
          "GET /latest/meta-data/iam/security-credentials/",
          "GET /latest/meta-data/iam/security-credentials/my-role"
        ])
      }
    })
  )

  it.scopedLive("falls back to IMDSv1 when the token answer does not come in time", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start((req) => {
        if (req.method === "PUT") return { status: 200, hang: true }
        if (req.url === "/latest/meta-data/iam/security-credentials/") return { status: 200, body: "my-role" }
        return { status: 200, body: document(future) }
      })
      const imds = yield* provider({ endpoint: server.url, timeout: "100 millis" })
      expect((yield* imds.get).accessKeyId).toBe("ASIAIMDS")
      expect(server.requests.filter((r) => r.method === "PUT")).toHaveLength(2) // one retry
    })
  )

  it.scopedLive("refuses the IMDSv1 fallback when it is disabled (option, environment or profile)", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start((req) =>
        req.method === "PUT" ? { status: 404 } : { status: 200, body: "x" }
      )
      const profile = Either.getOrThrow(
        parse({
          config: { path: "config", contents: "[default]\nec2_metadata_v1_disabled = true\n" },
          credentials: undefined
        })
      )
      const cases = [
        yield* provider({ endpoint: server.url, v1Disabled: true }),
        yield* provider({ endpoint: server.url }, { AWS_EC2_METADATA_V1_DISABLED: "true" }),
        yield* provider({
          endpoint: server.url,
          sharedConfig: { ...noFiles, profile: Option.fromNullable(profile.profiles.get("default")) }
        })
      ]
      for (const imds of cases) {
        const error = yield* Effect.flip(imds.get)
        expect(error.message).toContain("IMDSv1 fallback is disabled")
        expect(error.notLoaded).toBeUndefined()
      }
      expect(server.requests.every((r) => r.method === "PUT")).toBe(true)
    })
  )

  it.scopedLive("a 403 on the token request means IMDS is disabled: an error, no fallback", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 403 }))
      const imds = yield* provider({ endpoint: server.url })
      const error = yield* Effect.flip(imds.get)
      expect(error.message).toContain("request forbidden: IMDS is disabled")
      expect(server.requests).toHaveLength(1)
    })
  )

  it.scopedLive("AWS_EC2_METADATA_DISABLED turns it off without a request", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(imdsV2())
      const imds = yield* provider({ endpoint: server.url }, { AWS_EC2_METADATA_DISABLED: "True" })
      const error = yield* Effect.flip(imds.get)
      expect(error.notLoaded).toBe(true)
      expect(error.message).toContain("AWS_EC2_METADATA_DISABLED")
      expect(server.requests).toHaveLength(0)
    })
  )

  it.scopedLive("an instance without a role is 'not loaded'", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start((req) =>
        req.method === "PUT" ? { status: 200, body: "T" } : { status: 404 }
      )
      const error = yield* Effect.flip((yield* provider({ endpoint: server.url })).get)
      expect(error.notLoaded).toBe(true)
      expect(error.message).toContain("no IAM role")
    })
  )

  it.scopedLive("an unreachable endpoint is 'not loaded'", () =>
    Effect.gen(function* () {
      const port = yield* Loopback.closedPort
      const error = yield* Effect.flip((yield* provider({ endpoint: `http://127.0.0.1:${port}` })).get)
      expect(error.notLoaded).toBe(true)
      expect(error.message).toContain("not reachable")
    })
  )

  it.scopedLive("retries a 5xx once", () =>
    Effect.gen(function* () {
      const inner = imdsV2()
      const server = yield* Loopback.start((req, i) => (i % 2 === 0 ? { status: 503 } : inner(req, i)))
      const imds = yield* provider({ endpoint: server.url })
      expect((yield* imds.get).accessKeyId).toBe("ASIAIMDS")
      expect(server.requests).toHaveLength(6)
    })
  )

  it.scopedLive("gives up after the one retry", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start(() => ({ status: 500 }))
      const error = yield* Effect.flip((yield* provider({ endpoint: server.url })).get)
      expect(error.message).toContain("answered 500")
      expect(server.requests).toHaveLength(2)
    })
  )

  it.scopedLive("reports an error document and a malformed document without the secrets", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start((req) => {
        if (req.method === "PUT") return { status: 200, body: "T" }
        if (req.url === "/latest/meta-data/iam/security-credentials/") return { status: 200, body: "r" }
        return {
          status: 200,
          body: JSON.stringify({ Code: "AssumeRoleUnauthorizedAccess", Message: "denied" })
        }
      })
      const first = yield* Effect.flip((yield* provider({ endpoint: server.url })).get)
      expect(first.message).toContain("AssumeRoleUnauthorizedAccess: denied")
      server.handle((req) => {
        if (req.method === "PUT") return { status: 200, body: "T" }
        if (req.url === "/latest/meta-data/iam/security-credentials/") return { status: 200, body: "r" }
        return { status: 200, body: JSON.stringify({ AccessKeyId: "A", SecretAccessKey: "IMDS-SECRET-KEY" }) }
      })
      const second = yield* Effect.flip((yield* provider({ endpoint: server.url })).get)
      expect(second.message).toContain("Expiration")
      expect(second.message).not.toContain("IMDS-SECRET-KEY")
    })
  )

  it.scopedLive(
    "static stability: expired credentials from IMDS are used a few minutes more, with a warning",
    () =>
      Effect.gen(function* () {
        const logs = yield* Ref.make<Array<string>>([])
        const logger = Logger.make(({ message }) => {
          Effect.runSync(
            Ref.update(logs, (l) => [...l, String(Array.isArray(message) ? message.join(" ") : message)])
          )
        })
        const clock = manualClock(Date.parse("2021-09-21T12:00:00Z"))
        const server = yield* Loopback.start(imdsV2("2021-09-21T04:16:53Z"))
        const imds = yield* provider({ endpoint: server.url })
        const creds = yield* clock
          .withTime(imds.get)
          .pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
        const expiry = creds.expiration?.getTime() ?? 0
        expect(expiry).toBeGreaterThanOrEqual(Date.parse("2021-09-21T12:05:00Z"))
        expect(expiry).toBeLessThanOrEqual(Date.parse("2021-09-21T12:10:00Z"))
        const lines = yield* Ref.get(logs)
        expect(lines.some((l) => l.includes("expired at 2021-09-21T04:16:53.000Z"))).toBe(true)
        expect(lines.join("\n")).not.toContain("IMDS-SECRET-KEY")
      })
  )

  it.scopedLive(
    "static stability: when IMDS fails after the last credentials expired, they are extended",
    () =>
      Effect.gen(function* () {
        const clock = manualClock(Date.parse("2098-12-31T23:00:00Z"))
        const server = yield* Loopback.start(imdsV2())
        const imds = yield* provider({ endpoint: server.url })
        yield* clock.withTime(imds.get)
        server.handle(() => ({ status: 500 }))
        clock.set(Date.parse("2099-01-01T01:00:00Z"))
        const creds = yield* clock.withTime(imds.get)
        expect(creds.accessKeyId).toBe("ASIAIMDS")
        expect(creds.expiration?.getTime()).toBeGreaterThan(Date.parse("2099-01-01T01:04:59Z"))
      })
  )

  it.scopedLive(
    "a failure while the last credentials are still valid is reported (the cache keeps them)",
    () =>
      Effect.gen(function* () {
        const server = yield* Loopback.start(imdsV2())
        const imds = yield* provider({ endpoint: server.url })
        yield* imds.get
        server.handle(() => ({ status: 500 }))
        const error = yield* Effect.flip(imds.get)
        expect(error.message).toContain("answered 500")
      })
  )

  it.scopedLive(
    "a credentials document that trickles in fails at the total deadline, naming the endpoint",
    () =>
      Effect.gen(function* () {
        const v2 = imdsV2()
        const server = yield* Loopback.start((req, i) =>
          req.url === "/latest/meta-data/iam/security-credentials/my-role"
            ? { status: 200, trickleMs: 300 }
            : v2(req, i)
        )
        const imds = yield* provider({
          endpoint: server.url,
          timeout: "1 second",
          totalTimeout: "1500 millis"
        })
        const started = Date.now()
        const error = yield* Effect.flip(Effect.timeout(imds.get, "8 seconds"))
        expect(error._tag).toBe("CredentialsError")
        expect(error.message).toContain(
          `${server.url}/latest/meta-data/iam/security-credentials/my-role did not answer in full within 1500 ms`
        )
        expect(Date.now() - started).toBeLessThan(4_000)
      })
  )
})
