/**
 * What the reliability tests share: every client under test (the hand-written JSON and REST test
 * services, a REST service with greedy labels and header maps, a JSON service that checks
 * `x-amz-crc32`, and the generated S3 and DynamoDB clients) wired to one endpoint through the
 * real Node transport, with a counter of the attempts the client made, and a runner that reports
 * the exit, the backoff delays, the attempts on both sides and the sockets left behind.
 */
import * as zlib from "node:zlib"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Credentials from "../../src/Credentials/Credentials.js"
import { standardRuleSet } from "../../src/Endpoints/Fallback.js"
import { linkOperation, linkShapes } from "../../src/Protocols/Api2.js"
import { makeJsonRpc } from "../../src/Protocols/JsonRpc.js"
import { makeRestJson } from "../../src/Protocols/RestJson.js"
import type { ServiceMetadata } from "../../src/Protocols/Shape.js"
import * as Client from "../../src/Request/Client.js"
import type { CommonError } from "../../src/Request/Errors.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import type * as Retry from "../../src/Request/Retry.js"
import { Transport, type TransportService } from "../../src/Request/Transport.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as SSO from "../../src/Services/SSO/index.js"
import * as STS from "../../src/Services/STS/index.js"
import * as Session from "../../src/Session/Session.js"
import { runDriven } from "../support/Clock.js"
import type * as FaultServer from "../support/FaultServer.js"
import * as TestService from "../support/TestService.js"

export const ACCESS_KEY = "AKIDRELIABILITYTEST"
export const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYRELIABILITYKEY"
export const TOKEN = "FwoGZXIvYXdzRELIABILITYSESSIONTOKEN//////////wEaDH"

export const staticCredentials = Credentials.fromStatic(
  Credentials.make({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, sessionToken: TOKEN })
)

// ---------------------------------------------------------------------------------------------
// A REST service with a greedy label, a header-bound member and a prefix header map (as S3 has),
// without S3's endpoint rules: the request line it produces is exactly the template's.

const objectShapes = linkShapes({
  PutInput: {
    type: "structure",
    required: ["Bucket", "Key"],
    payload: "Body",
    members: {
      Bucket: { shape: "Label", location: "uri", locationName: "Bucket" },
      Key: { shape: "Label", location: "uri", locationName: "Key" },
      ContentType: { shape: "Text", location: "header", locationName: "Content-Type" },
      Metadata: { shape: "Meta", location: "headers", locationName: "x-amz-meta-" },
      Prefix: { shape: "Text", location: "querystring", locationName: "prefix" },
      Body: { shape: "Bytes" }
    }
  },
  PutOutput: {
    type: "structure",
    members: { ETag: { shape: "Text", location: "header", locationName: "ETag" } }
  },
  Label: { type: "string", min: 1 },
  Text: { type: "string" },
  Meta: { type: "map", key: { shape: "Text" }, value: { shape: "Text" } },
  Bytes: { type: "blob" }
})

const restMetadata: ServiceMetadata = {
  protocol: "rest-json",
  apiVersion: "2020-01-01",
  endpointPrefix: "objects",
  signingName: "objects",
  serviceId: "Objects"
}

export class Objects extends Context.Tag("test/Objects")<Objects, Client.ServiceClient>() {}

export const layerObjects = Client.layer(Objects, {
  metadata: restMetadata,
  protocol: makeRestJson,
  endpointRules: () => standardRuleSet({ endpointPrefix: "objects" })
})

export interface PutInput {
  readonly Bucket: string
  readonly Key: string
  readonly ContentType?: string
  readonly Metadata?: Readonly<Record<string, string>>
  readonly Prefix?: string
  readonly Body?: Uint8Array | string
}

/** `PUT /objects/{Bucket}/{Key+}`: a greedy key, a header, a header map and a query member. */
export const putObject: Client.Operation<
  PutInput,
  { readonly ETag?: string },
  CommonError | Client.SdkError,
  Objects
> = Client.operation(Objects, {
  model: linkOperation(objectShapes, {
    name: "PutObject",
    http: { method: "PUT", requestUri: "/objects/{Bucket}/{Key+}" },
    input: { shape: "PutInput" },
    output: { shape: "PutOutput" }
  })
})

// ---------------------------------------------------------------------------------------------
// A JSON service whose responses carry `x-amz-crc32` (as DynamoDB's do), checked by a
// customization through the pipeline's `checkResponse` hook.

export class CrcJson extends Context.Tag("test/CrcJson")<CrcJson, Client.ServiceClient>() {}

const checkCrc32: NonNullable<Client.Customizations["checkResponse"]> = (_operation, response) => {
  const expected = response.headers["x-amz-crc32"]
  if (expected === undefined) return undefined
  const actual = zlib.crc32(response.body) >>> 0
  return String(actual) === expected.trim()
    ? undefined
    : `x-amz-crc32 is ${expected} but the body's CRC32 is ${actual}`
}

