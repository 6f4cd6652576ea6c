/**
 * Test doubles of the STS / SSO / SSO OIDC calls, recording what they were asked, and helpers to
 * run providers against a temporary home directory.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import type { CredentialsError } from "../../src/Credentials/Credentials.js"
import type { ServiceCalls } from "../../src/Credentials/ServiceCalls.js"
import { layer as nodeFileSystem } from "../../src/Session/NodeFileSystem.js"

export interface RecordedCall {
  readonly operation: string
  readonly input: Readonly<Record<string, unknown>>
  readonly region: string
  /** The access key the call was signed with (undefined for unsigned calls). */
  readonly signedWith: string | undefined
}

/** Fake calls: STS answers `ASIA<n>` credentials for account 111122223333; SSO and OIDC as configured. */
export const fakeCalls = (
  options: {
    readonly createToken?: (n: number) => Effect.Effect<Record<string, unknown>, CredentialsError>
    readonly stsFailure?: CredentialsError
  } = {}
) => {
  const calls: Array<RecordedCall> = []
  const record = (
    operation: string,
    input: object,
    region: string,
    credentials: { get: Effect.Effect<{ accessKeyId: string }, CredentialsError>; anonymous?: boolean }
  ) =>
    Effect.gen(function* () {
      const signedWith = credentials.anonymous === true ? undefined : (yield* credentials.get).accessKeyId
      calls.push({ operation, input: input as Record<string, unknown>, region, signedWith })
      return calls.length
    })
  const stsAnswer = (n: number) => ({
    Credentials: {
      AccessKeyId: `ASIA${n}`,
      SecretAccessKey: `STS-SECRET-${n}`,
      SessionToken: `STS-TOKEN-${n}`,
      Expiration: new Date("2099-01-01T00:00:00Z")
    },
    AssumedRoleUser: {
      Arn: "arn:aws:sts::111122223333:assumed-role/role/session",
      AssumedRoleId: "AROA:session"
    }
  })
  const service: ServiceCalls = {
    sts: {
      assumeRole: (input, c) =>
        Effect.flatMap(record("AssumeRole", input, c.region, c.credentials), (n) =>
          options.stsFailure === undefined ? Effect.succeed(stsAnswer(n)) : Effect.fail(options.stsFailure)
        ),
      assumeRoleWithWebIdentity: (input, c) =>
        Effect.map(record("AssumeRoleWithWebIdentity", input, c.region, c.credentials), stsAnswer)
    },
    sso: {
      getRoleCredentials: (input, c) =>
        Effect.map(record("GetRoleCredentials", input, c.region, c.credentials), (n) => ({
          roleCredentials: {
            accessKeyId: `ASIASSO${n}`,
            secretAccessKey: `SSO-SECRET-${n}`,
            sessionToken: `SSO-TOKEN-${n}`,
            expiration: Date.parse("2099-01-01T00:00:00Z")
          }
        }))
    },
    ssoOidc: {
      createToken: (input, c) =>
        Effect.flatMap(record("CreateToken", input, c.region, c.credentials), (n) =>
          options.createToken === undefined
            ? Effect.succeed({
                accessToken: `refreshed-access-token-${n}`,
                expiresIn: 3600,
                refreshToken: `refreshed-refresh-${n}`
              })
            : options.createToken(n)
        )
    }
  }
  return { calls, service }
}

/** A temporary home directory with `.aws/config` and `.aws/credentials` written from texts. */
export const tempHome = (files: {
  readonly config?: string
  readonly credentials?: string
  readonly [name: string]: string | undefined
}) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "creds-home-"))
  fs.mkdirSync(path.join(home, ".aws"), { recursive: true })
  for (const [name, text] of Object.entries(files)) {
    if (text === undefined) continue
    const file =
      name === "config" || name === "credentials" ? path.join(home, ".aws", name) : path.join(home, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }
  return { home, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) }
}

/** Runs an effect with only the given environment and the Node file system. */
export const withEnv =
  (env: Record<string, string>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.provide(nodeFileSystem),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
