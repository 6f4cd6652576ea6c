/**
 * Hostile and broken input to the credential providers, beyond what `test/unit/Credentials/*`
 * already covers (one malformed document per provider, an error document from IMDS, a missing or
 * undated SSO cache file, plain-http hosts refused, a directory as the config file at the
 * `SharedConfig` level):
 *
 * - IMDS, container: answers that are not JSON, not an object, lack fields, carry fields of the
 *   wrong type, an `Expiration` that is not a date, a huge body; an IMDS session token or a
 *   container authorization token carrying CR/LF; container full URIs outside the allowed hosts
 *   (look-alikes, userinfo tricks, other schemes) refused before any request;
 * - `credential_process`: output that is not a JSON object, wrong types, a bad `Expiration`, huge
 *   output;
 * - SSO: cache files that are not JSON, of the wrong shape, huge, a directory; `GetRoleCredentials`
 *   and `CreateToken` answers of the wrong shape or with impossible dates (from fake calls and
 *   through the real SSO client against a loopback server);
 * - shared files that exist but cannot be read (chmod 000, or a directory where the file should
 *   be) and files with syntax errors: the error names the file (and the line);
 * - credentials whose fields carry CR/LF (or other control characters): refused by the provider
 *   that read them, before anything is signed.
 *
 * Every case ends in a typed failure (a `CredentialsError` naming the provider, or the provider's
 * own typed error), never a defect, and no secret of the input appears in the message, the
 * error's `String` or its JSON.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as AssumeRole from "../../src/Credentials/AssumeRole.js"
import * as Container from "../../src/Credentials/Container.js"
import * as Credentials from "../../src/Credentials/Credentials.js"
import { CredentialsError } from "../../src/Credentials/Credentials.js"
import * as Environment from "../../src/Credentials/Environment.js"
import * as InstanceMetadata from "../../src/Credentials/InstanceMetadata.js"
import * as MetadataHttp from "../../src/Credentials/MetadataHttp.js"
import * as Process from "../../src/Credentials/Process.js"
import * as ServiceCalls from "../../src/Credentials/ServiceCalls.js"
import * as SharedFile from "../../src/Credentials/SharedFile.js"
import * as Sso from "../../src/Credentials/Sso.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import { type HttpRequest, Transport, type TransportService } from "../../src/Request/Transport.js"
import type * as SSO from "../../src/Services/SSO/index.js"
import type * as SSOOIDC from "../../src/Services/SSOOIDC/index.js"
import type * as STS from "../../src/Services/STS/index.js"
import { layer as nodeFileSystem } from "../../src/Session/NodeFileSystem.js"
import * as ProfileSet from "../../src/Session/ProfileSet.js"
import * as SharedConfig from "../../src/Session/SharedConfig.js"
import { fakeCalls, tempHome, withEnv } from "../support/CredentialFakes.js"
import * as Loopback from "../support/LoopbackServer.js"

const SECRET = "HOSTILE-SECRET-ACCESS-KEY"
const TOKEN = "HOSTILE-SESSION-TOKEN"
const SECRETS = [SECRET, TOKEN]
const MiB = 1024 * 1024

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credentials-input-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const isRoot = typeof process.getuid === "function" && process.getuid() === 0

const stringify = (u: unknown): string => {
  try {
    return JSON.stringify(u) ?? ""
  } catch {
    return ""
  }
}

/** No secret of the input in what an error shows. */
const expectNoSecrets = (error: unknown, what: string) => {
  const shown = [(error as { readonly message?: unknown }).message, String(error), stringify(error)].join(
    "\n"
  )
  for (const secret of SECRETS)
    expect(shown.includes(secret), `${what}: ${secret} shown in ${shown}`).toBe(false)
}

/**
 * The exit is a typed failure, not a defect: a `CredentialsError` of `provider` (or, with
 * `tags`, one of those typed errors), whose message shows no secret. Returns the error.
 */
const expectTyped = <A, E>(
  exit: Exit.Exit<A, E>,
  what: string,
  provider: string,
  tags: ReadonlyArray<string> = ["CredentialsError"]
): { readonly _tag: string; readonly message: string } => {
  if (Exit.isSuccess(exit)) return expect.fail(`${what}: succeeded with ${stringify(exit.value)}`)
  expect(Chunk.toReadonlyArray(Cause.defects(exit.cause)), `${what}: a defect`).toEqual([])
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return expect.fail(`${what}: ${Cause.pretty(exit.cause)}`)
  const error = failure.value as { readonly _tag: string; readonly message: string }
  expect(tags, `${what}: ${error._tag}: ${error.message}`).toContain(error._tag)
  if (error instanceof CredentialsError) expect(error.provider, what).toBe(provider)
  expectNoSecrets(error, what)
  return error
}

