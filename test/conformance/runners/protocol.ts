/**
 * The AWS protocol suites (api-2 form): `npm run conformance -- protocol [FILE...]`.
 *
 * Input cases (`params` + `serialized`) go through `codecFor(metadata).serialize` and the
 * pipeline's `withPayloadHeaders`, and are compared with the expected request; output cases (`response`)
 * go through `deserialize` or, when they expect an error, `deserializeError`. Without FILE it
 * runs every file of `protocol/botocore/{input,output}` and `protocol/botocore/legacy/{input,output}`.
 * The rpc-v2-cbor suites write bodies as base64 of CBOR: responses are decoded from base64, and
 * request bodies compared as decoded CBOR. An event-stream output's body (base64 of the frames)
 * is decoded as the pipeline will: frames by `MessageDecoder`, events by `decodeEvent`, the list of
 * events in the stream member and an initial response's members beside it. Skips come only from
 * `protocol-skips.json`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { isDeepStrictEqual } from "node:util"
import { linkOperation, linkShapes } from "../../../src/Protocols/Api2.js"
import { MessageDecoder } from "../../../src/Protocols/EventStream.js"
import { decodeEvent, payloadFormatOf } from "../../../src/Protocols/EventStreamEvents.js"
import { codecFor } from "../../../src/Protocols/index.js"
import type { ProtocolCodec, ResponseParts } from "../../../src/Protocols/Protocol.js"
import type { OperationModel, ServiceMetadata, Shape, StructureShape } from "../../../src/Protocols/Shape.js"
import { streamingOutputMember } from "../../../src/Protocols/Streaming.js"
import { withPayloadHeaders } from "../../../src/Request/PayloadHeaders.js"
import { compareRequest, type ExpectedRequest, type Mismatch } from "../protocol/Compare.js"
import { Skips } from "../protocol/Skips.js"
import { toComparable, toInput } from "../protocol/Values.js"
import { conformanceRoot, dataPath, type RunResult, Tally } from "../Report.js"

interface Case {
  readonly id?: string
  readonly description?: string
  readonly given: Readonly<Record<string, unknown>>
  readonly params?: Readonly<Record<string, unknown>>
  readonly serialized?: ExpectedRequest
  readonly response?: {
    readonly status_code?: number
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: string
  }
  readonly result?: unknown
  readonly error?: unknown
  readonly errorCode?: string
  readonly errorMessage?: string
}

interface Suite {
  readonly description: string
  readonly metadata: ServiceMetadata
  readonly shapes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly cases: ReadonlyArray<Case>
  readonly clientEndpoint?: string
}

/** The fixed token the suites expect for auto-filled idempotency tokens. */
const TOKEN = "00000000-0000-4000-8000-000000000000"

const SUITE_DIRS = ["input", "output", "legacy/input", "legacy/output"].map((d) => `protocol/botocore/${d}`)

/** Every suite file (absolute paths). */
export const defaultFiles = (): Array<string> =>
  SUITE_DIRS.flatMap((dir) =>
    fs
      .readdirSync(dataPath(dir))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => dataPath(`${dir}/${f}`))
  )

const relativeName = (file: string): string => {
  const rel = path.relative(conformanceRoot, path.resolve(file))
  return rel.startsWith("..") ? path.resolve(file) : rel
}

/** The group of a suite in the counts: its protocol, json by version. */
const groupOf = (metadata: ServiceMetadata): string =>
  metadata.protocol === "json" ? `json ${metadata.jsonVersion ?? "1.0"}` : metadata.protocol

const endpointOf = (suite: Suite): URL => new URL(suite.clientEndpoint ?? "https://example.com")

const basePath = (suite: Suite): string => endpointOf(suite).pathname.replace(/\/+$/, "")

/** The host the request goes to, with the endpoint's path as the suites write it (`example.com/custom`). */
const hostOf = (suite: Suite, prefix: string | undefined): string =>
  (prefix ?? "") + endpointOf(suite).host + basePath(suite)

/** Every error shape of a suite's model (the service-wide errors a generated client passes). */
const serviceErrorsOf = (shapes: ReadonlyMap<string, Shape>): Array<StructureShape> =>
  [...shapes.values()].filter((s): s is StructureShape => s.type === "structure" && s.exception === true)

const runInput = (suite: Suite, codec: ProtocolCodec, operation: OperationModel, c: Case): Mismatch => {
  const shape = operation.input?.shape
  const params = (shape === undefined ? c.params : toInput(shape, c.params)) as Record<string, unknown>
  const serialized = withPayloadHeaders(
    operation,
    codec.serialize(operation, params ?? {}, { idempotencyToken: () => TOKEN })
  )
  // as the pipeline does: the endpoint's path comes first
  const request = { ...serialized, path: basePath(suite) + serialized.path }
  const expected = c.serialized ?? {}
  const mismatch = compareRequest(expected, request)
  if (mismatch !== undefined || expected.host === undefined) return mismatch
  const host = hostOf(suite, request.hostPrefix)
  return host === expected.host ? undefined : { what: "host", expected: expected.host, actual: host }
}

const encoder = new TextEncoder()

/** Whether a suite writes its bodies as base64 of CBOR. */
const isCbor = (metadata: ServiceMetadata): boolean => metadata.protocol === "smithy-rpc-v2-cbor"