export const layerCrcJson = Client.layer(CrcJson, {
  metadata: {
    protocol: "json",
    apiVersion: "2020-01-01",
    jsonVersion: "1.1",
    targetPrefix: "TestService",
    endpointPrefix: "test",
    signingName: "test",
    serviceId: "CrcTest"
  },
  protocol: makeJsonRpc,
  endpointRules: () => standardRuleSet({ endpointPrefix: "test" }),
  customizations: { checkResponse: checkCrc32 }
})

export const crcEcho: Client.Operation<
  TestService.EchoInput,
  TestService.EchoOutput,
  CommonError | Client.SdkError,
  CrcJson
> = Client.operation(CrcJson, { model: TestService.echo.model })

/** The CRC32 DynamoDB puts in `x-amz-crc32` for a body. */
export const crc32Of = (body: string): string => String(zlib.crc32(Buffer.from(body)) >>> 0)

// ---------------------------------------------------------------------------------------------
// The environment.

/** Every client under test. */
export type Clients =
  | TestService.TestJson
  | TestService.TestRest
  | Objects
  | CrcJson
  | S3.S3
  | DynamoDB.DynamoDB
  | SSO.SSO
  | STS.STS

export interface EnvOptions {
  readonly endpoint: string
  readonly retry?: Retry.RetryPolicy | undefined
  readonly idleTimeoutMs?: number | undefined
  readonly credentials?: Credentials.CredentialsProvider | undefined
  readonly maxSockets?: number | undefined
  readonly replayBufferBytes?: number | undefined
  readonly maxResponseBytes?: number | undefined
}

/** Counts the attempts a client hands to the transport. */
export interface SendCounter {
  sends: number
}

const counting = (inner: TransportService, counter: SendCounter): TransportService => ({
  send: (request, options) =>
    Effect.suspend(() => {
      counter.sends++
      return inner.send(request, options)
    })
})

/** All clients, on one session and one Node transport whose sockets close with the layer. */
export const clients = (options: EnvOptions, counter: SendCounter = { sends: 0 }): Layer.Layer<Clients> =>
  Layer.mergeAll(
    TestService.layerJson(),
    TestService.layerRest(),
    layerObjects(),
    layerCrcJson(),
    S3.layer(),
    DynamoDB.layer(),
    SSO.layer(),
    STS.layer()
  ).pipe(
    Layer.provide(
      Layer.effect(
        Session.Session,
        Effect.map(Transport, (transport) =>
          Session.make({
            region: "us-east-1",
            credentials: options.credentials ?? staticCredentials,
            transport: counting(transport, counter),
            retry: options.retry,
            endpoint: options.endpoint,
            idleTimeoutMs: options.idleTimeoutMs,
            replayBufferBytes: options.replayBufferBytes,
            maxResponseBytes: options.maxResponseBytes,
            s3: { forcePathStyle: true },
            requestChecksumCalculation: "when_required",
            responseChecksumValidation: "when_required"
          })
        )
      )
    ),
    Layer.provide(
      NodeTransport.layer(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets })
    ),
    Layer.orDie
  )

/** What one run against the fault server shows. */
export interface RunReport<A, E> {
  readonly exit: Exit.Exit<A, E>
  /** Backoff sleeps taken on the test clock, in ms. */
  readonly delays: ReadonlyArray<number>
  /** Attempts the client handed to its transport. */
  readonly sends: number
  /** Requests the server received. */
  readonly requests: number
  /** Server sockets still carrying an unfinished exchange after the call, transport still alive. */
  readonly busyAfterCall: number
  /** Server sockets still open after the clients' scope closed. */
  readonly openAfterClose: number
}

/**
 * Runs `call` against the clients under `TestClock` (backoff sleeps are skipped, real I/O goes
 * on), then checks the sockets: none busy while the transport lives, none open once it is gone.
 */
export const runAgainst = <A, E>(
  server: FaultServer.FaultServer,
  call: Effect.Effect<A, E, Clients | Scope.Scope>,
  options: Partial<EnvOptions> = {}
): Effect.Effect<RunReport<A, E>> =>
  Effect.gen(function* () {
    const counter: SendCounter = { sends: 0 }
    const before = server.requestCount()
    const inScope = yield* Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(clients({ endpoint: server.url, ...options }, counter))
        const { exit, delays } = yield* runDriven(Effect.scoped(Effect.provide(call, context)))
        const busyAfterCall = yield* Effect.promise(() => server.waitForIdle())
        return { exit, delays, busyAfterCall }
      })
    )
    const openAfterClose = yield* Effect.promise(() => server.waitForSocketsClosed())
    return { ...inScope, sends: counter.sends, requests: server.requestCount() - before, openAfterClose }
  })