const noFiles = SharedConfig.fromProfileSet(ProfileSet.empty)

const onlyEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** A transport that records what it is asked to send and sends nothing. */
const recordingTransport = () => {
  const sent: Array<HttpRequest> = []
  const service: TransportService = {
    send: (request) => {
      sent.push(request)
      return Effect.die("nothing may be sent in this test")
    }
  }
  return { sent, service }
}

// ---------------------------------------------------------------------------------------------
// Documents: the malformed answers both metadata providers are given.

const valid = {
  AccessKeyId: "ASIAHOSTILE",
  SecretAccessKey: SECRET,
  Token: TOKEN,
  Expiration: "2099-01-01T00:00:00Z"
}

const without = (key: keyof typeof valid) => {
  const { [key]: _, ...rest } = valid
  return JSON.stringify(rest)
}

/** Answers neither provider may accept (IMDS needs an Expiration, the container does not). */
const malformedDocuments: ReadonlyArray<readonly [string, string]> = [
  ["not JSON", `{"AccessKeyId":"ASIAHOSTILE","SecretAccessKey":"${SECRET}"`],
  ["empty", ""],
  ["only whitespace", " \n\t "],
  ["a JSON array", JSON.stringify([valid])],
  ["JSON null", "null"],
  ["a JSON string", JSON.stringify(SECRET)],
  ["a JSON number", "42"],
  ["an empty object", "{}"],
  ["no AccessKeyId", without("AccessKeyId")],
  ["no SecretAccessKey", without("SecretAccessKey")],
  ["an empty AccessKeyId", JSON.stringify({ ...valid, AccessKeyId: "" })],
  ["AccessKeyId a number", JSON.stringify({ ...valid, AccessKeyId: 12345 })],
  ["SecretAccessKey an object", JSON.stringify({ ...valid, SecretAccessKey: { value: SECRET } })],
  ["SecretAccessKey null", JSON.stringify({ ...valid, SecretAccessKey: null })],
  ["Token an array", JSON.stringify({ ...valid, Token: [TOKEN] })],
  ["Token a number", JSON.stringify({ ...valid, Token: 7 })],
  ["Expiration not a date", JSON.stringify({ ...valid, Expiration: `next tuesday ${SECRET}` })],
  ["Expiration out of range", JSON.stringify({ ...valid, Expiration: "2021-13-45T99:99:99Z" })],
  ["Expiration a number", JSON.stringify({ ...valid, Expiration: 4070908800 })],
  ["Expiration an object", JSON.stringify({ ...valid, Expiration: { $date: "2099-01-01" } })],
  [
    "a prototype-polluting document",
    `{"__proto__":{"AccessKeyId":"ASIAPOLLUTED","SecretAccessKey":"${SECRET}"}}`
  ],
  ["huge, not JSON", `{"AccessKeyId":"${"A".repeat(8 * MiB)}`],
  ["huge, well formed", JSON.stringify({ ...valid, Padding: "x".repeat(8 * MiB) })],
  ["AccessKeyId with CR/LF", JSON.stringify({ ...valid, AccessKeyId: "ASIAHOSTILE\r\nX-Injected: yes" })],
  ["Token with CR/LF", JSON.stringify({ ...valid, Token: `${TOKEN}\r\nX-Injected: yes` })],
  ["Token with a lone LF", JSON.stringify({ ...valid, Token: `${TOKEN}\nX` })],
  ["SecretAccessKey with CR/LF", JSON.stringify({ ...valid, SecretAccessKey: `${SECRET}\r\n` })],
  ["AccessKeyId with a NUL", JSON.stringify({ ...valid, AccessKeyId: "ASIA\u0000HOSTILE" })]
]

/** A missing Expiration: IMDS refuses it, the container provider accepts it (long-term keys). */
const imdsOnlyDocuments: ReadonlyArray<readonly [string, string]> = [
  ["no Expiration", without("Expiration")],
  ["Expiration empty", JSON.stringify({ ...valid, Expiration: "" })]
]

// ---------------------------------------------------------------------------------------------

