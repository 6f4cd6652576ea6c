/**
 * What `S3Manager.upload` takes, gives and fails with: the body kinds, the input and options, the
 * options checked into settings, and the output, whose checksum is compared with S3's.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as Checksums from "../../../Request/Checksums.js"
import type * as S3 from "../index.js"
import {
  type BodyReadError,
  ChecksumMismatch,
  type InvalidTransferOptions,
  type MultipartUploadError,
  type TransferError
} from "./Errors.js"
import { integerIn } from "./Multipart.js"
import * as Parts from "./Parts.js"

/** A file to upload, read as a stream through `@effect/platform`'s `FileSystem`. */
export interface FileBody {
  readonly _tag: "FileBody"
  readonly path: string
}

/**
 * A body read from a file (`S3Manager.upload` then needs `FileSystem`, e.g. `NodeFileSystem.layer` of `effect-aws-sdk`).
 *
 * @example
 * S3Manager.upload({ Bucket: "b", Key: "backup.tar", Body: S3Manager.file("/tmp/backup.tar") })
 */
export const file = (path: string): FileBody => ({ _tag: "FileBody", path })

/**
 * What can be uploaded: a stream of bytes, bytes, a string (UTF-8), a file, or an `AsyncIterable`
 * of bytes (a Node `Readable`, an async generator; read without a `Stream` in between).
 */
export type UploadBody =
  | Stream.Stream<Uint8Array, unknown, unknown>
  | Uint8Array
  | string
  | FileBody
  | AsyncIterable<Uint8Array>

/** The error a body can fail with. */
export type BodyError<B> =
  B extends Stream.Stream<Uint8Array, infer E, infer _R>
    ? E
    : B extends FileBody
      ? PlatformError
      : B extends AsyncIterable<Uint8Array>
        ? BodyReadError
        : never

/** What a body needs to be read. */
export type BodyContext<B> =
  B extends Stream.Stream<Uint8Array, infer _E, infer R>
    ? R
    : B extends FileBody
      ? FileSystem.FileSystem
      : never

/**
 * The PutObject input with any body: every PutObject field (metadata, content type, encryption,
 * tagging, ...) applies to the object whether it goes as one PutObject or in parts.
 */
export type UploadInput<B extends UploadBody = UploadBody> = Omit<
  S3.PutObjectRequest,
  | "Body"
  | "ContentLength"
  | "ContentMD5"
  | "ChecksumAlgorithm"
  | "ChecksumCRC32"
  | "ChecksumCRC32C"
  | "ChecksumSHA1"
  | "ChecksumSHA256"
> & {
  readonly Body: B
  /**
   * The length of a stream body, when known: the part size is then grown up front so the body
   * fits in 10,000 parts. Without it the part size grows as the stream goes (see `partSize`).
   */
  readonly ContentLength?: number | undefined
}

/** Bytes sent so far. Goes back when a part is retried (its bytes are sent again). */
export interface UploadProgress {
  readonly bytesSent: number
  /** The body's length, when known. */
  readonly totalBytes: number | undefined
}

export interface UploadOptions {
  /**
   * Bytes per part: default 8 MiB, at least 5 MiB, at most 5 GiB. A body of known length that
   * would need more than 10,000 parts gets larger parts. A stream of unknown length starts with
   * this size and doubles it after every 900 parts, so any stream S3 accepts (5 TiB) fits.
   * Bodies shorter than one part go as one PutObject.
   */
  readonly partSize?: number | undefined
  /**
   * Parts in flight at once (default 4). A stream upload holds at most this many part buffers, so
   * memory is about `partSize x concurrency`: the next part is read from the stream when a part in
   * flight is done.
   */
  readonly concurrency?: number | undefined
  /** Keep the uploaded parts when the upload fails (default false: the upload is aborted). */
  readonly leavePartsOnError?: boolean | undefined
  /**
   * The checksum sent with every part and checked against S3's on completion: `CRC32` (default),
   * `CRC32C`, `SHA1`, `SHA256`, or `none` for stores that reject checksums.
   */
  readonly checksumAlgorithm?: Parts.TransferChecksum | undefined
  /**
   * Sign each part's SHA-256 (default: only with `checksumAlgorithm: "none"`). Otherwise parts are
   * sent `UNSIGNED-PAYLOAD`, their integrity guarded by the signed part checksum (and TLS).
   */
  readonly signPayload?: boolean | undefined
  /** Called as bytes are handed to the connection. */
  readonly onProgress?: ((progress: UploadProgress) => Effect.Effect<void>) | undefined
  /** How long the abort after a failure may take (default 60 s); it runs even when interrupted. */
  readonly abortTimeout?: Duration.DurationInput | undefined
  /**
   * For tests only: the smallest part size accepted (default 5 MiB, S3's minimum). Local
   * stores that allow small parts let a test make 10,000 parts of a few bytes.
   */
  readonly minPartSize?: number | undefined
}

