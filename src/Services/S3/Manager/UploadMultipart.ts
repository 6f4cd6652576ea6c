/**
 * The multipart half of `S3Manager.upload`: CreateMultipartUpload, the parts (each counted,
 * checked against the body's length and the 10,000-part limit, sent at most `concurrency` at a
 * time), CompleteMultipartUpload with the parts in order, and the composite checksum compared
 * with S3's; aborted on failure or interruption.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as S3 from "../index.js"
import { InvalidTransferOptions, TransferError } from "./Errors.js"
import { createUpload, guarded, PartFailure, repeatedFields } from "./Multipart.js"
import * as Parts from "./Parts.js"
import type { PartSender } from "./UploadBody.js"
import {
  finish,
  type Settings,
  type UploadBody,
  type UploadInput,
  type UploadOutput
} from "./UploadContract.js"

/**
 * Uploads a body of at least one part in parts: `first` is the part already read, `reader` hands
 * out the rest, `fields` are the input's PutObject fields.
 */
export const uploadMultipart = (
  input: UploadInput<UploadBody>,
  fields: Omit<UploadInput<UploadBody>, "Body" | "ContentLength">,
  settings: Settings,
  totalBytes: number | undefined,
  first: Parts.Part,
  reader: Parts.PartReader<unknown>,
  send: PartSender
): Effect.Effect<UploadOutput, unknown, S3.S3> =>
  Effect.gen(function* () {
    const { bodyOf, afterSent, checksumOf, checksumFields } = send
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
      if (totalBytes !== undefined && bytesRead > totalBytes) {
        return Effect.zipRight(
          part.release,
          Effect.fail(
            bodyFailure(
              new InvalidTransferOptions({
                message: `the body stream gave more bytes than ContentLength (${totalBytes})`
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
        if (totalBytes !== undefined && bytesRead !== totalBytes) {
          return yield* Effect.fail(
            bodyFailure(
              new InvalidTransferOptions({
                message: `the body stream gave ${bytesRead} bytes, but ContentLength says ${totalBytes}`
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