describe("IMDS: malformed answers", () => {
  const imds = (endpoint: string) =>
    Effect.gen(function* () {
      const transport = yield* NodeTransport.make()
      return yield* InstanceMetadata.make({ sharedConfig: noFiles, endpoint }).pipe(
        Effect.provideService(Transport, transport),
        Effect.provide(nodeFileSystem),
        onlyEnv({})
      )
    })

  const serving =
    (document: string, token = "TOKEN-1", roles = "my-role\n"): Loopback.Handler =>
    (req) => {
      if (req.method === "PUT" && req.url === "/latest/api/token") return { status: 200, body: token }
      if (req.url === "/latest/meta-data/iam/security-credentials/") return { status: 200, body: roles }
      if (req.url.startsWith("/latest/meta-data/iam/security-credentials/"))
        return { status: 200, body: document }
      return { status: 404 }
    }

  it.scopedLive("every malformed credentials document is a typed imds error without the secrets", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start()
      for (const [what, document] of [...malformedDocuments, ...imdsOnlyDocuments]) {
        server.handle(serving(document))
        const exit = yield* Effect.exit((yield* imds(server.url)).get)
        const error = expectTyped(exit, `IMDS, ${what}`, "imds")
        expect(error.message, what).toContain("instance metadata")
        // a huge answer is refused while it is read, not buffered whole
        if (what.startsWith("huge")) expect(error.message, what).toContain("larger than 64 KiB")
      }
    })
  )

  it.scopedLive("a session token carrying CR/LF is refused, and never sent as a header", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start()
      for (const token of ["TOKEN\r\nX-Injected: yes", "TOKEN\nX-Injected: yes", "TO\u0000KEN"]) {
        server.handle(serving(JSON.stringify(valid), token))
        const before = server.requests.length
        const exit = yield* Effect.exit((yield* imds(server.url)).get)
        const error = expectTyped(exit, `IMDS token ${JSON.stringify(token)}`, "imds")
        expect(error.message).toContain("token")
        const after = server.requests.slice(before)
        expect(after.map((r) => r.method)).toEqual(["PUT"])
        expect(after.some((r) => r.headers["x-injected"] !== undefined)).toBe(false)
      }
    })
  )

  it.scopedLive(
    "hostile role names are refused before they reach a path (typed, described, not quoted)",
    () =>
      Effect.gen(function* () {
        const server = yield* Loopback.start()
        for (const role of ["../../api/token", "role?x=1#y", "a/b", "%2e%2e", "x".repeat(65)]) {
          server.handle(serving(JSON.stringify(valid), "TOKEN-1", `${role}\n`))
          const before = server.requests.length
          const exit = yield* Effect.exit((yield* imds(server.url)).get)
          const error = expectTyped(exit, `role ${role}`, "imds")
          expect(error.message).toContain("not a valid IAM role name")
          expect(error.message).not.toContain(role)
          const urls = server.requests.slice(before).map((r) => r.url)
          expect(urls.every((u) => u === "/latest/api/token" || u.endsWith("/security-credentials/"))).toBe(
            true
          )
        }
      })
  )
})

// ---------------------------------------------------------------------------------------------

