/**
 * Planning a download: the options checked, the first ranged GET made, and what it answered
 * (`Content-Range`, ETag) made into a plan: one stream, or ranged parts pinned to the first ETag,
 * each fetched and checked to be exactly the range asked for. Nothing a server says is planned
 * from unchecked: the object's size must be a whole number no larger than the largest S3 object
 * (`MAX_STORED_OBJECT_SIZE`), and ranges are made one at a time as they are fetched (never
 * listed). `Download` runs a plan as a stream or into a file.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Body from "../../../Request/Body.js"
import { isServiceError, NetworkError, RequestTimeout } from "../../../Request/Errors.js"
import * as S3 from "../index.js"
import { InvalidTransferOptions, ObjectChanged, TransferError } from "./Errors.js"
import * as Parts from "./Parts.js"

/** What to download: the object (a version of it, a range of it) and how to read it. */
export type DownloadInput = Pick<
  S3.GetObjectRequest,
  | "Bucket"
  | "Key"
  | "Range"
  | "VersionId"
  | "IfMatch"
  | "SSECustomerAlgorithm"
  | "SSECustomerKey"
  | "SSECustomerKeyMD5"
  | "RequestPayer"
  | "ExpectedBucketOwner"
>

/** Bytes received so far. */
export interface DownloadProgress {
  readonly bytesReceived: number
  readonly totalBytes: number
}

export interface DownloadOptions {
  /** Bytes per ranged GET (default 8 MiB). */
  readonly partSize?: number | undefined
  /** GETs in flight at once, at most (default 4). Memory is about `partSize x concurrency`. */
  readonly concurrency?: number | undefined
  /**
   * `download` only (default `true`): fan out to `concurrency` GETs only once the event loop is
   * seen to have time to spare. Until then the download reads one connection, in ranges that double
   * from `partSize` up to 16 times it (the next range asked for as one ends, its bytes left in the
   * socket until its turn). A connection that keeps the process busy on its own (a fast link, or a
   * consumer with work of its own) gains nothing from more connections, and each one adds work. A
   * link that limits each connection, as S3 does, leaves the loop idle while the first batches
   * arrive, so the download fans out within about 10-20 ms. `false`: `concurrency` GETs from the
   * start (for a process kept busy by other work, where a busy loop says nothing about the link).
   * Where the loop cannot be measured (no `performance.eventLoopUtilization`), as `false`.
   */
  readonly adaptive?: boolean | undefined
  /** Called as each part arrives. */
  readonly onProgress?: ((progress: DownloadProgress) => Effect.Effect<void>) | undefined
}

/** Every way a download can fail. */
export type DownloadError = S3.GetObjectError | ObjectChanged | TransferError | InvalidTransferOptions

/** What a download found out about the object. */
export interface DownloadInfo {
  /** The ETag every part was pinned to. */
  readonly ETag: string | undefined
  /** Bytes the download delivers (the range's length, or the object's). */
  readonly bytes: number
  /** The object's size. */
  readonly objectSize: number
  readonly ContentType: string | undefined
  readonly VersionId: string | undefined
  readonly LastModified: Date | undefined
}

/** Hands a batch of a part on; `offset` is where its first byte sits in the download. */
export type Deliver<E> = (chunks: ReadonlyArray<Uint8Array>, offset: number) => Effect.Effect<void, E, S3.S3>

/** Inclusive byte offsets of a ranged GET in the object. */
export type Range = readonly [first: number, last: number]

/**
 * A download once its first GET answered: either one stream (a range that cannot be split, an
 * empty object, a store that ignored the range), or ranged parts from `first` (the GET that
 * answered, its body still unread) to `last`, each fetched and read by `part`, which hands its
 * bytes to `deliver` in batches as they arrive.
 */
