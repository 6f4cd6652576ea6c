/**
 * Secrets never show: the whole fault table, and calls that carry an SSE-C key, an SSO bearer
 * token and STS credentials, run with a debug logger and a recording tracer; then every log line,
 * span (name, attributes, events, exit), error (`message`, `String`, `JSON.stringify`,
 * `util.inspect`, `Cause.pretty`) and SDK value (`String`, `JSON.stringify`, `util.inspect` of
 * credentials, providers, clients, the session) is scanned for the secret access key, the session
 * token, every signature the servers received, the SSO token, the SSE-C key and the secrets of the
 * credentials a service returned.
 */
import * as util from "node:util"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as SSO from "../../src/Services/SSO/index.js"
import * as STS from "../../src/Services/STS/index.js"
import * as Session from "../../src/Session/Session.js"
import { runDriven } from "../support/Clock.js"
import * as FaultServer from "../support/FaultServer.js"
import * as TestService from "../support/TestService.js"
import { callOf, faultCases } from "./FaultCases.js"
import { ACCESS_KEY, type Clients, clients, SECRET, staticCredentials, TOKEN } from "./Harness.js"

const SSO_TOKEN = "aoaAAAAAGSSOBEARERTOKENdoNotPrintMe0123456789"
const SSE_KEY = "0123456789abcdefSSECKEYdoNotShow"
const SSE_KEY_BASE64 = Buffer.from(SSE_KEY).toString("base64")
const STS_SECRET = "StsReturnedSecretAccessKeyDoNotPrint0123"
const STS_TOKEN = "IQoJb3JpZ2luX2VjSTSRETURNEDSESSIONTOKEN"

/** Everything that was written anywhere a person or a tool could read it. */
const seen: Array<string> = []
/** The signatures the servers received (valid for 15 minutes: secrets too). */
const signatures = new Set<string>()

const record = (what: string, text: string) => seen.push(`${what}: ${text}`)

const logger = Logger.make(({ logLevel, message, annotations, cause, spans }) => {
  record(
    `log ${logLevel.label}`,
    util.inspect(
      { message, annotations: [...annotations], cause: Cause.pretty(cause), spans: [...spans] },
      {
        depth: 20
      }
    )
  )
})

/** A tracer that records every span: name, attributes, events and how it ended. */
const tracer = Tracer.make({
  span: (name, parent, context, links, startTime, kind) => {
    const attributes = new Map<string, unknown>()
    const span: Tracer.Span = {
      _tag: "Span",
      name,
      spanId: `span-${seen.length}`,
      traceId: "trace",
      parent,
      context,
      status: { _tag: "Started", startTime },
      attributes,
      links,
      sampled: true,
      kind,
      attribute: (key, value) => void attributes.set(key, value),
      event: (event, _time, eventAttributes) =>
        record(`span ${name} event`, util.inspect({ event, eventAttributes }, { depth: 20 })),
      addLinks: () => {},
      end: (_endTime, exit) =>
        record(
          "span",
          util.inspect(
            {
              name,
              kind,
              attributes: Object.fromEntries(attributes),
              exit: Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"
            },
            { depth: 20 }
          )
        )
    }
    return span
  },
  context: (f) => f()
})

/** Runs with the debug logger and the recording tracer. */
const observed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.withTracer(tracer),
    Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )

/** Records every rendering of an error a caller might print. */
const recordExit = (what: string, exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return record(`${what} output`, util.inspect(exit.value, { depth: 20 }))
  record(`${what} cause`, Cause.pretty(exit.cause))
  const failure = Cause.failureOption(exit.cause)
  const error = Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  record(`${what} String`, String(error))
  record(`${what} JSON`, JSON.stringify(error) ?? "")
  record(`${what} inspect`, util.inspect(error, { depth: 20 }))
  if (error instanceof Error) record(`${what} message`, error.message)
}

/** Runs a call on a fault server with a script, under observation; records what came back. */
const observe = (
  what: string,
  replies: ReadonlyArray<FaultServer.Reply> | ((request: FaultServer.Received) => FaultServer.Reply),
  call: Effect.Effect<unknown, unknown, Clients | Scope.Scope>,
  options: { readonly idleTimeoutMs?: number; readonly refused?: boolean } = {}
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      if (typeof replies === "function") server.scriptWith(replies)
      else server.script(replies.length === 0 ? [{ status: 200 }] : replies)
      const endpoint = options.refused ? "http://127.0.0.1:9" : server.url
      const exit = yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(clients({ endpoint, idleTimeoutMs: options.idleTimeoutMs }))
          const { exit } = yield* runDriven(observed(Effect.scoped(Effect.provide(call, context))))
          // the SDK values a program holds: every client, and the session it was made from
          const held = [
            Context.get(context, TestService.TestJson),
            Context.get(context, S3.S3),
            Context.get(context, SSO.SSO),
            Context.get(context, STS.STS)
          ]
          for (const client of held) {
            record(`${what} client String`, String(client))
            record(`${what} client JSON`, safeJson(client))
            record(`${what} client inspect`, util.inspect(client, { depth: 20 }))
          }
          return exit
        })
      )
      recordExit(what, exit)
      for (const request of server.received) {
        const signature = /Signature=([0-9a-f]{64})/.exec(request.headers.authorization ?? "")?.[1]
        if (signature !== undefined) signatures.add(signature)
      }
      return { exit, server }
    })
  )