describe("container credentials: malformed answers and refused endpoints", () => {
  const container = (env: Record<string, string>, transport?: TransportService) =>
    Effect.gen(function* () {
      const t = transport ?? (yield* NodeTransport.make())
      return yield* Container.make().pipe(
        Effect.provideService(Transport, t),
        Effect.provide(nodeFileSystem),
        onlyEnv(env)
      )
    })

  it.scopedLive("every malformed answer is a typed container error without the secrets", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start()
      for (const [what, document] of malformedDocuments) {
        server.handle(() => ({ status: 200, body: document }))
        const exit = yield* Effect.exit(
          (yield* container({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds` })).get
        )
        const error = expectTyped(exit, `container, ${what}`, "container")
        expect(error.message, what).toContain("container credentials")
        if (what.startsWith("huge")) expect(error.message, what).toContain("larger than 64 KiB")
      }
    })
  )

  it.scopedLive("a full URI outside the allowed hosts is refused before any request", () =>
    Effect.gen(function* () {
      const refused = [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://example.com/creds",
        "http://127.0.0.1.nip.io/creds",
        "http://localhost.example.com/creds",
        "http://169.254.170.2.example.com/creds",
        "http://127.0.0.1@example.com/creds",
        "http://169.254.170.2:80@example.com/creds",
        "http://example.com#@127.0.0.1/creds",
        "http://0251.0376.0251.0376/creds",
        "http://[::ffff:a9fe:a9fe]/creds",
        "http://10.0.0.1/creds",
        "file:///etc/passwd",
        "ftp://127.0.0.1/creds",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "//127.0.0.1/creds",
        "127.0.0.1/creds",
        "http://127.0.0.1/cr\r\neds",
        "http://127.0.0.1/ creds",
        "http:///creds"
      ]
      for (const uri of refused) {
        const recorder = recordingTransport()
        const exit = yield* Effect.exit(
          (yield* container({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri }, recorder.service)).get
        )
        const error = expectTyped(exit, `full URI ${JSON.stringify(uri)}`, "container")
        expect(error.message, uri).toContain("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        expect((error as CredentialsError).notLoaded, uri).toBeUndefined()
        expect(recorder.sent, uri).toEqual([])
      }
    })
  )

  it("a relative URI cannot leave the ECS agent: the host stays 169.254.170.2", () => {
    for (const relative of [
      "@example.com/creds",
      "//example.com/creds",
      ":80@example.com",
      "/..//example.com"
    ]) {
      const url = Container.resolveEndpoint({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: relative })
      const host = Either.flatMap(url, (u) => Either.mapLeft(MetadataHttp.parseUrl(u), (p) => p))
      expect(Either.map(host, (h) => h.hostname)).toEqual(Either.right("169.254.170.2"))
    }
  })

  it.scopedLive(
    "an authorization token carrying CR/LF, or a token file that is a directory, is refused",
    () =>
      Effect.gen(function* () {
        const server = yield* Loopback.start(() => ({ status: 200, body: JSON.stringify(valid) }))
        const tokenFile = path.join(dir, "container-token")
        fs.writeFileSync(tokenFile, "Bearer abc\r\nX-Injected: yes\n")
        const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
          ["token variable", { AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc\r\nX-Injected: yes" }],
          ["token file", { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }],
          ["token file a directory", { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: dir }]
        ]
        for (const [what, env] of cases) {
          const exit = yield* Effect.exit(
            (yield* container({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`, ...env })).get
          )
          expectTyped(exit, what, "container")
        }
        expect(server.requests).toEqual([])
      })
  )
})

// ---------------------------------------------------------------------------------------------

describe("credential_process: malformed output", () => {
  /** A command that prints `text` exactly (from a file: no shell quoting involved). */
  const printing = (text: string): string => {
    const file = path.join(dir, `process-${Math.random().toString(36).slice(2)}.out`)
    fs.writeFileSync(file, text)
    return `cat '${file}'`
  }
  const doc = (fields: Record<string, unknown>) =>
    JSON.stringify({
      Version: 1,
      AccessKeyId: "AKIDPROCESS",
      SecretAccessKey: SECRET,
      SessionToken: TOKEN,
      Expiration: "2099-01-01T00:00:00Z",
      ...fields
    })

  const outputs: ReadonlyArray<readonly [string, string]> = [
    ["empty", ""],
    ["not JSON", `AKIDPROCESS ${SECRET}`],
    ["truncated JSON", doc({}).slice(0, -3)],
    ["a JSON array", `[${doc({})}]`],
    ["JSON null", "null"],
    ["a JSON string", JSON.stringify(SECRET)],
    ["two documents", `${doc({})}\n${doc({})}`],
    ["Version as a string", doc({ Version: "1" })],
    ["no Version", JSON.stringify({ AccessKeyId: "A", SecretAccessKey: SECRET })],
    ["no SecretAccessKey", doc({ SecretAccessKey: undefined })],
    ["AccessKeyId a number", doc({ AccessKeyId: 42 })],
    ["SecretAccessKey an object", doc({ SecretAccessKey: { value: SECRET } })],
    ["SessionToken an array", doc({ SessionToken: [TOKEN] })],
    ["Expiration not a date", doc({ Expiration: `soon ${SECRET}` })],
    ["Expiration out of range", doc({ Expiration: "2099-02-30T25:61:00Z" })],
    ["Expiration a number", doc({ Expiration: 4070908800 })],
    ["AccessKeyId with CR/LF", doc({ AccessKeyId: "AKID\r\nX-Injected: yes" })],
    ["SessionToken with CR/LF", doc({ SessionToken: `${TOKEN}\r\nX-Injected: yes` })],
    ["SecretAccessKey with a line break", doc({ SecretAccessKey: `${SECRET}\n` })],
    ["huge (over the 1 MiB limit)", doc({ Padding: "x".repeat(2 * MiB) })]
  ]

  it.live("every malformed output is a typed error naming the program, without the secrets", () =>
    Effect.gen(function* () {
      for (const [what, text] of outputs) {
        const command = printing(text)
        const typed = yield* Effect.exit(Process.run(command))
        const error = expectTyped(typed, `process, ${what}`, "process", [
          "ProcessJsonError",
          "ProcessVersionError",
          "ProcessOutputError",
          "ProcessExitError",
          "ProcessOutputTooLarge",
          "CredentialsError"
        ])
        expect(error.message, what).toContain("credential_process cat")
        const provider = yield* Effect.exit(Process.make(command).get)
        expectTyped(provider, `process provider, ${what}`, "process")
      }
    })
  )

  it.live("output over the limit says so (not that the process exited with 0)", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Process.run(printing(doc({ Padding: "x".repeat(2 * MiB) }))))
      const error = expectTyped(exit, "huge output", "process", ["ProcessOutputTooLarge"])
      expect(error.message).toContain("MiB")
      expect(error.message).not.toContain("code 0")
    })
  )
})

