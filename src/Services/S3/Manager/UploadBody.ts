/**
 * An upload's body: how it is read (bytes, a string, a file, a stream or an async iterable) and
 * how each part's bytes go out (signed bytes, or slices streamed `UNSIGNED-PAYLOAD` with progress
 * reported as they are handed to the connection; their checksum).
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Checksums from "../../../Request/Checksums.js"
import { InvalidTransferOptions } from "./Errors.js"
import * as Parts from "./Parts.js"
import type { FileBody, Settings, UploadBody } from "./UploadContract.js"

/** A body stream inside the implementation; its context is required by `upload`'s signature. */
type AnyStream = Stream.Stream<Uint8Array, unknown>

/** A body to upload: whole bytes, or a stream or an iterable read part by part. */
export interface Source {
  readonly bytes: Uint8Array | undefined
  readonly stream: AnyStream | undefined
  readonly iterable?: AsyncIterable<Uint8Array> | undefined
  readonly totalBytes: number | undefined
}

const encoder = new TextEncoder()

const isFileBody = (u: unknown): u is FileBody =>
  typeof u === "object" && u !== null && (u as { readonly _tag?: unknown })._tag === "FileBody"

export const sourceOf = (
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

/** How an upload's parts go out: each part's request body, the progress it reports, its checksum. */
export const partSender = (settings: Settings, totalBytes: number | undefined) => {
  // Progress: bytes handed to the connection, per call (no shared state).
  let sent = 0
  const report = (delta: number): Effect.Effect<void> => {
    sent += delta
    return settings.onProgress === undefined
      ? Effect.void
      : settings.onProgress({ bytesSent: sent, totalBytes })
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
  return { bodyOf, afterSent, checksumOf, checksumFields }
}

/** What `partSender` makes. */
export type PartSender = ReturnType<typeof partSender>
