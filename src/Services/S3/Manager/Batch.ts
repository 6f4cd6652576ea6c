/**
 * `S3Manager.deleteObjects` (a stream of keys, 1,000 per request) and `S3Manager.copyObject`
 * (CopyObject, or UploadPartCopy in parts for objects too large for one copy).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { uriEncodePath } from "../../../Protocols/UriEncoding.js"
import * as S3 from "../index.js"
import { InvalidTransferOptions, type MultipartUploadError, TransferError } from "./Errors.js"
import { createUpload, guarded, integerIn, PartFailure, repeatedFields } from "./Multipart.js"
import * as Parts from "./Parts.js"

// ---------------------------------------------------------------------------------------------
// deleteObjects

/** Where and how to delete. */
export interface DeleteObjectsOptions {
  readonly Bucket: string
  /** DeleteObjects requests in flight at once (default 4). */
  readonly concurrency?: number | undefined
  /** Keys per request (default and maximum 1,000). */
  readonly batchSize?: number | undefined
  /** Quiet mode: S3 lists only the errors, and `deleted` stays empty (smaller responses). */
  readonly quiet?: boolean | undefined
  readonly MFA?: string | undefined
  readonly RequestPayer?: S3.RequestPayer | undefined
  readonly BypassGovernanceRetention?: boolean | undefined
  readonly ExpectedBucketOwner?: string | undefined
}

/** What was deleted and what was not, key by key. */
export interface DeleteObjectsResult {
  readonly deleted: ReadonlyArray<S3.DeletedObject>
  /** Keys S3 refused to delete, with its code and message for each. */
  readonly errors: ReadonlyArray<S3.Error_>
  /** DeleteObjects requests made. */
  readonly requests: number
}

/**
 * A DeleteObjects answer must be about the keys asked: a key it lists as deleted or refused that
 * the request did not name, or (not quiet) a key named that it lists as neither, is a
 * `TransferError`: the result would otherwise report deletions that never were, or hide a key.
 */
const checkAnswer = (
  bucket: string,
  batch: Iterable<S3.ObjectIdentifier>,
  out: S3.DeleteObjectsOutput,
  quiet: boolean
): Effect.Effect<void, TransferError> =>
  Effect.suspend(() => {
    const asked = new Set<string>()
    for (const o of batch) asked.add(o.Key)
    const answered = new Set<string>()
    for (const entry of [...(out.Deleted ?? []), ...(out.Errors ?? [])]) {
      const key = entry.Key
      if (key === undefined || !asked.has(key)) {
        return Effect.fail(
          new TransferError({
            bucket,
            key: key ?? "",
            message: `DeleteObjects answered for ${key === undefined ? "an entry without a Key" : `the key ${JSON.stringify(key)}`}, which the request did not name`
          })
        )
      }
      answered.add(key)
    }
    if (!quiet && answered.size < asked.size) {
      const missing = [...asked].filter((k) => !answered.has(k))
      return Effect.fail(
        new TransferError({
          bucket,
          key: missing[0]!,
          message: `DeleteObjects answered neither Deleted nor Errors for ${missing.length} of the ${asked.size} keys it was asked to delete (the first: ${JSON.stringify(missing[0])})`
        })
      )
    }
    return Effect.void
  })

/**
 * Deletes every key of a stream (a key, or `{ Key, VersionId }`), 1,000 keys per DeleteObjects
 * request, `concurrency` requests at a time. Keys S3 refuses (access denied, object lock, ...) are
 * listed in `errors` and do not stop the rest; a request that fails as a whole fails the effect, and
 * so does an answer about keys that were not asked for, or (not quiet) one that leaves a key out
 * (`TransferError`).
 *
 * @example
 * const keys = S3.listObjectsV2.items({ Bucket: "b", Prefix: "tmp/" }).pipe(Stream.map((o) => o.Key!))
 * const result = yield* S3Manager.deleteObjects(keys, { Bucket: "b" })
 * if (result.errors.length > 0) yield* Console.error(result.errors)
 */
export const deleteObjects = <E, R>(
  keys: Stream.Stream<string | S3.ObjectIdentifier, E, R>,
  options: DeleteObjectsOptions
): Effect.Effect<
  DeleteObjectsResult,
  S3.DeleteObjectsError | InvalidTransferOptions | TransferError | E,
  S3.S3 | R