export type Plan =
  | { readonly info: DownloadInfo; readonly whole: Stream.Stream<Uint8Array, DownloadError> }
  | {
      readonly info: DownloadInfo
      readonly whole?: undefined
      readonly first: Range
      readonly last: number
      readonly partSize: number
      readonly concurrency: number
      readonly part: <E>(
        range: Range,
        deliver: Deliver<E>,
        turn?: Effect.Effect<void>
      ) => Effect.Effect<void, DownloadError | E, S3.S3>
    }

/**
 * `[from, last]` cut into ranges of `size`, one at a time as they are asked for: however large the
 * object, no list of its ranges is ever held.
 */
export const rangesOf = (from: number, last: number, size: number): (() => Range | undefined) => {
  let a = from
  return () => {
    if (a > last) return undefined
    const range: Range = [a, Math.min(last, a + size - 1)]
    a = range[1] + 1
    return range
  }
}

/** Bytes a part's reader gathers before handing them on. */
export const BATCH = 1024 * 1024

/** `bytes=a-b` or `bytes=a-`; other forms (suffixes, several ranges) are fetched in one GET. */
const parseRange = (range: string | undefined): { start: number; end: number | undefined } | undefined => {
  if (range === undefined) return { start: 0, end: undefined }
  const m = /^bytes=(\d+)-(\d*)$/.exec(range.trim())
  if (m === null) return undefined
  return { start: Number(m[1]), end: m[2] === "" ? undefined : Number(m[2]) }
}

/** A response's `Content-Range`: the bytes it carries (none in the `bytes *` form) and the object's size. */
interface ContentRange {
  readonly range: Range | undefined
  readonly total: number
}

/**
 * `bytes a-b/n` (or `bytes *` and a size) checked: whole numbers, `a <= b < n`, and `n` no larger than the
 * largest object S3 can hold (`Parts.MAX_STORED_OBJECT_SIZE`); otherwise a sentence saying what is
 * wrong. `undefined` when the header is absent.
 */
const contentRangeOf = (header: string | undefined): ContentRange | string | undefined => {
  if (header === undefined) return undefined
  const quoted = JSON.stringify(header.length > 80 ? `${header.slice(0, 80)}...` : header)
  const m = /^bytes (?:(\d{1,16})-(\d{1,16})|\*)\/(\d{1,16})$/.exec(header.trim())
  if (m === null) return `Content-Range ${quoted} is not of the form bytes first-last/size`
  const total = Number(m[3])
  if (total > Parts.MAX_STORED_OBJECT_SIZE) {
    return `Content-Range ${quoted} gives a size larger than any S3 object (at most ${Parts.MAX_STORED_OBJECT_SIZE} bytes)`
  }
  // an empty object has no bytes to range over (s3rver answers one with `bytes 0-0/0`)
  if (m[1] === undefined || total === 0) return { range: undefined, total }
  const range: Range = [Number(m[1]), Number(m[2])]
  if (range[0] > range[1] || range[1] >= total) {
    return `Content-Range ${quoted} is not a range within the object`
  }
  return { range, total }
}

const isStatus = (e: unknown, status: number): boolean => isServiceError(e) && e.statusCode === status

