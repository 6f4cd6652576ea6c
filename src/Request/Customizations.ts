/**
 * The hooks a service's hand-written `Customizations.ts` fills: the generator wires them into its
 * `ServiceDefinition`, and the pipeline's stages call them.
 *
 * @since 0.1.0
 */
import type { ParsedError, ProtocolCodec, ResponseParts } from "../Protocols/Protocol.js"
import type { OperationModel } from "../Protocols/Shape.js"
import type { ClientConfig } from "./Client.js"
import type { HttpRequest } from "./Transport.js"

/**
 * Hand-written behaviour of one service (S3 addressing, checksums, errors in 200 responses,
 * DynamoDB's CRC32, ...), kept beside the generated code and wired in by the generator.
 */
export interface Customizations {
  /** Completes or rewrites the input before validation (e.g. SSE-C key MD5). */
  readonly prepareInput?: (
    operation: OperationModel,
    input: Readonly<Record<string, unknown>>,
    client: ClientConfig
  ) => Readonly<Record<string, unknown>>
  /**
   * Rewrites the serialized path before the endpoint's own path is put in front of it (S3 drops
   * the `/{Bucket}` segment: its endpoint rules already place the bucket in the host or path).
   */
  readonly requestPath?: (
    path: string,
    operation: OperationModel,
    input: Readonly<Record<string, unknown>>
  ) => string
  /** Adjusts the HTTP request after serialization and endpoint resolution, before signing. */
  readonly prepareRequest?: (
    request: HttpRequest,
    context: {
      readonly operation: OperationModel
      readonly input: Readonly<Record<string, unknown>>
      readonly client: ClientConfig
    }
  ) => HttpRequest
  /** Finds an error a service sent with a 2xx status (S3 CopyObject, CompleteMultipartUpload). */
  readonly embeddedError?: (
    operation: OperationModel,
    response: ResponseParts,
    codec: ProtocolCodec
  ) => ParsedError | undefined
  /**
   * Checks a complete response (e.g. DynamoDB's `x-amz-crc32`); returns a message when the body
   * is damaged (the attempt then fails with a retryable `NetworkError`).
   */
  readonly checkResponse?: (operation: OperationModel, response: ResponseParts) => string | undefined
  /**
   * Checks a decoded output against the input (e.g. SQS message MD5s); returns a message when
   * they disagree (the attempt then fails with a retryable `NetworkError`).
   */
  readonly verifyOutput?: (
    operation: OperationModel,
    output: Readonly<Record<string, unknown>>,
    input: Readonly<Record<string, unknown>>
  ) => string | undefined
  /** Decodes a successful response the codec cannot (S3 GetBucketLocation's bare root); undefined: the codec does. */
  readonly decodeOutput?: (
    operation: OperationModel,
    response: ResponseParts
  ) => Record<string, unknown> | undefined
  /** Rewrites the decoded output (e.g. URL-decoding keys of `EncodingType=url` listings). */
  readonly transformOutput?: (
    operation: OperationModel,
    output: Record<string, unknown>,
    input: Readonly<Record<string, unknown>>
  ) => Record<string, unknown>
  /**
   * After a service error: a region to retry in (S3's redirect to the bucket's region from
   * `x-amz-bucket-region`), or undefined.
   */
  readonly redirectRegion?: (
    error: ParsedError,
    response: ResponseParts,
    region: string | undefined
  ) => string | undefined
  /** Sign with `x-amz-content-sha256` and without path normalisation (S3 and friends). */
  readonly s3Signing?: boolean
}
