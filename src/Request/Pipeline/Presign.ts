/**
 * The presign stage: a presigned request for one call of an operation (query-string SigV4), as Go
 * v1, botocore and the JS v3 presigner make them: the URL signs `host` and only the headers the
 * caller chose (input members bound to headers, `options.headers`), never those the SDK adds for a
 * call it sends itself (`Content-Type` of an empty body, checksums, `Content-Length`). Of the
 * caller's headers, `x-amz-*` ones move into the query (so a plain client need not send them)
 * except the server-side-encryption ones, which S3 accepts only as headers. Query-protocol
 * operations (STS, EC2, ...) become a GET with every parameter in the query string. Any other
 * operation whose request needs a body (a JSON document, an XML structure) fails with
 * `PresignError`; S3's blob payload (PutObject, UploadPart) is the caller's to send, as the URL
 * signs `UNSIGNED-PAYLOAD`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { CredentialsError } from "../../Credentials/Credentials.js"
import type { EndpointError } from "../../Endpoints/EndpointError.js"
import type { OperationModel } from "../../Protocols/Shape.js"
import type { PresignedRequest, PresignOptions, ServiceClient } from "../Client.js"
import * as ClockSkew from "../ClockSkew.js"
import { type InvalidParams, PresignError, type SerializationError } from "../Errors.js"
import * as Sigv4 from "../Sigv4.js"
import { urlOf } from "../Transport.js"
import { type Prepare, serializationError } from "./Build.js"
import type { OperationPlan } from "./Plan.js"
import { identityOf } from "./Sign.js"

const MAX_PRESIGN_SECONDS = 604_800

const decoder = new TextDecoder()

/** `x-amz-*` headers a presigned URL carries in its query; S3 takes SSE headers only as headers. */
const hoistable = (name: string): boolean =>
  name.startsWith("x-amz-") && !name.startsWith("x-amz-server-side-encryption")

/** Whether the operation's HTTP payload is a blob (S3 PutObject's `Body`): the caller's to send. */
const hasBlobPayload = (model: OperationModel): boolean => {
  const shape = model.input?.shape
  const payload = shape?.payload === undefined ? undefined : shape.members[shape.payload]
  return payload?.shape.type === "blob"
}

/** The header names (lower case) the caller set: input members bound to headers, and extra headers. */
const callerHeaders = (
  model: OperationModel,
  input: Readonly<Record<string, unknown>>,
  extra: Readonly<Record<string, string>> | undefined
): Set<string> => {
  const names = new Set<string>()
  for (const name in extra ?? {}) names.add(name.toLowerCase())
  const members = model.input?.shape.members ?? {}
  for (const name in members) {
    const member = members[name]!
    const value = input[name]
    if (value === undefined || value === null) continue
    const bound = (member.locationName ?? name).toLowerCase()
    if (member.location === "header") names.add(bound)
    else if (member.location === "headers" && typeof value === "object") {
      for (const key in value) names.add(bound + key.toLowerCase())
    }
  }
  return names
}

/** The stage: the presigned request of a call, its input validated and its request built by `prepare`. */
export const presign = (
  client: ServiceClient,
  plan: OperationPlan,
  input: Readonly<Record<string, unknown>>,
  options: PresignOptions,
  prepare: Prepare
): Effect.Effect<
  PresignedRequest,
  InvalidParams | SerializationError | EndpointError | CredentialsError | PresignError
> => {
  const model = plan.spec.model
  return Effect.gen(function* () {
    const expiresIn = options.expiresIn
    if (!(Number.isInteger(expiresIn) && expiresIn >= 1 && expiresIn <= MAX_PRESIGN_SECONDS)) {
      return yield* new PresignError({
        operation: model.name,
        reason: "ExpiresIn",
        message: `${model.name}: expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS} (7 days, the longest SigV4 allows), got ${expiresIn}`
      })
    }
    const prepared = yield* prepare(client, plan, input, { headers: options.headers })
    const credentials = yield* client.config.credentials.get
    const now = yield* Clock.currentTimeMillis
    const s3 = client.definition.customizations?.s3Signing === true
    const protocol = client.definition.metadata.protocol
    const request = prepared.request
    let method = request.method
    let query = request.query
    let payloadHash = s3 ? Sigv4.UNSIGNED_PAYLOAD : prepared.payloadHash
    if (protocol === "query" || protocol === "ec2") {
      // the form body's parameters go in the URL of a GET, as Go v1 and botocore presign them
      method = "GET"
      const form = request.body instanceof Uint8Array ? decoder.decode(request.body) : ""
      query = [...query, ...new URLSearchParams(form)]
      payloadHash = Sigv4.EMPTY_SHA256
    } else if (request.body !== undefined && !(s3 && hasBlobPayload(model))) {
      return yield* new PresignError({
        operation: model.name,
        reason: "BodyRequired",
        message: `${model.name} sends its parameters in a ${protocol} request body, which a presigned URL cannot carry; call the operation instead`
      })
    }
    const chosen = callerHeaders(model, prepared.input, options.headers)
    const headers: Record<string, string> = {}
    const hoisted: Array<readonly [string, string]> = []
    for (const name in request.headers) {
      if (!Object.hasOwn(request.headers, name) || !chosen.has(name)) continue
      const value = request.headers[name]!
      if (hoistable(name) && !Object.hasOwn(options.headers ?? {}, name)) hoisted.push([name, value])
      else headers[name] = value
    }
    if (s3) hoisted.push(["X-Amz-Content-Sha256", Sigv4.UNSIGNED_PAYLOAD])
    const signable = { ...request, method, query: [...query, ...hoisted], headers, body: undefined }
    const date = ClockSkew.signingDate(now, client.state.clockOffsetMs)
    const signed = yield* Effect.try({
      try: () =>
        Sigv4.presign(
          signable,
          identityOf(credentials),
          {
            region: prepared.signingRegion,
            service: prepared.signingName,
            date,
            payloadHash,
            uriEscapePath: !s3,
            contentSha256Header: false,
            expiresIn
          },
          client.state.keyCache
        ),
      catch: (e) => serializationError(model.name, "request", e)
    })
    const { host: _host, ...signedHeaders } = signed.headers
    return {
      method,
      url: urlOf({ ...signable, query: signed.query }),
      headers: signedHeaders,
      expiresAt: new Date(date.getTime() + expiresIn * 1000)
    }
  })
}