export const planDownload = (
  input: DownloadInput,
  options: DownloadOptions
): Effect.Effect<Plan, DownloadError, S3.S3 | Scope.Scope> =>
  Effect.gen(function* () {
    const partSize = options.partSize ?? Parts.DEFAULT_PART_SIZE
    const concurrency = options.concurrency ?? 4
    if (
      !(Number.isSafeInteger(partSize) && partSize >= 1) ||
      !(Number.isSafeInteger(concurrency) && concurrency >= 1)
    ) {
      return yield* new InvalidTransferOptions({
        message: `partSize and concurrency must be positive integers (got ${partSize} and ${concurrency})`
      })
    }
    const { Range: _range, ...base } = input
    const transferError = (message: string) =>
      new TransferError({ bucket: input.Bucket, key: input.Key, message })
    const range = parseRange(input.Range)
    const infoOf = (out: S3.GetObjectOutput, bytes: number, objectSize: number): DownloadInfo => ({
      ETag: out.ETag,
      bytes,
      objectSize,
      ContentType: out.ContentType,
      VersionId: out.VersionId,
      LastModified: out.LastModified
    })

    // A range we cannot split, or an empty object (a ranged GET of it is refused with 416): one GET.
    const whole = (rangeHeader: string | undefined) =>
      Effect.flatMap(
        S3.getObject({ ...base, ...(rangeHeader === undefined ? {} : { Range: rangeHeader }) }),
        (out) => {
          const size = out.ContentLength ?? 0
          const cr = contentRangeOf(out.ContentRange)
          if (typeof cr === "string") return Effect.fail(transferError(`GetObject answered a ${cr}`))
          const plan: Plan = {
            info: infoOf(out, size, cr?.total ?? size),
            whole: out.Body ?? Stream.empty
          }
          return Effect.succeed(plan)
        }
      )
    if (range === undefined) return yield* whole(input.Range)

    const firstEnd = range.start + partSize - 1
    const firstRange = `bytes=${range.start}-${range.end === undefined ? firstEnd : Math.min(range.end, firstEnd)}`
    const opened = yield* S3.getObject({ ...base, Range: firstRange }).pipe(
      Effect.map((out) => ({ out, empty: false })),
      Effect.catchIf(
        (e) => isStatus(e, 416) && range.start === 0 && input.IfMatch === undefined,
        () => Effect.succeed({ out: undefined, empty: true })
      )
    )
    if (opened.out === undefined) return yield* whole(undefined)
    const out = opened.out
    const firstRange_ = contentRangeOf(out.ContentRange)
    if (typeof firstRange_ === "string") {
      return yield* transferError(`the ranged GET (${firstRange}) was answered with a ${firstRange_}`)
    }
    const objectSize = firstRange_?.total
    if (objectSize === undefined) {
      // The store ignored the range and sent the whole object.
      if (range.start !== 0 || range.end !== undefined) {
        return yield* transferError(`the ranged GET (${firstRange}) was answered without a Content-Range`)
      }
      const size = out.ContentLength ?? 0
      return { info: infoOf(out, size, size), whole: out.Body ?? Stream.empty }
    }
    const last = range.end === undefined ? objectSize - 1 : Math.min(range.end, objectSize - 1)
    const totalBytes = Math.max(0, last - range.start + 1)
    // nothing in range (an empty object whose store answered the ranged GET with a 206)
    if (totalBytes === 0) return { info: infoOf(out, 0, objectSize), whole: Stream.empty }
    const etag = out.ETag
    const first: Range = [range.start, Math.min(last, range.start + partSize - 1)]
    // the first answer carries exactly the range asked for (as the object's size cuts it)
    const answered = firstRange_?.range
    if (answered === undefined || answered[0] !== first[0] || answered[1] !== first[1]) {
      return yield* transferError(
        `the ranged GET (${firstRange}) was answered with Content-Range ${out.ContentRange}, not bytes ${first[0]}-${first[1]}/${objectSize}`
      )
    }
    // more parts must come from the same version: pinned by the ETag, unless the input pins them
    if (
      first[1] < last &&
      (etag === undefined || etag === "") &&
      input.IfMatch === undefined &&
      input.VersionId === undefined
    ) {
      return yield* transferError(
        `the ranged GET (${firstRange}) was answered without an ETag: the other parts cannot be pinned to the same version of the object`
      )
    }

    let received = 0
    const report = (n: number) => {
      received += n
      return options.onProgress === undefined
        ? Effect.void
        : options.onProgress({ bytesReceived: received, totalBytes })
    }
    /**
     * Reads a part's body in batches of about `BATCH` bytes, straight from the transport's reader
     * (`Body.batches`): no `Stream` runs per part, and the chunks are handed on as they came off
     * the socket, never copied. One hand-off per batch rather than one per 64 KiB socket chunk.
     */
    const pump = <E>(
      body: Stream.Stream<Uint8Array, S3.GetObjectError> | undefined,
      [a, b]: Range,
      deliver: Deliver<E>
    ) =>
      Effect.flatMap(Body.batches(body), (read) => {
        const expected = b - a + 1
        let n = 0
        const step: Effect.Effect<void, DownloadError | E, S3.S3> = Effect.flatMap(read(BATCH), (chunks) => {
          if (chunks === undefined) {
            return n === expected
              ? Effect.void
              : Effect.fail(transferError(`bytes=${a}-${b} gave ${n} bytes instead of ${expected}`))
          }
          let bytes = 0
          for (const c of chunks) bytes += c.length
          const offset = a - range.start + n
          n += bytes
          if (n > expected) {
            return Effect.fail(transferError(`bytes=${a}-${b} gave more than ${expected} bytes`))
          }
          const delivered = deliver(chunks, offset)
          return Effect.zipRight(
            options.onProgress === undefined ? delivered : Effect.zipRight(delivered, report(bytes)),
            step
          )
        })
        return step
      })
    /**
     * Fetches a range; with a `turn`, its body is read once the turn is done (until then it waits
     * in the socket), and if its connection was dropped or timed out while it waited (a server may
     * drop one left unread), before any of it was handed on, it is asked for once more.
     */
    /** A part's answer must be the range asked for, of an object the size of the first answer's. */
    const checkPart = (r: Range, header: string | undefined): Effect.Effect<void, TransferError> => {
      const cr = contentRangeOf(header)
      if (cr === undefined || typeof cr === "string") {
        return Effect.fail(
          transferError(
            `GetObject bytes=${r[0]}-${r[1]} was answered ${cr === undefined ? "without a Content-Range" : `with a ${cr}`}`
          )
        )
      }
      if (cr.range === undefined || cr.range[0] !== r[0] || cr.range[1] !== r[1] || cr.total !== objectSize) {
        return Effect.fail(
          transferError(
            `GetObject bytes=${r[0]}-${r[1]} was answered with Content-Range ${header}, not bytes ${r[0]}-${r[1]}/${objectSize}: not the range asked for`
          )
        )
      }
      return Effect.void
    }
    const part = <E>(
      r: Range,
      deliver: Deliver<E>,
      turn?: Effect.Effect<void>
    ): Effect.Effect<void, DownloadError | E, S3.S3> => {
      // the first part's response is the one already open, in the download's scope
      if (r === first) return Effect.scoped(pump(out.Body, r, deliver))
      const header = `bytes=${r[0]}-${r[1]}`
      let handedOn = false
      const counted: Deliver<E> = (chunks, offset) => {
        handedOn = true
        return deliver(chunks, offset)
      }
      const fetch = (wait: Effect.Effect<void>) =>
        Effect.scoped(
          S3.getObject({ ...base, Range: header, ...(etag === undefined ? {} : { IfMatch: etag }) }).pipe(
            Effect.tap((got) => Effect.zipRight(checkPart(r, got.ContentRange), wait)),
            Effect.flatMap((got) => pump(got.Body, r, counted))
          )
        )
      const fetched =
        turn === undefined
          ? fetch(Effect.void)
          : Effect.catchIf(
              fetch(turn),
              (e) => (e instanceof NetworkError || e instanceof RequestTimeout) && !handedOn,
              () => fetch(turn)
            )
      return Effect.catchIf(
        fetched,
        (e) => isStatus(e, 412),
        (cause) =>
          Effect.fail(
            new ObjectChanged({
              bucket: input.Bucket,
              key: input.Key,
              etag: etag ?? "",
              range: header,
              cause
            })
          )
      )
    }
    return { info: infoOf(out, totalBytes, objectSize), first, last, partSize, concurrency, part }
  })