// ---------------------------------------------------------------------------------------------

describe("SSO: malformed cache files and answers", () => {
  const now = Date.parse("2030-01-01T00:00:00Z")
  const config = {
    ssoSession: "dev",
    ssoStartUrl: "https://d-abc123.awsapps.com/start",
    ssoRegion: "eu-central-1",
    ssoAccountId: "012345678901",
    ssoRoleName: "SampleRole"
  }
  const cacheDocument = (fields: Record<string, unknown> = {}) => ({
    accessToken: TOKEN,
    expiresAt: "2030-01-01T01:00:00Z",
    refreshToken: "HOSTILE-REFRESH",
    clientId: "client-1",
    clientSecret: SECRET,
    registrationExpiresAt: "2031-01-01T00:00:00Z",
    ...fields
  })

  /** A home whose SSO cache file for the session holds `contents` (a directory for `null`). */
  const homeWith = (contents: string | null) =>
    Effect.acquireRelease(
      Effect.sync(() => tempHome({})),
      (h) => Effect.sync(h.cleanup)
    ).pipe(
      Effect.map(({ home }) => {
        const file = path.join(home, ".aws", "sso", "cache", Sso.cacheFileName("dev"))
        fs.mkdirSync(path.dirname(file), { recursive: true })
        if (contents === null) fs.mkdirSync(file)
        else fs.writeFileSync(file, contents)
        return { home, file }
      })
    )

  const cacheFiles: ReadonlyArray<readonly [string, string | null]> = [
    ["not JSON", `{"accessToken":"${TOKEN}"`],
    ["empty", ""],
    ["a JSON array", JSON.stringify([cacheDocument()])],
    ["JSON null", "null"],
    ["no accessToken", JSON.stringify(cacheDocument({ accessToken: undefined }))],
    ["accessToken a number", JSON.stringify(cacheDocument({ accessToken: 5 }))],
    ["accessToken an object", JSON.stringify(cacheDocument({ accessToken: { token: TOKEN } }))],
    ["no expiresAt", JSON.stringify(cacheDocument({ expiresAt: undefined }))],
    ["expiresAt not a date", JSON.stringify(cacheDocument({ expiresAt: "tomorrow" }))],
    ["expiresAt a number", JSON.stringify(cacheDocument({ expiresAt: 1893459600 }))],
    ["refreshToken a number", JSON.stringify(cacheDocument({ refreshToken: 1 }))],
    ["registrationExpiresAt not a date", JSON.stringify(cacheDocument({ registrationExpiresAt: "never" }))],
    ["accessToken with CR/LF", JSON.stringify(cacheDocument({ accessToken: `${TOKEN}\r\nX-Injected: yes` }))],
    ["huge", JSON.stringify(cacheDocument({ padding: "x".repeat(8 * MiB) })).replace(/}$/, "")],
    ["a directory", null]
  ]

  it.scoped("every malformed cache file is a typed sso error naming the file, without the secrets", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      for (const [what, contents] of cacheFiles) {
        const fake = fakeCalls()
        const { home, file } = yield* homeWith(contents)
        const exit = yield* Effect.exit(
          withEnv({ HOME: home })(
            Sso.fetch({ ...config, sso: fake.service.sso, ssoOidc: fake.service.ssoOidc })
          )
        )
        const error = expectTyped(exit, `SSO cache file, ${what}`, "sso")
        expect(error.message, what).toContain(file)
        expect(fake.calls, what).toEqual([])
      }
    })
  )

  // Root reads any file, so chmod 000 proves nothing there (the directory case above covers an
  // unreadable path): reported as skipped, not passed.
  it.scoped.skipIf(isRoot)("a cache file that cannot be read (chmod 000) is a typed error naming it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const { home, file } = yield* homeWith(JSON.stringify(cacheDocument()))
      fs.chmodSync(file, 0o000)
      const fake = fakeCalls()
      const exit = yield* Effect.exit(
        withEnv({ HOME: home })(Sso.fetch({ ...config, sso: fake.service.sso }))
      )
      const error = expectTyped(exit, "SSO cache file chmod 000", "sso")
      expect(error.message).toContain(file)
      expect(error.message).toContain("Permission denied")
    })
  )

  const roleCredentials = (fields: Record<string, unknown>) => ({
    roleCredentials: {
      accessKeyId: "ASIASSO",
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: Date.parse("2099-01-01T00:00:00Z"),
      ...fields
    }
  })

  const answers: ReadonlyArray<readonly [string, unknown]> = [
    ["empty", {}],
    ["roleCredentials null", { roleCredentials: null }],
    ["roleCredentials a string", { roleCredentials: SECRET }],
    ["no accessKeyId", roleCredentials({ accessKeyId: undefined })],
    ["accessKeyId empty", roleCredentials({ accessKeyId: "" })],
    ["secretAccessKey a number", roleCredentials({ secretAccessKey: 1 })],
    ["sessionToken an object", roleCredentials({ sessionToken: { t: TOKEN } })],
    ["no expiration", roleCredentials({ expiration: undefined })],
    ["expiration a string", roleCredentials({ expiration: "2099-01-01T00:00:00Z" })],
    ["expiration beyond any date", roleCredentials({ expiration: 1e20 })],
    ["expiration NaN", roleCredentials({ expiration: Number.NaN })],
    ["expiration infinite", roleCredentials({ expiration: Number.POSITIVE_INFINITY })],
    ["accessKeyId with CR/LF", roleCredentials({ accessKeyId: "ASIA\r\nX-Injected: yes" })],
    ["sessionToken with CR/LF", roleCredentials({ sessionToken: `${TOKEN}\r\nX-Injected: yes` })]
  ]

  it.scoped("every malformed GetRoleCredentials answer is a typed sso error without the secrets", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const { home } = yield* homeWith(JSON.stringify(cacheDocument()))
      for (const [what, answer] of answers) {
        const sso: ServiceCalls.SsoCalls = {
          getRoleCredentials: () => Effect.succeed(answer as SSO.GetRoleCredentialsResponse)
        }
        const exit = yield* Effect.exit(withEnv({ HOME: home })(Sso.fetch({ ...config, sso })))
        expectTyped(exit, `GetRoleCredentials, ${what}`, "sso")
      }
    })
  )

  const tokens: ReadonlyArray<readonly [string, unknown]> = [
    ["empty", {}],
    ["no accessToken", { expiresIn: 3600 }],
    ["expiresIn a string", { accessToken: "new", expiresIn: "3600" }],
    ["expiresIn beyond any date", { accessToken: "new", expiresIn: 1e300 }],
    ["expiresIn NaN", { accessToken: "new", expiresIn: Number.NaN }],
    ["expiresIn infinite", { accessToken: "new", expiresIn: Number.POSITIVE_INFINITY }],
    ["expiresIn negative", { accessToken: "new", expiresIn: -3600 }],
    ["accessToken with CR/LF", { accessToken: "new\r\nX-Injected: yes", expiresIn: 3600 }]
  ]

  it.scoped(
    "a malformed CreateToken answer never becomes the token: the cached one is kept, or a typed error",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        for (const [what, answer] of tokens) {
          // still valid for 3 minutes: refreshed, and kept when the refresh fails
          const { home, file } = yield* homeWith(
            JSON.stringify(cacheDocument({ expiresAt: "2030-01-01T00:03:00Z" }))
          )
          const fake = fakeCalls()
          const ssoOidc: ServiceCalls.SsoOidcCalls = {
            createToken: () => Effect.succeed(answer as SSOOIDC.CreateTokenResponse)
          }
          const exit = yield* Effect.exit(
            withEnv({ HOME: home })(Sso.fetch({ ...config, sso: fake.service.sso, ssoOidc }))
          )
          expect(Exit.isSuccess(exit), `CreateToken, ${what}: ${stringify(exit)}`).toBe(true)
          expect(
            fake.calls.map((c) => c.input.accessToken),
            what
          ).toEqual([TOKEN])
          expect(JSON.parse(fs.readFileSync(file, "utf8")).accessToken, what).toBe(TOKEN)
          // already expired: the failed refresh is a typed error
          const expired = yield* homeWith(
            JSON.stringify(cacheDocument({ expiresAt: "2029-12-31T23:00:00Z" }))
          )
          const failed = yield* Effect.exit(
            withEnv({ HOME: expired.home })(Sso.fetch({ ...config, sso: fake.service.sso, ssoOidc }))
          )
          expectTyped(failed, `CreateToken (expired token), ${what}`, "sso")
        }
      })
  )

  it.scopedLive("malformed GetRoleCredentials responses through the real SSO client are typed errors", () =>
    Effect.gen(function* () {
      const server = yield* Loopback.start()
      const { home } = yield* homeWith(JSON.stringify(cacheDocument()))
      const bodies: ReadonlyArray<readonly [string, number, string]> = [
        ["not JSON", 200, `{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"${SECRET}"`],
        ["an HTML page", 200, `<html>${SECRET}</html>`],
        ["empty", 200, ""],
        [
          "wrong types",
          200,
          JSON.stringify({ roleCredentials: { accessKeyId: 1, secretAccessKey: [SECRET], expiration: "x" } })
        ],
        ["expiration beyond any date", 200, JSON.stringify(roleCredentials({ expiration: 1e20 }))],
        [
          "huge, cut short",
          200,
          JSON.stringify(roleCredentials({ padding: "x".repeat(8 * MiB) })).slice(0, -2)
        ],
        ["an error without a type", 400, "{}"],
        ["an error that is not JSON", 500, "oops, not JSON"]
      ]
      for (const [what, status, body] of bodies) {
        server.handle(() => ({ status, headers: { "content-type": "application/json" }, body }))
        const exit = yield* Effect.gen(function* () {
          const transport = yield* NodeTransport.make()
          const calls = yield* ServiceCalls.live({ sharedConfig: noFiles }).pipe(
            Effect.provideService(Transport, transport),
            Effect.provide(nodeFileSystem),
            onlyEnv({ HOME: home, AWS_ENDPOINT_URL: server.url, AWS_MAX_ATTEMPTS: "1" })
          )
          return yield* Effect.exit(
            Sso.fetch({ ...config, sso: calls.sso }).pipe(
              Effect.provide(nodeFileSystem),
              onlyEnv({ HOME: home })
            )
          )
        })
        expectTyped(exit, `SSO client, ${what}`, "sso")
      }
      expect(server.requests.length).toBeGreaterThan(0)
    })
  )
})