const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? ""
  } catch (e) {
    return `(JSON.stringify threw: ${e instanceof Error ? e.message : String(e)})`
  }
}

describe("secrets", () => {
  afterAll(() => {
    console.log(
      `secrets scan: ${seen.length} renderings checked against ${signatures.size} signatures and 8 secrets`
    )
  })

  it.effect("the fault table, with debug logs and spans", () =>
    Effect.gen(function* () {
      for (const c of faultCases) {
        yield* observe(c.fault, c.replies, callOf(c.client), {
          ...(c.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: c.idleTimeoutMs }),
          ...(c.refused ? { refused: true } : {})
        })
      }
      expect(signatures.size).toBeGreaterThan(50)
    })
  )

  it.effect("an SSE-C key through faults, and in a request that is refused", () =>
    Effect.gen(function* () {
      const put = S3.putObject({
        Bucket: "bucket",
        Key: "k",
        Body: "x",
        SSECustomerAlgorithm: "AES256",
        SSECustomerKey: SSE_KEY
      })
      const { server } = yield* observe(
        "SSE-C put",
        [
          {
            status: 500,
            headers: { "content-type": "application/xml" },
            body: "<Error><Code>InternalError</Code></Error>"
          },
          { reset: "midHeaders" },
          {
            status: 400,
            headers: { "content-type": "application/xml" },
            body: "<Error><Code>InvalidArgument</Code><Message>The secret key was invalid for the specified algorithm.</Message></Error>"
          }
        ],
        put
      )
      // the key did travel where it must (and only there)
      expect(server.received[0]?.headers["x-amz-server-side-encryption-customer-key"]).toBe(SSE_KEY_BASE64)
      yield* observe(
        "SSE-C get",
        [{ status: 403, headers: { "content-type": "application/xml" }, body: "" }],
        S3.getObject({ Bucket: "bucket", Key: "k", SSECustomerAlgorithm: "AES256", SSECustomerKey: SSE_KEY })
      )
    })
  )

  it.effect("an SSO bearer token through faults, and SSO credentials in a broken response", () =>
    Effect.gen(function* () {
      const call = SSO.getRoleCredentials({
        roleName: "r",
        accountId: "123456789012",
        accessToken: SSO_TOKEN
      })
      const json = { "content-type": "application/json" }
      const credentialsJson = `{"roleCredentials":{"accessKeyId":"ASIAEXAMPLE","secretAccessKey":"${STS_SECRET}","sessionToken":"${STS_TOKEN}","expiration":`
      yield* observe(
        "SSO faults",
        [
          {
            status: 401,
            headers: { ...json, "x-amzn-errortype": "UnauthorizedException" },
            body: '{"message":"Session token not found or invalid"}'
          },
          { status: 500, headers: json, body: "" }
        ],
        call
      )
      yield* observe(
        "SSO truncated credentials",
        [{ status: 200, headers: json, body: credentialsJson }],
        call
      )
      yield* observe(
        "SSO credentials of the wrong type",
        [{ status: 200, headers: json, body: `${credentialsJson}"tomorrow"}}` }],
        call
      )
      yield* observe(
        "SSO credentials cut mid-body",
        [{ status: 200, headers: json, body: `${credentialsJson}1700000000000}}`, reset: "midBody" }],
        call
      )
      // a token that cannot be a header is refused without being repeated
      yield* observe(
        "SSO token with a line break",
        [],
        SSO.getRoleCredentials({
          roleName: "r",
          accountId: "1",
          accessToken: `${SSO_TOKEN}\r\nX-Injected: 1`
        })
      )
      yield* observe(
        "SSO token with non-ASCII",
        [],
        SSO.getRoleCredentials({
          roleName: "r",
          accountId: "1",
          accessToken: `${SSO_TOKEN}é`
        })
      )
    })
  )

  it.effect("STS credentials in broken responses", () =>
    Effect.gen(function* () {
      const call = STS.assumeRole({ RoleArn: "arn:aws:iam::123456789012:role/r", RoleSessionName: "s" })
      const xml = { "content-type": "text/xml" }
      const result = (expiration: string, close = true) =>
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>${STS_SECRET}</SecretAccessKey><SessionToken>${STS_TOKEN}</SessionToken><Expiration>${expiration}</Expiration></Credentials>${close ? "</AssumeRoleResult></AssumeRoleResponse>" : ""}`
      yield* observe(
        "STS truncated",
        [{ status: 200, headers: xml, body: result("2030-01-01T00:00:00Z", false) }],
        call
      )
      yield* observe("STS bad expiration", [{ status: 200, headers: xml, body: result("tomorrow") }], call)
      yield* observe(
        "STS DOCTYPE",
        [{ status: 200, headers: xml, body: `<!DOCTYPE x>${result("2030-01-01T00:00:00Z")}` }],
        call
      )
      const ok = yield* observe(
        "STS success",
        [{ status: 200, headers: xml, body: result("2030-01-01T00:00:00Z") }],
        call
      )
      // the caller gets the secret, of course: it is the output
      expect(Exit.isSuccess(ok.exit)).toBe(true)
      seen.splice(
        seen.findIndex((line) => line.startsWith("STS success output")),
        1
      )
    })
  )

  it.effect("a service that echoes the signature in its error", () =>
    Effect.gen(function* () {
      const echo = (request: FaultServer.Received): FaultServer.Reply => {
        const signature = /Signature=([0-9a-f]{64})/.exec(request.headers.authorization ?? "")?.[1] ?? ""
        return {
          status: 403,
          headers: { "content-type": "application/xml" },
          body: `<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><AWSAccessKeyId>${ACCESS_KEY}</AWSAccessKeyId><SignatureProvided>${signature}</SignatureProvided><StringToSign>AWS4-HMAC-SHA256</StringToSign></Error>`
        }
      }
      yield* observe("signature echo", echo, S3.listObjectsV2({ Bucket: "bucket" }))
    })
  )

  it("SDK values print no secret", () => {
    const credentials = Credentials.make({
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
      sessionToken: TOKEN
    })
    const session = Session.make({
      region: "us-east-1",
      credentials: staticCredentials,
      transport: { send: () => Effect.never }
    })
    for (const [what, value] of [
      ["credentials", credentials],
      ["provider", staticCredentials],
      ["session", session]
    ] as const) {
      record(`${what} String`, String(value))
      record(`${what} JSON`, safeJson(value))
      record(`${what} inspect`, util.inspect(value, { depth: 20 }))
    }
  })

  it.effect("a signed client after real calls prints no secret (its signing-key cache included)", () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      server.script([{ status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: "{}" }])
      const client = yield* Effect.gen(function* () {
        yield* TestService.echo({ Name: "x" })
        return yield* TestService.TestJson
      }).pipe(
        Effect.provide(
          TestService.layerJson().pipe(
            Layer.provide(
              Session.layerWithoutTransport({
                region: "us-east-1",
                credentials: staticCredentials,
                endpoint: server.url
              })
            ),
            Layer.provide(NodeTransport.layer())
          )
        )
      )
      record("used client String", String(client))
      record("used client JSON", safeJson(client))
      record("used client inspect", util.inspect(client, { depth: 20 }))
      record("used client console.log", util.format("%o", client))
    }).pipe(Effect.scoped)
  )

  it("nothing anyone could read holds a secret", () => {
    expect(seen.length).toBeGreaterThan(200)
    const secrets: ReadonlyArray<readonly [string, string]> = [
      ["secret access key", SECRET],
      ["session token", TOKEN],
      ["SSO token", SSO_TOKEN],
      ["SSE-C key", SSE_KEY],
      ["SSE-C key (base64)", SSE_KEY_BASE64],
      ["returned secret access key", STS_SECRET],
      ["returned session token", STS_TOKEN],
      ...[...signatures].map((s) => ["a signature", s] as const)
    ]
    // one example of each kind of leak: which secret, in what rendering, and the text around it
    const leaks = new Map<string, string>()
    for (const line of seen) {
      const what = line.slice(0, line.indexOf(":"))
      const rendering = what.slice(what.lastIndexOf(" ") + 1)
      for (const [name, secret] of secrets) {
        const at = line.indexOf(secret)
        const kind = `${name} in ${rendering}`
        if (at !== -1 && !leaks.has(kind)) {
          leaks.set(kind, `${kind} (${what}): …${line.slice(Math.max(0, at - 200), at + 60)}…`)
        }
      }
    }
    expect([...leaks.values()].join("\n\n")).toBe("")
  })
})
