/**
 * What every multipart transfer shares: CreateMultipartUpload runs uninterruptibly and the guard
 * is in place before an interruption can land, the work after it runs interruptibly, and whatever
 * ends that work (a part failing for good, the body failing, an interruption) is followed by
 * AbortMultipartUpload in an uninterruptible region, so no upload is left behind.
 *
 * Internal to `S3Manager`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as S3 from "../index.js"
import { InvalidTransferOptions, MultipartUploadError, TransferError } from "./Errors.js"

/** Fails with `InvalidTransferOptions` unless `value` is an integer from `min` to `max`. */
export const integerIn = (name: string, value: number, min: number, max: number) =>
  Number.isSafeInteger(value) && value >= min && value <= max
    ? Effect.void
    : Effect.fail(
        new InvalidTransferOptions({
          message: `${name} must be an integer from ${min} to ${max}, not ${value}`
        })
      )

/** The object's fields every UploadPart / UploadPartCopy and the completion repeat. */
export interface RepeatedFields {
  readonly SSECustomerAlgorithm?: string | undefined
  readonly SSECustomerKey?: Uint8Array | string | undefined
  readonly SSECustomerKeyMD5?: string | undefined
  readonly RequestPayer?: S3.RequestPayer | undefined
  readonly ExpectedBucketOwner?: string | undefined
}

/** The fields of `input` the parts and the completion repeat (customer key, payer, owner), if set. */
export const repeatedFields = (input: RepeatedFields) => {
  const out: {
    SSECustomerAlgorithm?: string
    SSECustomerKey?: Uint8Array | string
    SSECustomerKeyMD5?: string
    RequestPayer?: S3.RequestPayer
    ExpectedBucketOwner?: string
  } = {}
  if (input.SSECustomerAlgorithm !== undefined) out.SSECustomerAlgorithm = input.SSECustomerAlgorithm
  if (input.SSECustomerKey !== undefined) out.SSECustomerKey = input.SSECustomerKey
  if (input.SSECustomerKeyMD5 !== undefined) out.SSECustomerKeyMD5 = input.SSECustomerKeyMD5
  if (input.RequestPayer !== undefined) out.RequestPayer = input.RequestPayer
  if (input.ExpectedBucketOwner !== undefined) out.ExpectedBucketOwner = input.ExpectedBucketOwner
  return out
}

/** Why the work of a multipart upload failed, before it becomes a `MultipartUploadError`. */
export class PartFailure {
  constructor(
    readonly partNumber: number | undefined,
    readonly phase: "part" | "body" | "complete",
    readonly cause: unknown
  ) {}
}

export interface GuardSettings {
  readonly bucket: string
  readonly key: string
  readonly uploadId: string
  readonly leavePartsOnError: boolean
  readonly abortTimeout: Duration.Duration
  readonly requestPayer?: S3.RequestPayer | undefined
  readonly expectedBucketOwner?: string | undefined
}

/**
 * Runs `work` (with `restore` making it interruptible again); when it fails or is interrupted,
 * aborts the upload (unless `leavePartsOnError`), waiting for the abort even when interrupted
 * (bounded by `abortTimeout`), then fails with a `MultipartUploadError` naming the part, or goes
 * on being interrupted. Must run in an uninterruptible region.
 */
const runGuarded = <A, R>(
  restore: <X, EX, RX>(effect: Effect.Effect<X, EX, RX>) => Effect.Effect<X, EX, RX>,
  settings: GuardSettings,
  work: Effect.Effect<A, PartFailure, R>
): Effect.Effect<A, MultipartUploadError<unknown>, R | S3.S3> =>
  Effect.flatMap(Effect.exit(restore(work)), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
    const abort: Effect.Effect<{ readonly aborted: boolean; readonly abortFailure?: unknown }, never, S3.S3> =
      settings.leavePartsOnError
        ? Effect.succeed({ aborted: false })
        : Effect.interruptible(
            S3.abortMultipartUpload({
              Bucket: settings.bucket,
              Key: settings.key,
              UploadId: settings.uploadId,
              ...(settings.requestPayer === undefined ? {} : { RequestPayer: settings.requestPayer }),
              ...(settings.expectedBucketOwner === undefined
                ? {}
                : { ExpectedBucketOwner: settings.expectedBucketOwner })
            })
          ).pipe(
            Effect.timeout(settings.abortTimeout),
            Effect.match({
              onSuccess: () => ({ aborted: true }),
              // Already gone: nothing is left behind either.
              onFailure: (e) =>
                e._tag === "NoSuchUpload" ? { aborted: true } : { aborted: false, abortFailure: e }
            })
          )
    return Effect.flatMap(abort, (aborted) => {
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) return Effect.failCause(exit.cause as Cause.Cause<never>)
      const f = failure.value
      return Effect.fail(
        new MultipartUploadError({
          bucket: settings.bucket,
          key: settings.key,
          uploadId: settings.uploadId,
          partNumber: f.partNumber,
          phase: f.phase,
          cause: f.cause,
          ...aborted
        })
      )
    })
  })

/**
 * Creates a multipart upload and runs `work` on it, with no gap between the two where an
 * interruption could leave the upload behind: `create` (CreateMultipartUpload, answering the
 * upload id) runs uninterruptibly, and the guard is in place before interruption is possible
 * again. When `work` fails or is interrupted the upload is aborted (see `GuardSettings`), then
 * the failure is a `MultipartUploadError`, or the interruption goes on.
 */
export const guarded = <EC, RC, A, R>(
  create: Effect.Effect<string, EC, RC>,
  settings: Omit<GuardSettings, "uploadId">,
  work: (uploadId: string) => Effect.Effect<A, PartFailure, R>
): Effect.Effect<
  { readonly uploadId: string; readonly value: A },
  EC | MultipartUploadError<unknown>,
  RC | R | S3.S3
> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(create, (uploadId) =>
      Effect.map(runGuarded(restore, { ...settings, uploadId }, work(uploadId)), (value) => ({
        uploadId,
        value
      }))
    )
  )

/** CreateMultipartUpload's UploadId, or a `TransferError` when the answer has none. */
export const createUpload = (
  input: S3.CreateMultipartUploadRequest
): Effect.Effect<string, S3.CreateMultipartUploadError | TransferError, S3.S3> =>
  Effect.flatMap(S3.createMultipartUpload(input), ({ UploadId }) =>
    UploadId === undefined || UploadId === ""
      ? Effect.fail(
          new TransferError({
            bucket: input.Bucket,
            key: input.Key,
            message: "CreateMultipartUpload answered without an UploadId"
          })
        )
      : Effect.succeed(UploadId)
  )