// ---------------------------------------------------------------------------------------------

describe("shared config and credentials files: unreadable, malformed", () => {
  const noNetwork = Effect.provideService(Transport, { send: () => Effect.die("no network in this test") })

  const profileGet = (env: Record<string, string>, options: SharedFile.SharedFileOptions = {}) =>
    Effect.gen(function* () {
      const provider = yield* SharedFile.make({ calls: fakeCalls().service, ...options }).pipe(
        noNetwork,
        withEnv(env)
      )
      return yield* Effect.exit(provider.get)
    })

  const home = (files: Parameters<typeof tempHome>[0]) =>
    Effect.acquireRelease(
      Effect.sync(() => tempHome(files)),
      (h) => Effect.sync(h.cleanup)
    ).pipe(Effect.map((h) => h.home))

  const keys = `[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = ${SECRET}\n`

  // Skipped as root, which reads any file; the next test makes the paths unreadable as
  // directories instead.
  it.scoped.skipIf(isRoot)("a file that exists but cannot be read: chmod 000", () =>
    Effect.gen(function* () {
      for (const name of ["config", "credentials"] as const) {
        const h = yield* home({ [name]: keys })
        const file = path.join(h, ".aws", name)
        fs.chmodSync(file, 0o000)
        const exit = yield* profileGet({ HOME: h })
        const error = expectTyped(exit, `${name} chmod 000`, "profile")
        expect(error.message).toContain(file)
        expect(error.message).toContain("ermission denied")
      }
    })
  )

  it.scoped("a directory where the config or credentials file should be, found or named", () =>
    Effect.gen(function* () {
      for (const name of ["config", "credentials"] as const) {
        // found under HOME
        const h = yield* home({})
        const file = path.join(h, ".aws", name)
        fs.mkdirSync(file)
        const found = expectTyped(yield* profileGet({ HOME: h }), `${name} a directory`, "profile")
        expect(found.message).toContain(file)
        expect((found as CredentialsError).notLoaded).toBeUndefined()
        // named by its variable
        const other = yield* home({})
        const variable = name === "config" ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE"
        const named = expectTyped(
          yield* profileGet({ HOME: other, [variable]: dir }),
          `${variable} a directory`,
          "profile"
        )
        expect(named.message).toContain(dir)
      }
    })
  )

  it.scoped("syntax errors name the file and the line, never the secrets on other lines", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, "config" | "credentials", string, number]> = [
        ["an unclosed section", "config", `[default]\nregion = us-east-1\n[profile dev\n`, 3],
        ["a property without a section", "credentials", `aws_secret_access_key = ${SECRET}\n[default]\n`, 1],
        ["a property without a name", "credentials", `${keys}= ${SECRET}\n`, 4],
        ["a line without =", "config", `[default]\n${SECRET}\n`, 2],
        ["a sub-property without a parent", "config", `[default]\n  endpoint_url = x\n`, 2],
        [
          "CRLF line endings, error on line 3",
          "credentials",
          `[default]\r\naws_access_key_id = A\r\n[bad\r\n`,
          3
        ]
      ]
      for (const [what, name, text, line] of cases) {
        const h = yield* home({ [name]: text })
        const error = expectTyped(yield* profileGet({ HOME: h }), what, "profile")
        expect(error.message, what).toContain(path.join(h, ".aws", name))
        expect(error.message, what).toContain(`line ${line}`)
      }
    })
  )
})

