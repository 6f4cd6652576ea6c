import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Session } from "../../src/index.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as LocalServers from "../support/LocalServers.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Session.layer (Node)", () => {
  it.live("resolves region, endpoint and credentials from the environment", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const s3rver = yield* LocalServers.s3rver
        const program = Effect.gen(function* () {
          yield* S3.createBucket({ Bucket: "from-env" })
          return (yield* S3.listBuckets({})).Buckets?.map((b) => b.Name)
        }).pipe(
          Effect.provide(S3.layer({ s3: { forcePathStyle: true } })),
          Effect.provide(Session.layer({ requestChecksumCalculation: "when_required" })),
          withEnv({
            AWS_REGION: "us-east-1",
            AWS_ENDPOINT_URL_S3: s3rver.endpoint,
            AWS_ACCESS_KEY_ID: "S3RVER",
            AWS_SECRET_ACCESS_KEY: "S3RVER",
            AWS_CONFIG_FILE: "/nonexistent/config",
            AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
            AWS_EC2_METADATA_DISABLED: "true"
          })
        )
        expect(yield* program).toEqual(["from-env"])
      })
    )
  )

  it.live("reads a profile from the shared files", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const s3rver = yield* LocalServers.s3rver
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
        fs.writeFileSync(
          path.join(dir, "config"),
          `[profile dev]\nregion = eu-west-1\nendpoint_url = ${s3rver.endpoint}\ns3 =\n  addressing_style = path\n`
        )
        fs.writeFileSync(
          path.join(dir, "credentials"),
          "[dev]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n"
        )
        const region = yield* Effect.gen(function* () {
          const client = yield* S3.S3
          yield* S3.createBucket({ Bucket: "from-profile" })
          return client.config.region
        }).pipe(
          Effect.provide(S3.layer()),
          Effect.provide(Session.layer({ profile: "dev", requestChecksumCalculation: "when_required" })),
          withEnv({
            AWS_CONFIG_FILE: path.join(dir, "config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials"),
            AWS_EC2_METADATA_DISABLED: "true"
          })
        )
        expect(region).toBe("eu-west-1")
      })
    )
  )

  it.live("fails to build with a typed error on a malformed setting", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(Session.layer()).pipe(
          Effect.scoped,
          withEnv({
            AWS_MAX_ATTEMPTS: "many",
            AWS_CONFIG_FILE: "/nonexistent/config",
            AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials"
          })
        )
      )
      expect(error.message).toContain("AWS_MAX_ATTEMPTS")
    })
  )
})
