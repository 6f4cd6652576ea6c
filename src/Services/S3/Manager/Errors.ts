/**
 * The transfer manager's own failures, as tagged errors (`Effect.catchTag("MultipartUploadError", ...)`).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * A multipart upload (or multipart copy) failed or was given up after it was created: which part
 * failed (when a part did), the upload id, whether the upload was aborted, and the cause (the S3
 * error of the part or of CompleteMultipartUpload, or the body stream's own error).
 *
 * @example
 * S3Manager.upload(input).pipe(
 *   Effect.catchTag("MultipartUploadError", (e) =>
 *     Console.error(`part ${e.partNumber} of upload ${e.uploadId} failed: ${e.cause}`))
 * )
 */
export class MultipartUploadError<E = unknown> extends Data.TaggedError("MultipartUploadError")<{
  readonly bucket: string
  readonly key: string
  readonly uploadId: string
  /** The part that failed; undefined when the body stream failed or completing the upload did. */
  readonly partNumber: number | undefined
  /** What failed: a part, reading the body, or CompleteMultipartUpload. */
  readonly phase: "part" | "body" | "complete"
  /** Whether AbortMultipartUpload succeeded (false with `leavePartsOnError`, or when the abort failed). */
  readonly aborted: boolean
  /** Why the abort failed, when it did. */
  readonly abortFailure?: unknown
  readonly cause: E
}> {
  override get message(): string {
    const where = this.partNumber === undefined ? this.phase : `part ${this.partNumber}`
    const cause = this.cause as { readonly _tag?: unknown; readonly message?: unknown } | undefined
    const why =
      typeof cause?.message === "string"
        ? `${typeof cause._tag === "string" ? `${cause._tag}: ` : ""}${cause.message}`
        : String(this.cause)
    return `multipart upload ${this.uploadId} of s3://${this.bucket}/${this.key} failed at ${where} (${why}); ${
      this.aborted ? "the upload was aborted" : "its parts were left in place"
    }`
  }
}

/**
 * The checksum S3 reported for the stored object differs from the one computed from the bytes
 * sent. The object was written (S3 accepted it) but is not what was sent: the caller decides
 * whether to delete or re-upload it.
 */
export class ChecksumMismatch extends Data.TaggedError("ChecksumMismatch")<{
  readonly bucket: string
  readonly key: string
  readonly algorithm: string
  /** Computed here from the bytes sent (`base64` or, for multipart, `base64-N`). */
  readonly expected: string
  /** What S3 reported. */
  readonly actual: string
  readonly versionId: string | undefined
}> {
  override get message(): string {
    return `s3://${this.bucket}/${this.key}: S3 reports ${this.algorithm} ${this.actual}, the bytes sent have ${this.expected}`
  }
}

/**
 * The object changed while it was being downloaded (a ranged GET pinned to the first response's
 * ETag with `If-Match` was refused): nothing of the new version was mixed in.
 */
export class ObjectChanged extends Data.TaggedError("ObjectChanged")<{
  readonly bucket: string
  readonly key: string
  /** The ETag the download started with. */
  readonly etag: string
  /** The range that was refused (`bytes=a-b`). */
  readonly range: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `s3://${this.bucket}/${this.key} changed during the download (it no longer has ETag ${this.etag}; ${this.range} was refused)`
  }
}

/**
 * S3 (or a look-alike) answered something a transfer cannot work with: no UploadId or ETag, a
 * response without the size or range it should have, a size no S3 object can have, a part that is
 * not the range asked for, a body shorter than its range. The message says what and where.
 */
export class TransferError extends Data.TaggedError("TransferError")<{
  readonly bucket: string
  readonly key: string
  readonly message: string
}> {}

/**
 * An `AsyncIterable` body (a Node `Readable`, an async generator) failed while it was read, or gave
 * something other than bytes.
 */
export class BodyReadError extends Data.TaggedError("BodyReadError")<{
  readonly message: string
  readonly cause: unknown
}> {}

/** Options or input the manager cannot work with (a part size over 5 GiB, a body over 5 TiB, ...); nothing was sent. */
export class InvalidTransferOptions extends Data.TaggedError("InvalidTransferOptions")<{
  readonly message: string
}> {}
