/**
 * `S3Manager.upload`: one PutObject for a small body, a concurrent multipart upload for a large
 * one, aborted on failure or interruption.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as S3 from "../index.js"
import { InvalidTransferOptions } from "./Errors.js"
import * as Parts from "./Parts.js"
import { partSender, sourceOf } from "./UploadBody.js"
import {
  type BodyContext,
  type BodyError,
  finish,
  settingsOf,
  type UploadBody,
  type UploadError,
  type UploadInput,
  type UploadOptions,
  type UploadOutput,
  type UploadProgress
} from "./UploadContract.js"
import { uploadMultipart } from "./UploadMultipart.js"

export {
  type BodyContext,
  type BodyError,
  type FileBody,
  file,
  type UploadBody,
  type UploadError,
  type UploadInput,
  type UploadOptions,
  type UploadOutput,
  type UploadProgress
} from "./UploadContract.js"

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

      const send = partSender(settings, source.totalBytes)
      const { bodyOf, afterSent, checksumOf, checksumFields } = send

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
      return yield* uploadMultipart(input, fields, settings, source.totalBytes, first, reader, send)
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