const responseOf = (c: Case, streamed: boolean, cbor: boolean): [ResponseParts, unknown] => {
  const r = c.response!
  // a case without a status is a plain success, as the suites' generators default it
  const status = r.status_code ?? 200
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v
  const body = cbor ? new Uint8Array(Buffer.from(r.body ?? "", "base64")) : encoder.encode(r.body ?? "")
  return streamed
    ? [{ status, headers, body: new Uint8Array(0) }, body]
    : [{ status, headers, body }, undefined]
}

/** An event-stream output: the frames of the body decoded into the list of events and the other members. */
const eventStreamOutput = (suite: Suite, output: StructureShape, member: string, c: Case): unknown => {
  const union = output.members[member]!.shape as StructureShape
  const model = { union, format: payloadFormatOf(suite.metadata), output }
  const decoder = new MessageDecoder()
  const events: Array<unknown> = []
  let members: Record<string, unknown> = {}
  for (const message of decoder.push(new Uint8Array(Buffer.from(c.response?.body ?? "", "base64")))) {
    const decoded = decodeEvent(model, message)
    if (decoded._tag === "Event") events.push(decoded.event)
    else if (decoded._tag === "InitialResponse") members = { ...decoded.members }
    else throw new Error(`unexpected ${decoded._tag} message in a success case`)
  }
  decoder.end()
  return { ...members, [member]: events }
}

const runOutput = (suite: Suite, codec: ProtocolCodec, operation: OperationModel, c: Case): Mismatch => {
  const output = operation.output?.shape
  const stream = output === undefined ? undefined : eventStreamMember(output)
  if (output !== undefined && stream !== undefined && c.errorCode === undefined && c.error === undefined) {
    const actual = toComparable(eventStreamOutput(suite, output, stream, c))
    return isDeepStrictEqual(actual, c.result ?? {})
      ? undefined
      : { what: "result", expected: c.result, actual }
  }
  const [response, streamingBody] = responseOf(
    c,
    output !== undefined && streamingOutputMember(output) !== undefined,
    isCbor(suite.metadata)
  )
  if (c.errorCode === undefined && c.error === undefined) {
    const actual = toComparable(codec.deserialize(operation, response, streamingBody))
    return isDeepStrictEqual(actual, c.result ?? {})
      ? undefined
      : { what: "result", expected: c.result, actual }
  }
  const parsed = codec.deserializeError(operation, response)
  if (parsed.code !== c.errorCode) return { what: "error code", expected: c.errorCode, actual: parsed.code }
  if (c.errorMessage !== undefined && parsed.message !== c.errorMessage) {
    return { what: "error message", expected: c.errorMessage, actual: parsed.message }
  }
  const members = toComparable(parsed.members)
  return isDeepStrictEqual(members, c.error ?? {})
    ? undefined
    : { what: "error members", expected: c.error, actual: members }
}

const eventStreamMember = (output: StructureShape): string | undefined =>
  Object.entries(output.members).find(
    ([, ref]) => ref.shape.type === "structure" && ref.shape.eventstream === true
  )?.[0]

const runCase = (suite: Suite, codec: ProtocolCodec, operation: OperationModel, c: Case): Mismatch => {
  try {
    return c.response !== undefined
      ? runOutput(suite, codec, operation, c)
      : runInput(suite, codec, operation, c)
  } catch (e) {
    return {
      what: "exception",
      expected: "no exception",
      actual: e instanceof Error ? `${e.name}: ${e.message}` : e
    }
  }
}

const runFile = (file: string, skips: Skips, tally: Tally): void => {
  const suites = JSON.parse(
    fs.readFileSync(path.isAbsolute(file) ? file : dataPath(file), "utf8")
  ) as Array<Suite>
  const skipWholeFile = skips.reasonFor(file, []) !== undefined
  for (const suite of suites) {
    const group = groupOf(suite.metadata)
    if (skipWholeFile) {
      for (const _ of suite.cases) tally.skip(group)
      continue
    }
    const shapes = linkShapes(suite.shapes ?? {})
    const codec = codecFor(suite.metadata, { serviceErrors: serviceErrorsOf(shapes) })
    for (const [i, c] of suite.cases.entries()) {
      const name = c.id ?? c.description ?? `${suite.description} #${i + 1}`
      if (
        skips.reasonFor(file, [c.id, c.description, suite.description, `${suite.description} #${i + 1}`]) !==
        undefined
      ) {
        tally.skip(group)
        continue
      }
      let mismatch: Mismatch
      try {
        mismatch = runCase(suite, codec, linkOperation(shapes, c.given), c)
      } catch (e) {
        mismatch = { what: "model", expected: "a valid model", actual: String(e) }
      }
      if (mismatch === undefined) tally.pass(group)
      else {
        tally.fail(
          {
            where: `${file} | ${suite.description} | ${name}`,
            expected: mismatch.expected,
            actual: mismatch.actual,
            note: mismatch.what
          },
          group
        )
      }
    }
  }
}

/** The files' results and the skip entries that matched no case. */
export const runProtocolSuites = (
  files: ReadonlyArray<string>,
  skips: Skips = new Skips()
): { readonly result: RunResult; readonly unusedSkips: Array<string> } => {
  const tally = new Tally()
  const names = files.map(relativeName)
  for (const file of names) runFile(file, skips, tally)
  return { result: tally.result(), unusedSkips: skips.unused(names) }
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const { result, unusedSkips } = runProtocolSuites(args.length > 0 ? args : defaultFiles())
  for (const entry of unusedSkips) console.log(`stale skip entry (matches no case): ${entry}`)
  return result
}
