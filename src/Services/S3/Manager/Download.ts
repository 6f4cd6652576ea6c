/**
 * `S3Manager.download` and `downloadFile`: concurrent ranged GETs put back in order, pinned to the
 * ETag of the first response. Nothing a server says is planned from unchecked: the object's size
 * (the first answer's `Content-Range`) must be a whole number no larger than the largest S3 object
 * (`MAX_STORED_OBJECT_SIZE`), ranges are made one at a time as they are fetched (never listed), and
 * every answer must be exactly the range asked for (start, end, the same object size, and a body of
 * that length), or the download fails with a `TransferError`. The plan is `DownloadPlan`'s, the
 * ordered stream `OrderedParts`'.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type * as S3 from "../index.js"
import {
  type Deliver,
  type DownloadError,
  type DownloadInfo,
  type DownloadInput,
  type DownloadOptions,
  planDownload,
  type Range,
  rangesOf
} from "./DownloadPlan.js"
import { ordered } from "./OrderedParts.js"

export type {
  DownloadError,
  DownloadInfo,
  DownloadInput,
  DownloadOptions,
  DownloadProgress
} from "./DownloadPlan.js"
export { LoopMeter } from "./LoopMeter.js"

/**
 * Downloads an object (or a `Range` of it, `bytes=a-b` or `bytes=a-`) as an ordered stream of
 * bytes: ranged GETs of `partSize`, up to `concurrency` at a time, put back in order. By default
 * (`adaptive`) the GETs fan out only once the event loop is seen to have time to spare: a link that
 * limits each connection (S3) gets `concurrency` at once after the first batch, while a connection
 * that already keeps the process busy is read alone, in ranges that double (more connections would
 * only add work). Every GET after the first carries `If-Match` with the first response's ETag, so
 * an object overwritten meanwhile fails with `ObjectChanged` rather than mixing two versions; a part
 * that is not the range asked for fails with `TransferError` rather than delivering wrong bytes.
 * Ending the stream (or interrupting its fiber) stops every GET.
 *
 * @example
 * S3Manager.download({ Bucket: "b", Key: "big.bin" }, { partSize: 16 * 1024 * 1024, concurrency: 8 }).pipe(
 *   Stream.run(NodeSink.fromWritable(() => process.stdout, (e) => e))
 * )
 */
export const download = (
  input: DownloadInput,
  options: DownloadOptions = {}
): Stream.Stream<Uint8Array, DownloadError, S3.S3> =>
  Stream.unwrapScoped(
    Effect.flatMap(planDownload(input, options), (plan) => ordered(plan, options.adaptive ?? true))
  )

/** What `downloadFile` wrote. */
export interface DownloadFileOutput extends DownloadInfo {
  readonly path: string
}

/**
 * Downloads an object into a file, with the same ranged GETs as `download` (pinned to the first
 * ETag), each part written at its own offset as it arrives, so nothing waits to be put in order
 * (memory: a batch or two of 1 MiB per part in flight). The bytes go to a temporary file beside
 * `path` (`path.<random>.download`), renamed to `path` once complete. On failure or interruption
 * (a `TransferError` for a part that is not the range asked for included) every GET stops and the
 * temporary file is removed; `path` is never left half-written, and a file already there is kept.
 *
 * @example
 * S3Manager.downloadFile({ Bucket: "b", Key: "big.bin" }, "/tmp/big.bin").pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 */
export const downloadFile = (
  input: DownloadInput,
  path: string,
  options: DownloadOptions = {}
): Effect.Effect<DownloadFileOutput, DownloadError | PlatformError, S3.S3 | FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const suffix = yield* Effect.randomWith((r) => r.nextIntBetween(0, 0x7fffffff))
    const temp = `${path}.${suffix.toString(16)}.download`
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const plan = yield* planDownload(input, options)
        if (plan.whole !== undefined) {
          yield* Stream.run(plan.whole, fs.sink(temp))
        } else {
          // Each part writes its batches where they belong as they arrive (one batch at a time
          // over the file, seek and write together): nothing is held back to be put in order, so
          // memory stays near one batch per part in flight.
          const file = yield* fs.open(temp, { flag: "w" })
          const lock = yield* Effect.makeSemaphore(1)
          // One write per batch (a copy into one array costs less than a write per chunk), from
          // one array reused by every write: writes take turns, and each is done with the array
          // before the next starts (an interrupted write may still be reading it, so the next
          // write gets a new one). A fresh array per batch was garbage at the rate of the
          // download, and collecting it cost more than the copy.
          let scratch = new Uint8Array(0)
          const joined = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
            if (chunks.length === 1) return chunks[0]!
            let length = 0
            for (const c of chunks) length += c.length
            if (scratch.length < length) scratch = new Uint8Array(Math.max(length, 2 * scratch.length))
            let at = 0
            for (const c of chunks) {
              scratch.set(c, at)
              at += c.length
            }
            return scratch.subarray(0, length)
          }
          const write: Deliver<PlatformError> = (chunks, offset) =>
            lock.withPermits(1)(
              Effect.zipRight(
                file.seek(offset, "start"),
                Effect.suspend(() => file.writeAll(joined(chunks))).pipe(
                  Effect.onInterrupt(() =>
                    Effect.sync(() => {
                      scratch = new Uint8Array(0)
                    })
                  )
                )
              )
            )
          // `concurrency` workers, each taking the next range as it finishes one: the ranges are
          // made one at a time, never listed (a list of an object's ranges can outgrow the heap)
          const rest = rangesOf(plan.first[1] + 1, plan.last, plan.partSize)
          const worker = (
            range: Range | undefined
          ): Effect.Effect<void, DownloadError | PlatformError, S3.S3> =>
            range === undefined
              ? Effect.void
              : Effect.zipRight(
                  plan.part(range, write),
                  Effect.suspend(() => worker(rest()))
                )
          const workers: Array<Range | undefined> = [plan.first]
          for (let i = 1; i < plan.concurrency; i++) workers.push(undefined)
          yield* Effect.forEach(workers, (range) => worker(range ?? rest()), {
            concurrency: "unbounded",
            discard: true
          })
        }
        yield* fs.rename(temp, path)
        return { ...plan.info, path }
      })
    ).pipe(
      Effect.onExit((exit) =>
        Exit.isSuccess(exit) ? Effect.void : Effect.ignore(fs.remove(temp, { force: true }))
      )
    )
  })

/** Reads a whole download into memory (for small objects and tests). */
export const downloadBytes = (
  input: DownloadInput,
  options: DownloadOptions = {}
): Effect.Effect<Uint8Array, DownloadError, S3.S3> =>
  Effect.map(Stream.runCollect(download(input, options)), (chunks) => {
    const out = new Uint8Array(Chunk.reduce(chunks, 0, (n, c) => n + c.length))
    let offset = 0
    for (const c of chunks) {
      out.set(c, offset)
      offset += c.length
    }
    return out
  })
