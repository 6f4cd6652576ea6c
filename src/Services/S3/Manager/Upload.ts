/**
 * `S3Manager.upload`: one PutObject for a small body, a concurrent multipart upload for a large
 * one, aborted on failure or interruption.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Checksums from "../../../Request/Checksums.js"
import * as S3 from "../index.js"
import {
  type BodyReadError,
  ChecksumMismatch,
  InvalidTransferOptions,
  type MultipartUploadError,
  TransferError
} from "./Errors.js"
import { createUpload, guarded, integerIn, PartFailure, repeatedFields } from "./Multipart.js"
import * as Parts from "./Parts.js"

// ---------------------------------------------------------------------------------------------
// Input, options, output.

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

/**
 * The upload's result once the checksum S3 reports, when `comparable`, matches the one computed
 * here (`ChecksumMismatch` otherwise).
 */
const finish = (
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

/** Every way an upload can fail, `E` being the body's own error. */
export type UploadError<E> =
  | S3.PutObjectError
  | S3.CreateMultipartUploadError
  | MultipartUploadError<S3.UploadPartError | S3.CompleteMultipartUploadError | TransferError | E>
  | ChecksumMismatch
  | InvalidTransferOptions
  | TransferError
  | E

// ---------------------------------------------------------------------------------------------
// Settings.

interface Settings {
  readonly partSize: number
  readonly concurrency: number
  readonly leavePartsOnError: boolean
  readonly algorithm: Checksums.ChecksumAlgorithm | undefined
  readonly signPayload: boolean
  readonly onProgress: ((progress: UploadProgress) => Effect.Effect<void>) | undefined
  readonly abortTimeout: Duration.Duration
}

const settingsOf = (options: UploadOptions): Effect.Effect<Settings, InvalidTransferOptions> =>
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

// ---------------------------------------------------------------------------------------------
// The body.

/** A body stream inside the implementation; its context is required by `upload`'s signature. */
type AnyStream = Stream.Stream<Uint8Array, unknown>

/** A body to upload: whole bytes, or a stream or an iterable read part by part. */
interface Source {
  readonly bytes: Uint8Array | undefined
  readonly stream: AnyStream | undefined
  readonly iterable?: AsyncIterable<Uint8Array> | undefined
  readonly totalBytes: number | undefined
}

const encoder = new TextEncoder()

const isFileBody = (u: unknown): u is FileBody =>
  typeof u === "object" && u !== null && (u as { readonly _tag?: unknown })._tag === "FileBody"

const sourceOf = (
  body: UploadBody,
  contentLength: number | undefined
): Effect.Effect<Source, PlatformError | InvalidTransferOptions, FileSystem.FileSystem> => {
  if (typeof body === "string") {
    const bytes = encoder.encode(body)
    return Effect.succeed({ bytes, stream: undefined, totalBytes: bytes.length })
  }
  if (body instanceof Uint8Array)
    return Effect.succeed({ bytes: body, stream: undefined, totalBytes: body.length })
  if (isFileBody(body)) {
    return Effect.flatMap(FileSystem.FileSystem, (fs) =>
      Effect.map(fs.stat(body.path), (info) => ({
        bytes: undefined,
        stream: fs.stream(body.path, { chunkSize: FileSystem.KiB(256) }),
        totalBytes: Number(info.size)
      }))
    )
  }
  if (contentLength !== undefined && !(Number.isSafeInteger(contentLength) && contentLength >= 0)) {
    return Effect.fail(
      new InvalidTransferOptions({
        message: `ContentLength must be a non-negative integer, not ${contentLength}`
      })
    )
  }
  if (Symbol.asyncIterator in body) {
    return Effect.succeed({ bytes: undefined, stream: undefined, iterable: body, totalBytes: contentLength })
  }
  return Effect.succeed({ bytes: undefined, stream: body as AnyStream, totalBytes: contentLength })
}

/** Writes are handed to the connection in pieces of this size (progress is reported per piece). */
const SLICE = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// Upload.

const uploadAny = (
  input: UploadInput<UploadBody>,
  options: UploadOptions
): Effect.Effect<UploadOutput, unknown, S3.S3 | FileSystem.FileSystem> =>
  Effect.scoped(
    Effect.gen(function* () {
      const settings = yield* settingsOf(options)
      const { Body, ContentLength, ...fields } = input
      const source = yield* sourceOf(Body, ContentLength)
      if (source.totalBytes !== undefined && source.totalBytes > Parts.MAX_OBJECT_SIZE) {
        return yield* new InvalidTransferOptions({
          message: `the body has ${source.totalBytes} bytes, more than S3's 5 TiB object limit`
        })
      }
      const sizing = Parts.partSizing(settings.partSize, source.totalBytes)
      const pool = yield* Parts.makeBufferPool(settings.concurrency)
      const reader =
        source.bytes !== undefined
          ? yield* Parts.bytesReader(source.bytes, sizing)
          : source.iterable !== undefined
            ? yield* Parts.iterableReader(source.iterable, sizing, pool)
            : yield* Parts.streamReader(source.stream!, sizing, pool)

      // Progress: bytes handed to the connection, per call (no shared state).
      let sent = 0
      const report = (delta: number): Effect.Effect<void> => {
        sent += delta
        return settings.onProgress === undefined
          ? Effect.void
          : settings.onProgress({ bytesSent: sent, totalBytes: source.totalBytes })
      }
      /** The request body of a part: signed bytes, or slices streamed UNSIGNED-PAYLOAD. */
      const bodyOf = (bytes: Uint8Array): Uint8Array | Stream.Stream<Uint8Array> => {
        if (settings.signPayload || bytes.length === 0) return bytes
        const pieces = Parts.slices(bytes, SLICE)
        if (settings.onProgress === undefined) return Stream.fromIterable(pieces)
        let sentThisPart = 0
        return Stream.suspend(() => {
          // A retry sends the part again: take back what the failed attempt counted.
          const back = sentThisPart
          sentThisPart = 0
          return Stream.fromIterable(pieces).pipe(
            Stream.tap((piece) => {
              sentThisPart += piece.length
              return report(piece.length)
            }),
            back === 0 ? (s) => s : (s) => Stream.concat(Stream.execute(report(-back)), s)
          )
        })
      }
      const afterSent = (bytes: Uint8Array) =>
        settings.signPayload || bytes.length === 0 ? report(bytes.length) : Effect.void
      const checksumOf = (bytes: Uint8Array) =>
        settings.algorithm === undefined ? undefined : Checksums.checksumBase64(settings.algorithm, bytes)
      const checksumFields = (value: string | undefined) =>
        settings.algorithm === undefined || value === undefined
          ? {}
          : { ChecksumAlgorithm: settings.algorithm, [Parts.checksumMember(settings.algorithm)]: value }

      const first = Option.getOrThrow(yield* reader.next)

      // A body shorter than one part: one PutObject.
      if (first.short) {
        const bytes = first.bytes
        if (source.totalBytes !== undefined && bytes.length !== source.totalBytes) {
          return yield* new InvalidTransferOptions({
            message: `the body stream gave ${bytes.length} bytes, but ContentLength says ${source.totalBytes}`
          })
        }
        const checksum = checksumOf(bytes)
        const output = yield* S3.putObject({
          ...fields,
          Body: bodyOf(bytes),
          ContentLength: bytes.length,
          ...checksumFields(checksum)
        } as S3.PutObjectRequest)
        yield* afterSent(bytes)
        yield* first.release
        return yield* finish(
          input,
          settings.algorithm,
          output,
          checksum,
          (reported) => reported !== undefined,
          {
            UploadId: undefined,
            parts: 0,
            bytes: bytes.length
          }
        )
      }

      // Multipart.
      const { IfNoneMatch, ...createFields } = fields
      const sse = repeatedFields(input)
      const create = createUpload({
        ...createFields,
        ...(settings.algorithm === undefined ? {} : { ChecksumAlgorithm: settings.algorithm })
      } as S3.CreateMultipartUploadRequest)

      const partChecksums: Array<string> = []
      let partCount = 0
      let bytesRead = 0
      const sendPart = (
        uploadId: string,
        part: Parts.Part
      ): Effect.Effect<S3.CompletedPart, PartFailure, S3.S3> => {
        const checksum = checksumOf(part.bytes)
        return S3.uploadPart({
          Bucket: input.Bucket,
          Key: input.Key,
          UploadId: uploadId,
          PartNumber: part.partNumber,
          Body: bodyOf(part.bytes),
          ContentLength: part.bytes.length,
          ...sse,
          ...checksumFields(checksum)
        }).pipe(
          Effect.mapError((e) => new PartFailure(part.partNumber, "part", e)),
          Effect.flatMap((out) =>
            out.ETag === undefined
              ? Effect.fail(
                  new PartFailure(
                    part.partNumber,
                    "part",
                    new TransferError({
                      bucket: input.Bucket,
                      key: input.Key,
                      message: `UploadPart ${part.partNumber} answered without an ETag`
                    })
                  )
                )
              : Effect.as(afterSent(part.bytes), {
                  PartNumber: part.partNumber,
                  ETag: out.ETag,
                  ...(checksum === undefined ? {} : { [Parts.checksumMember(settings.algorithm!)]: checksum })
                })
          ),
          Effect.tap(() =>
            Effect.sync(() => {
              if (checksum !== undefined) partChecksums[part.partNumber - 1] = checksum
            })
          ),
          Effect.ensuring(part.release)
        )
      }
      const bodyFailure = (cause: unknown) => new PartFailure(undefined, "body", cause)
      const counted = (part: Parts.Part): Effect.Effect<Parts.Part, PartFailure> => {
        bytesRead += part.bytes.length
        partCount = part.partNumber
        if (part.partNumber > Parts.MAX_PARTS) {
          return Effect.zipRight(
            part.release,
            Effect.fail(
              bodyFailure(
                new TransferError({
                  bucket: input.Bucket,
                  key: input.Key,
                  message: `the body needs more than ${Parts.MAX_PARTS} parts of ${part.bytes.length} bytes`
                })
              )
            )
          )
        }
        if (source.totalBytes !== undefined && bytesRead > source.totalBytes) {
          return Effect.zipRight(
            part.release,
            Effect.fail(
              bodyFailure(
                new InvalidTransferOptions({
                  message: `the body stream gave more bytes than ContentLength (${source.totalBytes})`
                })
              )
            )
          )
        }
        return Effect.succeed(part)
      }
      const rest = Stream.repeatEffectOption(
        reader.next.pipe(
          Effect.mapError((e) => Option.some(bodyFailure(e))),
          Effect.flatMap(Option.match({ onNone: () => Effect.fail(Option.none()), onSome: Effect.succeed }))
        )
      )
      const work = (uploadId: string) =>
        Effect.gen(function* () {
          const completed = yield* Stream.concat(Stream.succeed(first), rest).pipe(
            Stream.mapEffect(counted),
            Stream.mapEffect((part) => sendPart(uploadId, part), {
              concurrency: settings.concurrency,
              unordered: true
            }),
            Stream.runCollect
          )
          if (source.totalBytes !== undefined && bytesRead !== source.totalBytes) {
            return yield* Effect.fail(
              bodyFailure(
                new InvalidTransferOptions({
                  message: `the body stream gave ${bytesRead} bytes, but ContentLength says ${source.totalBytes}`
                })
              )
            )
          }
          const sorted = Array.from(completed).sort((a, b) => a.PartNumber! - b.PartNumber!)
          return yield* S3.completeMultipartUpload({
            Bucket: input.Bucket,
            Key: input.Key,
            UploadId: uploadId,
            MultipartUpload: { Parts: sorted },
            ...(IfNoneMatch === undefined ? {} : { IfNoneMatch }),
            ...sse
          }).pipe(Effect.mapError((e) => new PartFailure(undefined, "complete", e)))
        })

      // CreateMultipartUpload, then the parts and CompleteMultipartUpload; aborted on failure or
      // interruption, with no gap after the upload exists where an interruption would leak it
      const { uploadId, value: output } = yield* guarded(
        create,
        {
          bucket: input.Bucket,
          key: input.Key,
          leavePartsOnError: settings.leavePartsOnError,
          abortTimeout: settings.abortTimeout,
          requestPayer: sse.RequestPayer,
          expectedBucketOwner: sse.ExpectedBucketOwner
        },
        work
      )

      const checksum =
        settings.algorithm === undefined
          ? undefined
          : Parts.compositeChecksum(settings.algorithm, partChecksums.slice(0, partCount))
      // S3 reports a composite checksum (`base64-N`) for multipart objects; a full-object one
      // (no suffix) cannot be compared with the part checksums.
      return yield* finish(
        input,
        settings.algorithm,
        output,
        checksum,
        (reported) => reported?.includes("-") === true,
        { UploadId: uploadId, parts: partCount, bytes: bytesRead }
      )
    })
  )

/**
 * Uploads a body of any size: one PutObject when it is shorter than one part, else a multipart
 * upload with at most `concurrency` parts in flight, each part retried by the request pipeline.
 * A stream is pulled only as parts are needed (memory about `partSize x concurrency`).
 *
 * When a part fails for good, or the fiber is interrupted (`Effect.timeout`, `Fiber.interrupt`),
 * the multipart upload is aborted (unless `leavePartsOnError`) before the effect ends, even when
 * interrupted, and the error (`MultipartUploadError`) names the part and the upload id.
 *
 * Every part carries a checksum (CRC32 unless told otherwise); the object's checksum S3 reports on
 * completion is compared with the one computed from the parts (`ChecksumMismatch` if they differ).
 *
 * @example
 * import * as S3Manager from "effect-aws-sdk/s3/manager"
 *
 * const program = S3Manager.upload(
 *   { Bucket: "my-bucket", Key: "big.bin", Body: Stream.fromReadableStream(...), ContentType: "application/octet-stream" },
 *   { partSize: 16 * 1024 * 1024, concurrency: 8 }
 * ).pipe(Effect.timeout("10 minutes"))
 */
export const upload = <B extends UploadBody>(
  input: UploadInput<B>,
  options: UploadOptions = {}
): Effect.Effect<UploadOutput, UploadError<BodyError<B>>, S3.S3 | BodyContext<B>> =>
  uploadAny(input, options) as unknown as Effect.Effect<
    UploadOutput,
    UploadError<BodyError<B>>,
    S3.S3 | BodyContext<B>
  >

/** An event of `uploadWithProgress`: bytes sent so far, then the result. */
export type UploadEvent =
  | ({ readonly _tag: "Progress" } & UploadProgress)
  | { readonly _tag: "Done"; readonly output: UploadOutput }

/**
 * `upload` as a `Stream` of progress events ending with `Done`. A slow consumer sees the latest
 * progress (older events are dropped), never slows the upload; ending the stream early interrupts
 * the upload (which is then aborted).
 *
 * @example
 * S3Manager.uploadWithProgress(input).pipe(
 *   Stream.runForEach((e) => e._tag === "Progress" ? Console.log(`${e.bytesSent} bytes`) : Console.log("done"))
 * )
 */
export const uploadWithProgress = <B extends UploadBody>(
  input: UploadInput<B>,
  options: Omit<UploadOptions, "onProgress"> = {}
): Stream.Stream<UploadEvent, UploadError<BodyError<B>>, S3.S3 | BodyContext<B>> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const mailbox = yield* Mailbox.make<UploadEvent, UploadError<BodyError<B>>>({
        capacity: 64,
        strategy: "sliding"
      })
      yield* upload(input, {
        ...options,
        onProgress: (p) => Effect.asVoid(mailbox.offer({ _tag: "Progress", ...p }))
      }).pipe(
        Effect.flatMap((output) => mailbox.offer({ _tag: "Done", output })),
        Effect.exit,
        Effect.flatMap((exit) => mailbox.done(Exit.asVoid(exit))),
        Effect.forkScoped
      )
      return Mailbox.toStream(mailbox)
    })
  )
