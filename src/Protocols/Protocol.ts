/**
 * What every protocol codec provides: turn an operation's input into the parts of an HTTP request,
 * and an HTTP response into the operation's output or a resolved service error.
 *
 * Codecs are synchronous and pure; they throw `ProtocolError` on input they cannot encode or
 * responses they cannot decode, and the request pipeline turns that into a typed
 * `SerializationError`. Each codec compiles what it needs per shape once and caches it.
 *
 * @since 0.1.0
 */
import type { OperationModel, ServiceMetadata, StructureShape } from "./Shape.js"

/** A request body as the codec produced it; streaming members pass the caller's value through. */
export type RequestBody = string | Uint8Array | StreamingBody | undefined

/**
 * The value of a streaming blob member, passed through untouched; the pipeline knows how to send
 * it (an Effect `Stream<Uint8Array>`, or bytes / a string).
 */
export interface StreamingBody {
  readonly _streaming: unknown
}

/** The parts of an HTTP request a codec produces, before endpoint resolution and signing. */
export interface SerializedRequest {
  readonly method: string
  /** The URI path, already percent-encoded, starting with `/`. */
  readonly path: string
  /** Query parameters in order, not encoded. */
  readonly query: ReadonlyArray<readonly [string, string]>
  readonly headers: Readonly<Record<string, string>>
  readonly body: RequestBody
  /** The operation's resolved host prefix (`endpoint.hostPrefix` with labels filled in), if any. */
  readonly hostPrefix?: string
}

/** The parts of an HTTP response a codec reads. Header names are lower case. */
export interface ResponseParts {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The whole body; empty for streaming outputs, whose payload the pipeline passes separately. */
  readonly body: Uint8Array
}

/** A service error resolved from a response. */
export interface ParsedError {
  /** The error code, namespace and URI suffix stripped (`NoSuchKey`, `ThrottlingException`). */
  readonly code: string
  readonly message: string | undefined
  /** The modeled error shape the code resolved to, if any. */
  readonly shape: StructureShape | undefined
  /** The modeled members (from headers and body), empty when unmodeled. */
  readonly members: Readonly<Record<string, unknown>>
  readonly requestId: string | undefined
}

/** Options for serialization that tests (and the pipeline) can supply. */
export interface SerializeOptions {
  /** Produces a value for `idempotencyToken` members the caller left unset (default: random UUID v4). */
  readonly idempotencyToken?: () => string
}

/** The codec of one service's protocol: compiled per shape and operation on first use, then reused. */
export interface ProtocolCodec {
  readonly serialize: (
    operation: OperationModel,
    input: Readonly<Record<string, unknown>>,
    options?: SerializeOptions
  ) => SerializedRequest
  /**
   * Decodes a successful response into the output. `streamingBody` is put in the output's
   * streaming payload member, when the operation has one.
   */
  readonly deserialize: (
    operation: OperationModel,
    response: ResponseParts,
    streamingBody?: unknown
  ) => Record<string, unknown>
  readonly deserializeError: (operation: OperationModel, response: ResponseParts) => ParsedError
}

/** What a codec needs to know about its service beyond the metadata. */
export interface CodecOptions {
  /**
   * Every error shape of the service. An error code that is not among the operation's modeled
   * errors is resolved against these (services do return errors their operations do not list).
   */
  readonly serviceErrors?: ReadonlyArray<StructureShape>
}

/** Makes a codec for a service. */
export type ProtocolFactory = (metadata: ServiceMetadata, options?: CodecOptions) => ProtocolCodec

/** Input the codec cannot encode, or a response it cannot decode. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError"
  constructor(
    /** What is wrong, without the path. */
    readonly reason: string,
    /** Where in the input or output the problem is (`Delete.Objects[2].Key`), if known. */
    readonly path?: string
  ) {
    super(path === undefined ? reason : `${path}: ${reason}`)
  }
}

/**
 * Rethrows `error` with `segment` (a member name, or `[2]` for a list index) put in front of its
 * path. Containers catch what their children throw and call this, so the path is only built when
 * something fails. Errors other than `ProtocolError` pass through unchanged.
 */
export const rethrowAt = (error: unknown, segment: string): never => {
  if (!(error instanceof ProtocolError)) throw error
  const inner = error.path
  const path = inner === undefined ? segment : inner.startsWith("[") ? segment + inner : `${segment}.${inner}`
  throw new ProtocolError(error.reason, path)
}

/**
 * Runs a decoder over a response. The decoders walk recursive shapes (and the XML tree) by
 * recursion, so a document nested deeply enough, hostile or broken, exhausts the stack: that is
 * reported as the `ProtocolError` it is, not as the engine's `RangeError` (`InternalError` in
 * Firefox). Costs nothing until it happens, unlike a depth count on every value.
 */
export const decoding = <A>(decode: () => A): A => {
  try {
    return decode()
  } catch (e) {
    if (e instanceof RangeError || (e instanceof Error && e.name === "InternalError")) {
      throw new ProtocolError(`the response is nested too deeply to decode (${e.message})`)
    }
    throw e
  }
}

/**
 * The error for a response body that is not well-formed: what is wrong and where, never the text
 * itself (a successful response is the operation's output, and outputs carry secrets: credentials,
 * keys, tokens). The pipeline quotes a body when it is safe to (error responses, proxy pages).
 * `detail` is cut at its first quote: JSON.parse messages quote a stretch of the text.
 */
export const malformedBody = (format: string, text: string, detail: string): ProtocolError => {
  const quote = detail.indexOf('"')
  const reason = (quote === -1 ? detail : detail.slice(0, quote)).replace(/[\s,]+$/, "")
  return new ProtocolError(`malformed ${format} response body of ${text.length} characters (${reason})`)
}
