/**
 * Builds a small service from api-2 JSON for the codec tests: its codec and its operations.
 */
import { linkOperation, linkShapes } from "../../src/Protocols/Api2.js"
import { codecFor } from "../../src/Protocols/index.js"
import type { ProtocolCodec, ResponseParts } from "../../src/Protocols/Protocol.js"
import type { OperationModel, ServiceMetadata, StructureShape } from "../../src/Protocols/Shape.js"

/** The protocols with text bodies these tests write by hand (rpc-v2-cbor has its own tests). */
export type Protocol = Exclude<ServiceMetadata["protocol"], "smithy-rpc-v2-cbor">

export const PROTOCOLS: ReadonlyArray<Protocol> = ["rest-xml", "rest-json", "json", "query", "ec2"]

export interface Service {
  readonly codec: ProtocolCodec
  /** An operation of this service (`input` / `output`: shape names). */
  readonly operation: (given: Readonly<Record<string, unknown>>) => OperationModel
}

/** A service of `protocol` over api-2 `shapes`; `serviceErrors`: tell the codec its exception shapes. */
export const service = (
  protocol: Protocol,
  shapes: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  metadata: Partial<ServiceMetadata> = {},
  serviceErrors = false
): Service => {
  const linked = linkShapes(shapes)
  const errors = [...linked.values()].filter(
    (s): s is StructureShape => s.type === "structure" && s.exception === true
  )
  const full: ServiceMetadata = {
    protocol,
    apiVersion: "2020-01-01",
    jsonVersion: "1.1",
    targetPrefix: "Svc",
    ...metadata
  }
  return {
    codec: codecFor(full, serviceErrors ? { serviceErrors: errors } : undefined),
    operation: (given) =>
      linkOperation(linked, { name: "Op", http: { method: "POST", requestUri: "/" }, ...given })
  }
}

const encoder = new TextEncoder()

/** A response with lower-case header names, as the transport gives them. */
export const response = (
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {}
): ResponseParts => ({
  status,
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  body: encoder.encode(body)
})

const decoder = new TextDecoder()

/** A request body as text. */
export const bodyText = (body: unknown): string =>
  typeof body === "string" ? body : body instanceof Uint8Array ? decoder.decode(body) : String(body)
