/**
 * The S3 transfer manager (`effect-aws-sdk/s3/manager`): the Go SDK's `s3manager`, with Effect's
 * structured concurrency.
 *
 * - `upload`: one PutObject for a small body, a concurrent multipart upload for a large one (from
 *   a `Stream`, a Node `Readable` or other `AsyncIterable` of bytes, bytes, a string or a file),
 *   bounded memory, per-part checksums and a full-object check; aborted on failure or
 *   interruption, so nothing is left behind.
 * - `download` / `downloadFile`: concurrent ranged GETs reassembled in order, pinned to the
 *   object's ETag so an overwrite mid-download fails cleanly; a file is written to a temporary
 *   name and renamed, and removed on failure or interruption.
 * - `deleteObjects`: a stream of keys deleted 1,000 per request, with per-key errors.
 * - `copyObject`: CopyObject, or UploadPartCopy in parts for objects above 5 GiB.
 *
 * Every function needs the `S3` client (`S3.layer()`) and nothing else (file bodies and
 * `downloadFile` also need `FileSystem`).
 *
 * @example
 * import * as S3 from "effect-aws-sdk/s3"
 * import * as S3Manager from "effect-aws-sdk/s3/manager"
 *
 * const program = Effect.gen(function* () {
 *   const up = yield* S3Manager.upload({ Bucket: "b", Key: "k", Body: someStream }, { concurrency: 8 })
 *   yield* S3Manager.downloadFile({ Bucket: "b", Key: "k" }, "/tmp/k.bin")
 * })
 *
 * @since 0.1.0
 */
export * from "./Batch.js"
export * from "./Download.js"
export * from "./Errors.js"
export {
  DEFAULT_PART_SIZE,
  MAX_OBJECT_SIZE,
  MAX_PART_SIZE,
  MAX_PARTS,
  MAX_STORED_OBJECT_SIZE,
  MIN_PART_SIZE,
  type TransferChecksum
} from "./Parts.js"
export * from "./Upload.js"
