import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Chain from "../../../src/Credentials/Chain.js"
import {
  Credentials,
  CredentialsError,
  isNotConfigured,
  isNotLoaded,
  make as makeCredentials,
  notConfigured,
  notLoaded
} from "../../../src/Credentials/Credentials.js"
import { NetworkError } from "../../../src/Request/Errors.js"
import { Transport } from "../../../src/Request/Transport.js"
import { fakeCalls, tempHome, withEnv } from "../../support/CredentialFakes.js"

/** A transport with no network: every request fails to connect, and is counted. */
const unreachable = () => {
  const sent: Array<string> = []
  const layer = Layer.succeed(Transport, {
    send: (request) => {
      sent.push(`${request.method} ${request.hostname}${request.path}`)
      return Effect.fail(new NetworkError({ message: "connect ECONNREFUSED", code: "ECONNREFUSED" }))
    }
  })
  return { sent, layer }
}

const home = (files: Parameters<typeof tempHome>[0]) =>
  Effect.acquireRelease(
    Effect.sync(() => tempHome(files)),
    (h) => Effect.sync(h.cleanup)
  ).pipe(Effect.map((h) => h.home))

const defaultChain = (env: Record<string, string>, transport: Layer.Layer<Transport>) =>
  Chain.makeDefault({ calls: fakeCalls().service }).pipe(Effect.provide(transport), withEnv(env))

describe("Chain", () => {
  it.scopedLive("when nothing applies, the error lists what each provider found, in chain order", () =>
    Effect.gen(function* () {
      const net = unreachable()
      const chain = yield* defaultChain({ HOME: yield* home({}) }, net.layer)
      const error = yield* Effect.flip(chain.get)
      expect(error.notLoaded).toBe(true)
      expect(error.message.startsWith("the credential provider was not enabled")).toBe(true)
      const positions = Chain.defaultOrder.map((name) => error.message.indexOf(`${name}: `))
      expect(positions.every((p) => p >= 0)).toBe(true)
      expect([...positions].sort((a, b) => a - b)).toEqual(positions)
      expect(error.message).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
      expect(error.message).toContain("AWS_WEB_IDENTITY_TOKEN_FILE is not set")
      expect(error.message).toContain("No environment variables were set to configure ECS provider")
      expect(error.message).toContain("not reachable")
      expect(net.sent).toEqual([
        "PUT 169.254.169.254/latest/api/token",
        "PUT 169.254.169.254/latest/api/token"
      ])
    })
  )

  it.scoped("the environment wins over the profile", () =>
    Effect.gen(function* () {
      const chain = yield* defaultChain(
        {
          HOME: yield* home({
            credentials: "[default]\naws_access_key_id = PROFILE\naws_secret_access_key = S\n"
          }),
          AWS_ACCESS_KEY_ID: "ENV",
          AWS_SECRET_ACCESS_KEY: "S"
        },
        unreachable().layer
      )
      expect((yield* chain.get).accessKeyId).toBe("ENV")
    })
  )

  it.scoped("the profile wins over the container and IMDS", () =>
    Effect.gen(function* () {
      const net = unreachable()
      const chain = yield* defaultChain(
        {
          HOME: yield* home({
            credentials: "[default]\naws_access_key_id = PROFILE\naws_secret_access_key = S\n"
          }),
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/creds"
        },
        net.layer
      )
      expect((yield* chain.get).accessKeyId).toBe("PROFILE")
      expect(net.sent).toEqual([])
    })
  )

  it.scoped("a provider that is configured but fails stops the chain", () =>
    Effect.gen(function* () {
      const net = unreachable()
      const chain = yield* defaultChain(
        { HOME: yield* home({ config: "[default]\nrole_arn = r\n" }) },
        net.layer
      )
      const error = yield* Effect.flip(chain.get)
      expect(error.notLoaded).toBeUndefined()
      expect(error.message).toContain("source_profile")
      expect(net.sent).toEqual([])
    })
  )

  it.effect(
    "fromLinks: first success wins, not-loaded links are passed, refresh goes through the chain",
    () =>
      Effect.gen(function* () {
        let refreshed = 0
        const creds = makeCredentials({ accessKeyId: "SECOND", secretAccessKey: "S" })
        const chain = Chain.fromLinks([
          {
            name: "first",
            provider: {
              get: Effect.fail(notLoaded("first", "nothing")),
              refresh: Effect.fail(notLoaded("first", "nothing"))
            }
          },
          {
            name: "second",
            provider: {
              get: Effect.succeed(creds),
              refresh: Effect.sync(() => {
                refreshed++
                return creds
              })
            }
          },
          { name: "third", provider: { get: Effect.die("not reached"), refresh: Effect.die("not reached") } }
        ])
        expect((yield* chain.get).accessKeyId).toBe("SECOND")
        yield* chain.refresh
        expect(refreshed).toBe(1)
        const failing = Chain.fromLinks([
          {
            name: "a",
            provider: {
              get: Effect.fail(new CredentialsError({ provider: "a", message: "broken" })),
              refresh: Effect.die("")
            }
          }
        ])
        expect((yield* Effect.flip(failing.get)).message).toBe("broken")
      })
  )

  it.scoped("defaultChain is a cached Credentials layer", () =>
    Effect.gen(function* () {
      const h = yield* home({})
      const layer = Chain.defaultChain({ calls: fakeCalls().service }).pipe(
        Layer.provide(unreachable().layer)
      )
      const creds = yield* Effect.flatMap(Credentials, (c) => Effect.zip(c.get, c.get)).pipe(
        Effect.provide(layer),
        withEnv({ HOME: h, AWS_ACCESS_KEY_ID: "ENV", AWS_SECRET_ACCESS_KEY: "S" })
      )
      expect(creds[0]).toBe(creds[1])
    })
  )

  it.effect("a provider that does not apply says so as a reason, and the chain lists its detail", () =>
    Effect.gen(function* () {
      const broken = new CredentialsError({ provider: "b", message: "broken" })
      expect(broken.reason).toBe("Failed")
      expect(isNotConfigured(broken)).toBe(false)
      const absent = notConfigured("a", "nothing set")
      expect(absent.reason).toBe("NotConfigured")
      expect(absent.detail).toBe("nothing set")
      expect(absent.message).toBe("the credential provider was not enabled: nothing set")
      expect(isNotConfigured(absent)).toBe(true)
      const chain = Chain.fromLinks([
        { name: "a", provider: { get: Effect.fail(absent), refresh: Effect.fail(absent) } },
        // a provider written against the deprecated flag is still passed over
        {
          name: "legacy",
          provider: {
            get: Effect.fail(
              new CredentialsError({ provider: "legacy", message: "no file", notLoaded: true })
            ),
            refresh: Effect.die("not reached")
          }
        }
      ])
      const error = yield* Effect.flip(chain.get)
      expect(error.reason).toBe("NotConfigured")
      expect(error.provider).toBe("chain")
      expect(error.detail).toBe(
        "no provider in the chain found credentials (a: nothing set; legacy: no file)"
      )
      expect(error.message).toBe(
        "the credential provider was not enabled: no provider in the chain found credentials (a: nothing set; legacy: no file)"
      )
      // the deprecated names answer as before
      expect(error.notLoaded).toBe(true)
      expect(isNotLoaded(error)).toBe(true)
      expect(broken.notLoaded).toBeUndefined()
    })
  )
})