> =>
  Effect.gen(function* () {
    const batchSize = options.batchSize ?? 1000
    const concurrency = options.concurrency ?? 4
    if (!(Number.isSafeInteger(batchSize) && batchSize >= 1 && batchSize <= 1000)) {
      return yield* new InvalidTransferOptions({
        message: `batchSize must be from 1 to 1000, not ${batchSize}`
      })
    }
    if (!(Number.isSafeInteger(concurrency) && concurrency >= 1)) {
      return yield* new InvalidTransferOptions({
        message: `concurrency must be a positive integer, not ${concurrency}`
      })
    }
    const { Bucket, concurrency: _c, batchSize: _b, quiet, ...rest } = options
    const deleted: Array<S3.DeletedObject> = []
    const errors: Array<S3.Error_> = []
    let requests = 0
    yield* keys.pipe(
      Stream.map((k): S3.ObjectIdentifier => (typeof k === "string" ? { Key: k } : k)),
      Stream.grouped(batchSize),
      Stream.mapEffect(
        (batch) =>
          S3.deleteObjects({
            Bucket,
            Delete: { Objects: Array.from(batch), Quiet: quiet ?? false },
            ...rest
          }).pipe(Effect.tap((out) => checkAnswer(Bucket, batch, out, quiet ?? false))),
        { concurrency, unordered: true }
      ),
      Stream.runForEach((out) =>
        Effect.sync(() => {
          requests++
          if (out.Deleted) deleted.push(...out.Deleted)
          if (out.Errors) errors.push(...out.Errors)
        })
      )
    )
    return { deleted, errors, requests }
  })

// ---------------------------------------------------------------------------------------------
// copyObject

/** The object to copy from. */
export interface CopySourceObject {
  readonly Bucket: string
  readonly Key: string
  readonly VersionId?: string | undefined
}

/**
 * The CopyObject input, with the source as an object (`{ Bucket, Key, VersionId? }`) or as
 * CopyObject's URL-encoded `bucket/key[?versionId=...]` string.
 */
export type CopyInput = Omit<S3.CopyObjectRequest, "CopySource"> & {
  readonly CopySource: CopySourceObject | string
}

export interface CopyOptions {
  /** Objects larger than this are copied in parts (default, and at most, 5 GiB: CopyObject's limit). */
  readonly multipartThreshold?: number | undefined
  /** Bytes per UploadPartCopy (default 512 MiB, at most 5 GiB; grown to fit 10,000 parts). */
  readonly partSize?: number | undefined
  /** Parts copied at once (default 4). */
  readonly concurrency?: number | undefined
  /** Keep the copied parts when the copy fails (default false: the upload is aborted). */
  readonly leavePartsOnError?: boolean | undefined
  /** How long the abort after a failure may take (default 60 s). */
  readonly abortTimeout?: Duration.DurationInput | undefined
  /** For tests only: the smallest part size and threshold accepted (default 5 MiB). */
  readonly minPartSize?: number | undefined
}

export interface CopyOutput {
  readonly ETag: string | undefined
  readonly VersionId: string | undefined
  /** The multipart upload id; undefined when one CopyObject did it. */
  readonly UploadId: string | undefined
  /** Parts copied; 0 for a single CopyObject. */
  readonly parts: number
  readonly bytes: number
}

export type CopyError =
  | S3.HeadObjectError
  | S3.CopyObjectError
  | S3.CreateMultipartUploadError
  | MultipartUploadError<unknown>
  | InvalidTransferOptions
  | TransferError