// ---------------------------------------------------------------------------------------------

describe("credentials carrying CR/LF are refused where they are read", () => {
  it.effect("environment variables", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<Record<string, string>> = [
        { AWS_ACCESS_KEY_ID: "AKID\r\nX-Injected: yes", AWS_SECRET_ACCESS_KEY: SECRET },
        { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: `${TOKEN}\nX: y` },
        { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: `${SECRET}\r\nmore` },
        { AWS_ACCESS_KEY_ID: "AK\u0000ID", AWS_SECRET_ACCESS_KEY: SECRET }
      ]
      for (const env of cases) {
        const exit = yield* Effect.exit(Environment.fetch.pipe(onlyEnv(env)))
        const error = expectTyped(exit, `environment ${JSON.stringify(Object.keys(env))}`, "environment")
        expect((error as CredentialsError).notLoaded).toBeUndefined()
      }
    })
  )

  it.scoped("static keys in a profile (a lone CR inside a value)", () =>
    Effect.gen(function* () {
      const cases = [
        `[default]\naws_access_key_id = AKID\rX-Injected: yes\naws_secret_access_key = ${SECRET}\n`,
        `[default]\naws_access_key_id = AKID\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\rX\n`
      ]
      for (const credentials of cases) {
        const h = tempHome({ credentials })
        const exit = yield* SharedFile.make({ calls: fakeCalls().service }).pipe(
          Effect.provideService(Transport, { send: () => Effect.die("no network in this test") }),
          withEnv({ HOME: h.home }),
          Effect.flatMap((p) => Effect.exit(p.get))
        )
        h.cleanup()
        expectTyped(exit, `profile ${JSON.stringify(credentials)}`, "profile")
      }
    })
  )

  it.effect("an STS answer (assume role)", () =>
    Effect.gen(function* () {
      const answer = (fields: Record<string, unknown>) => ({
        Credentials: {
          AccessKeyId: "ASIASTS",
          SecretAccessKey: SECRET,
          SessionToken: TOKEN,
          Expiration: new Date("2099-01-01T00:00:00Z"),
          ...fields
        }
      })
      for (const fields of [
        { AccessKeyId: "ASIA\r\nX-Injected: yes" },
        { SessionToken: `${TOKEN}\r\nX-Injected: yes` },
        { Expiration: new Date(Number.NaN) }
      ]) {
        const sts: ServiceCalls.StsCalls = {
          assumeRole: () => Effect.succeed(answer(fields) as STS.AssumeRoleResponse),
          assumeRoleWithWebIdentity: () => Effect.die("not called")
        }
        const exit = yield* Effect.exit(
          AssumeRole.fetch({
            roleArn: "arn:aws:iam::123456789012:role/r",
            source: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "s" })),
            sts,
            region: "us-east-1"
          })
        )
        expectTyped(exit, `STS ${stringify(Object.keys(fields))}`, "assume-role")
      }
    })
  )
})