/** What an upload did. */
export interface UploadOutput {
  readonly Bucket: string
  readonly Key: string
  readonly ETag: string | undefined
  readonly VersionId: string | undefined
  /** The multipart upload id; undefined when the body went as one PutObject. */
  readonly UploadId: string | undefined
  /** Parts uploaded; 0 for a single PutObject. */
  readonly parts: number
  readonly bytes: number
  /** The object's checksum as computed here (`base64`, or `base64-N` for a multipart object). */
  readonly checksum: { readonly algorithm: Checksums.ChecksumAlgorithm; readonly value: string } | undefined
  /** Whether S3 reported a checksum and it matched (false when S3 reported none). */
  readonly checksumVerified: boolean
  /** The output of PutObject or CompleteMultipartUpload. */
  readonly output: S3.PutObjectOutput | S3.CompleteMultipartUploadOutput
}

/** Every way an upload can fail, `E` being the body's own error. */
export type UploadError<E> =
  | S3.PutObjectError
  | S3.CreateMultipartUploadError
  | MultipartUploadError<S3.UploadPartError | S3.CompleteMultipartUploadError | TransferError | E>
  | ChecksumMismatch
  | InvalidTransferOptions
  | TransferError
  | E

/** The options checked, defaults filled in. */
export interface Settings {
  readonly partSize: number
  readonly concurrency: number
  readonly leavePartsOnError: boolean
  readonly algorithm: Checksums.ChecksumAlgorithm | undefined
  readonly signPayload: boolean
  readonly onProgress: ((progress: UploadProgress) => Effect.Effect<void>) | undefined
  readonly abortTimeout: Duration.Duration
}

export const settingsOf = (options: UploadOptions): Effect.Effect<Settings, InvalidTransferOptions> =>
  Effect.gen(function* () {
    const minPartSize = options.minPartSize ?? Parts.MIN_PART_SIZE
    const partSize = options.partSize ?? Math.max(Parts.DEFAULT_PART_SIZE, minPartSize)
    const concurrency = options.concurrency ?? 4
    yield* integerIn("minPartSize", minPartSize, 1, Parts.MAX_PART_SIZE)
    yield* integerIn("partSize", partSize, minPartSize, Parts.MAX_PART_SIZE)
    yield* integerIn("concurrency", concurrency, 1, Parts.MAX_PARTS)
    const checksum = options.checksumAlgorithm ?? "CRC32"
    const algorithm = checksum === "none" ? undefined : checksum
    return {
      partSize,
      concurrency,
      leavePartsOnError: options.leavePartsOnError ?? false,
      algorithm,
      signPayload: options.signPayload ?? algorithm === undefined,
      onProgress: options.onProgress,
      abortTimeout: Duration.decode(options.abortTimeout ?? "60 seconds")
    }
  })

/**
 * The upload's result once the checksum S3 reports, when `comparable`, matches the one computed
 * here (`ChecksumMismatch` otherwise).
 */
export const finish = (
  input: { readonly Bucket: string; readonly Key: string },
  algorithm: Checksums.ChecksumAlgorithm | undefined,
  output: S3.PutObjectOutput | S3.CompleteMultipartUploadOutput,
  checksum: string | undefined,
  comparable: (reported: string | undefined) => boolean,
  done: Pick<UploadOutput, "UploadId" | "parts" | "bytes">
): Effect.Effect<UploadOutput, ChecksumMismatch> => {
  const reported = algorithm === undefined ? undefined : output[Parts.checksumMember(algorithm)]
  const verified = comparable(reported)
  if (algorithm !== undefined && checksum !== undefined && verified && reported !== checksum) {
    return Effect.fail(
      new ChecksumMismatch({
        bucket: input.Bucket,
        key: input.Key,
        algorithm,
        expected: checksum,
        actual: reported!,
        versionId: output.VersionId
      })
    )
  }
  return Effect.succeed({
    Bucket: input.Bucket,
    Key: input.Key,
    ETag: output.ETag,
    VersionId: output.VersionId,
    ...done,
    checksum: algorithm === undefined || checksum === undefined ? undefined : { algorithm, value: checksum },
    checksumVerified: verified,
    output
  })
}