const sourceOf = (source: CopySourceObject | string): CopySourceObject => {
  if (typeof source !== "string") return source
  const [path, query] = source.replace(/^\//, "").split("?", 2) as [string, string | undefined]
  const slash = path.indexOf("/")
  const versionId = query === undefined ? null : new URLSearchParams(query).get("versionId")
  return {
    Bucket: decodeURIComponent(path.slice(0, slash)),
    Key: decodeURIComponent(path.slice(slash + 1)),
    ...(versionId === null ? {} : { VersionId: versionId })
  }
}

const copySourceHeader = (s: CopySourceObject): string =>
  `${uriEncodePath(s.Bucket)}/${uriEncodePath(s.Key)}${s.VersionId === undefined ? "" : `?versionId=${encodeURIComponent(s.VersionId)}`}`

const copiedHeaders = [
  "CacheControl",
  "ContentDisposition",
  "ContentEncoding",
  "ContentLanguage",
  "ContentType",
  "Expires",
  "WebsiteRedirectLocation",
  "Metadata"
] as const

/**
 * Copies an object of any size: one CopyObject up to `multipartThreshold` (5 GiB, CopyObject's
 * limit), else a multipart upload whose parts are UploadPartCopy ranges of the source, pinned to
 * its ETag (`x-amz-copy-source-if-match`), `concurrency` at a time, aborted on failure or
 * interruption. A multipart copy carries the source's content headers and metadata over, as
 * CopyObject does, unless `MetadataDirective: "REPLACE"` says to use the input's.
 *
 * @example
 * S3Manager.copyObject({ Bucket: "dst", Key: "big.bin", CopySource: { Bucket: "src", Key: "big.bin" } })
 */
export const copyObject = (
  input: CopyInput,
  options: CopyOptions = {}
): Effect.Effect<CopyOutput, CopyError, S3.S3> =>
  Effect.gen(function* () {
    const minPartSize = options.minPartSize ?? Parts.MIN_PART_SIZE
    const threshold = options.multipartThreshold ?? Parts.MAX_PART_SIZE
    const partSize = options.partSize ?? Math.max(512 * Parts.MiB, minPartSize)
    const concurrency = options.concurrency ?? 4
    yield* integerIn("multipartThreshold", threshold, minPartSize, Parts.MAX_PART_SIZE)
    yield* integerIn("partSize", partSize, minPartSize, Parts.MAX_PART_SIZE)
    yield* integerIn("concurrency", concurrency, 1, Parts.MAX_PARTS)

    const source = sourceOf(input.CopySource)
    const copySource = typeof input.CopySource === "string" ? input.CopySource : copySourceHeader(source)
    const head = yield* S3.headObject({
      Bucket: source.Bucket,
      Key: source.Key,
      ...(source.VersionId === undefined ? {} : { VersionId: source.VersionId }),
      ...(input.CopySourceSSECustomerAlgorithm === undefined
        ? {}
        : { SSECustomerAlgorithm: input.CopySourceSSECustomerAlgorithm }),
      ...(input.CopySourceSSECustomerKey === undefined
        ? {}
        : { SSECustomerKey: input.CopySourceSSECustomerKey }),
      ...(input.RequestPayer === undefined ? {} : { RequestPayer: input.RequestPayer }),
      ...(input.ExpectedSourceBucketOwner === undefined
        ? {}
        : { ExpectedBucketOwner: input.ExpectedSourceBucketOwner })
    })
    const size = head.ContentLength ?? 0
    const sourceError = (message: string) =>
      new TransferError({ bucket: source.Bucket, key: source.Key, message })
    // the copy is planned from the source's size: only a size an S3 object can have
    if (!(Number.isSafeInteger(size) && size >= 0 && size <= Parts.MAX_STORED_OBJECT_SIZE)) {
      return yield* sourceError(
        `HeadObject of the copy source gave a size of ${size} bytes; an S3 object has a whole number of bytes, at most ${Parts.MAX_STORED_OBJECT_SIZE}`
      )
    }
    if (size <= threshold) {
      const out = yield* S3.copyObject({ ...input, CopySource: copySource })
      return {
        ETag: out.CopyObjectResult?.ETag,
        VersionId: out.VersionId,
        UploadId: undefined,
        parts: 0,
        bytes: size
      }
    }

    // Multipart copy.
    const {
      CopySource: _source,
      MetadataDirective,
      TaggingDirective: _tagging,
      CopySourceIfMatch,
      CopySourceIfModifiedSince,
      CopySourceIfNoneMatch,
      CopySourceIfUnmodifiedSince,
      CopySourceSSECustomerAlgorithm,
      CopySourceSSECustomerKey,
      CopySourceSSECustomerKeyMD5,
      ExpectedSourceBucketOwner,
      ...createFields
    } = input
    const fromSource: Record<string, unknown> = {}
    if (MetadataDirective !== "REPLACE") {
      for (const h of copiedHeaders) if (head[h] !== undefined) fromSource[h] = head[h]
    }
    const create = createUpload({
      ...createFields,
      ...fromSource
    } as S3.CreateMultipartUploadRequest)
    const sizing = Parts.partSizing(partSize, size)
    const ranges: Array<readonly [number, number]> = []
    for (let a = 0; a < size; a += sizing.first) ranges.push([a, Math.min(size, a + sizing.first) - 1])
    const pinned = CopySourceIfMatch ?? head.ETag
    // parts copied from different versions of the source would make an object that never existed
    if (pinned === undefined || pinned === "") {
      return yield* sourceError(
        "HeadObject of the copy source answered without an ETag: the parts of a multipart copy cannot be pinned to one version"
      )
    }
    const repeated = repeatedFields(input)
    const partFields = {
      Bucket: input.Bucket,
      Key: input.Key,
      CopySource: copySource,
      CopySourceIfMatch: pinned,
      ...(CopySourceIfModifiedSince === undefined ? {} : { CopySourceIfModifiedSince }),
      ...(CopySourceIfNoneMatch === undefined ? {} : { CopySourceIfNoneMatch }),
      ...(CopySourceIfUnmodifiedSince === undefined ? {} : { CopySourceIfUnmodifiedSince }),
      ...(CopySourceSSECustomerAlgorithm === undefined ? {} : { CopySourceSSECustomerAlgorithm }),
      ...(CopySourceSSECustomerKey === undefined ? {} : { CopySourceSSECustomerKey }),
      ...(CopySourceSSECustomerKeyMD5 === undefined ? {} : { CopySourceSSECustomerKeyMD5 }),
      ...(ExpectedSourceBucketOwner === undefined ? {} : { ExpectedSourceBucketOwner }),
      ...repeated
    }
    const copyPart = (uploadId: string, [a, b]: readonly [number, number], i: number) =>
      S3.uploadPartCopy({
        ...partFields,
        UploadId: uploadId,
        PartNumber: i + 1,
        CopySourceRange: `bytes=${a}-${b}`
      }).pipe(
        Effect.mapError((e) => new PartFailure(i + 1, "part", e)),
        Effect.flatMap((out) => {
          const r = out.CopyPartResult
          if (r?.ETag === undefined) {
            return Effect.fail(
              new PartFailure(
                i + 1,
                "part",
                new TransferError({
                  bucket: input.Bucket,
                  key: input.Key,
                  message: `UploadPartCopy ${i + 1} answered without an ETag`
                })
              )
            )
          }
          const part: S3.CompletedPart = {
            PartNumber: i + 1,
            ETag: r.ETag,
            ...(r.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: r.ChecksumCRC32 }),
            ...(r.ChecksumCRC32C === undefined ? {} : { ChecksumCRC32C: r.ChecksumCRC32C }),
            ...(r.ChecksumSHA1 === undefined ? {} : { ChecksumSHA1: r.ChecksumSHA1 }),
            ...(r.ChecksumSHA256 === undefined ? {} : { ChecksumSHA256: r.ChecksumSHA256 })
          }
          return Effect.succeed(part)
        })
      )
    const work = (uploadId: string) =>
      Effect.gen(function* () {
        const parts = yield* Effect.forEach(ranges, (range, i) => copyPart(uploadId, range, i), {
          concurrency
        })
        return yield* S3.completeMultipartUpload({
          Bucket: input.Bucket,
          Key: input.Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          ...repeated
        }).pipe(Effect.mapError((e) => new PartFailure(undefined, "complete", e)))
      })
    // CreateMultipartUpload, the part copies and CompleteMultipartUpload; aborted on failure or
    // interruption, with no gap after the upload exists where an interruption would leak it
    const { uploadId, value: out } = yield* guarded(
      create,
      {
        bucket: input.Bucket,
        key: input.Key,
        leavePartsOnError: options.leavePartsOnError ?? false,
        abortTimeout: Duration.decode(options.abortTimeout ?? "60 seconds"),
        requestPayer: input.RequestPayer,
        expectedBucketOwner: input.ExpectedBucketOwner
      },
      work
    )
    return { ETag: out.ETag, VersionId: out.VersionId, UploadId: uploadId, parts: ranges.length, bytes: size }
  })
