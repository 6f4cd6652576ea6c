/**
 * `S3Manager.download` and `downloadFile`: concurrent ranged GETs put back in order, pinned to the
 * ETag of the first response. Nothing a server says is planned from unchecked: the object's size
 * (the first answer's `Content-Range`) must be a whole number no larger than the largest S3 object
 * (`MAX_STORED_OBJECT_SIZE`), ranges are made one at a time as they are fetched (never listed), and
 * every answer must be exactly the range asked for (start, end, the same object size, and a body of
 * that length), or the download fails with a `TransferError`.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
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
type Deliver<E> = (chunks: ReadonlyArray<Uint8Array>, offset: number) => Effect.Effect<void, E, S3.S3>

/** Inclusive byte offsets of a ranged GET in the object. */
type Range = readonly [first: number, last: number]

/**
 * A download once its first GET answered: either one stream (a range that cannot be split, an
 * empty object, a store that ignored the range), or ranged parts from `first` (the GET that
 * answered, its body still unread) to `last`, each fetched and read by `part`, which hands its
 * bytes to `deliver` in batches as they arrive.
 */
type Plan =
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
const rangesOf = (from: number, last: number, size: number): (() => Range | undefined) => {
  let a = from
  return () => {
    if (a > last) return undefined
    const range: Range = [a, Math.min(last, a + size - 1)]
    a = range[1] + 1
    return range
  }
}

/** Bytes a part's reader gathers before handing them on. */
const BATCH = 1024 * 1024

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

const planDownload = (
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

/**
 * A part of an ordered download: the batches it has read and not yet handed on (and their bytes),
 * the bytes it has still to read, the reader waiting for the stream to take what it holds, and,
 * for a part that may not read before its turn, the signal that it is its turn.
 */
interface Slot {
  held: Array<Uint8Array>
  heldBytes: number
  left: number
  taken: (() => void) | undefined
  done: boolean
  readonly turn: Deferred.Deferred<void> | undefined
}

/**
 * Below this share of its time busy, the event loop has room for more connections: a download
 * reading one connection fans out. Over loopback one connection keeps the loop 0.88-1.0 busy; a
 * connection paced to 64 MiB/s (as S3 paces each) about 0.15.
 */
const SPARE = 0.5

/** In one-connection mode, ranges double from `partSize` up to this many times it. */
const MAX_SPAN = 16

/**
 * In one-connection mode, the next range is asked for once the head part has this many bytes left
 * to read. Early enough that its answer, and the first bytes the server sends into the socket
 * meanwhile, are in when its turn comes (over loopback, 32 MiB take ~25 ms; asked for 4 MiB ahead
 * the download was ~5% slower); bounded, so that it waits unread no longer than those bytes take
 * (a server may drop a connection left unread for long: the range is then asked for again).
 */
const LEAD = 32 * BATCH

/**
 * The shortest stretch of the event loop's time worth judging: long enough that a pause of the
 * sender's, or code compiled on first use, does not decide (over loopback, ~12 MiB of one
 * connection; on a link paced to 64 MiB/s, about a batch).
 */
const WINDOW_MS = 10

/**
 * A window on the event loop: once `WINDOW_MS` have passed since it opened, how busy the loop was
 * since (0 to 1; the next window opens then), before that `undefined`. `undefined` itself where the
 * loop cannot be measured (no `performance.eventLoopUtilization`).
 */
const loopWindow = (): (() => number | undefined) | undefined => {
  const clock = globalThis.performance as
    | { now(): number; eventLoopUtilization?: (from?: unknown) => { utilization: number } }
    | undefined
  if (clock?.eventLoopUtilization === undefined) return undefined
  const elu = clock.eventLoopUtilization.bind(clock)
  let from = elu()
  let opened = clock.now()
  return () => {
    if (clock.now() - opened < WINDOW_MS) return undefined
    const busy = elu(from).utilization
    from = elu()
    opened = clock.now()
    return busy
  }
}

/**
 * What the adaptive `download` reads to decide whether to fan out (see `DownloadOptions.adaptive`):
 * called once per download, it returns a reader of how busy the event loop was since the last
 * reading, 0 to 1, or `undefined` while too little time has passed to tell; or no reader at all
 * where the loop cannot be measured (the download then fans out from the start). The default
 * measures Node's event loop over windows of at least 10 ms; provide another to measure something
 * else (or, in tests, to decide).
 */
export class LoopMeter extends Context.Reference<LoopMeter>()("effect-aws-sdk/s3/manager/LoopMeter", {
  defaultValue: (): (() => (() => number | undefined) | undefined) => loopWindow
}) {}

/**
 * The parts of a plan as one ordered stream. Parts are fetched by fibers of the scope (interrupted
 * when it closes), each into a slot of its own; the stream takes whatever the head part's slot
 * holds, so the head part streams straight through while the next ones are read ahead, and when
 * the head part is done the next part is started. A part that fails ends the stream with its
 * error at once, whichever part it is.
 *
 * Fanning out: `concurrency` parts of `partSize` at a time, so at most `concurrency` parts are
 * held. Adaptive, it first reads one range at a time, each twice the last (to `MAX_SPAN` x
 * `partSize`, holding no more than about a part of it), with the next one asked for as the one
 * being read ends (`LEAD`) and read in its turn, once that one is read (its bytes wait in the
 * socket, and no GET waits for a round trip); it fans out once the event loop is seen less than
 * `SPARE` busy over a window (looked at as each batch arrives and as each part ends).
 */
const ordered = (
  plan: Plan,
  adaptive: boolean
): Effect.Effect<Stream.Stream<Uint8Array, DownloadError, S3.S3>, never, S3.S3 | Scope.Scope> =>
  Effect.gen(function* () {
    if (plan.whole !== undefined) return plan.whole
    const scope = yield* Effect.scope
    const slots: Array<Slot | undefined> = []
    let failure: Cause.Cause<DownloadError> | undefined
    let started = 0
    let head = 0
    // the first byte no part has asked for yet
    let next = plan.first[1] + 1
    const busy = adaptive ? (yield* LoopMeter)() : undefined
    let wide = busy === undefined
    // seen busy reading one connection: the next range is asked for as the one being read ends
    let ahead = false
    let span = 2 * plan.partSize
    // the stream's pull, when it waits for the head part (or for a failure)
    let waiting: (() => void) | undefined
    const wake = () => {
      const w = waiting
      waiting = undefined
      w?.()
    }
    const go = (slot: Slot | undefined) => {
      if (slot?.turn !== undefined) Deferred.unsafeDone(slot.turn, Exit.void)
    }
    /** Fans out once the loop is seen to have had time to spare: every part may read from then. */
    const look = () => {
      if (wide || next > plan.last) return
      const share = busy!()
      if (share === undefined) return
      if (share >= SPARE) {
        ahead = true
        return
      }
      wide = true
      for (let i = head; i < started; i++) go(slots[i])
    }
    const start = (range: Range): Effect.Effect<void, never, S3.S3> => {
      const i = started++
      // reading one connection, the next range is asked for early but read in its turn: once the
      // one before it is read
      const before = slots[i - 1]
      const turn =
        wide || before === undefined || before.done ? undefined : Deferred.unsafeMake<void>(FiberId.none)
      const slot: Slot = {
        held: [],
        heldBytes: 0,
        left: range[1] - range[0] + 1,
        taken: undefined,
        done: false,
        turn
      }
      slots[i] = slot
      // a range longer than a part holds no more than about a part: its reader waits for the
      // stream to take what it holds (its socket fills, and the server waits)
      const whenTaken =
        slot.left <= plan.partSize
          ? Effect.void
          : Effect.async<void>((resume) => {
              if (slot.heldBytes <= plan.partSize) return resume(Effect.void)
              slot.taken = () => resume(Effect.void)
            })
      const deliver = (chunks: ReadonlyArray<Uint8Array>) =>
        Effect.suspend(() => {
          let bytes = 0
          for (const c of chunks) {
            slot.held.push(c)
            bytes += c.length
          }
          slot.heldBytes += bytes
          slot.left -= bytes
          if (i === head) wake()
          if (wide) return whenTaken
          // reading one connection: was the loop waiting for the link?
          look()
          return Effect.zipRight(fill, whenTaken)
        })
      return plan.part(range, deliver, turn && Deferred.await(turn)).pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (Exit.isFailure(exit)) {
              if (!Cause.isInterruptedOnly(exit.cause)) failure ??= exit.cause
            } else {
              slot.done = true
              go(slots[i + 1])
            }
            wake()
          })
        ),
        Effect.forkIn(scope),
        Effect.asVoid
      )
    }
    /** Starts parts until as many are running as the mode allows. */
    const fill: Effect.Effect<void, never, S3.S3> = Effect.suspend(() => {
      // one connection: a second range once the one being read has no more than `LEAD` bytes left
      const reading = slots[started - 1]
      const lead = ahead && (reading === undefined || reading.left <= LEAD) ? 2 : 1
      if (next > plan.last || started - head >= Math.min(plan.concurrency, wide ? Infinity : lead)) {
        return Effect.void
      }
      const size = wide ? plan.partSize : span
      if (!wide) span = Math.min(2 * span, MAX_SPAN * plan.partSize)
      const range: Range = [next, Math.min(plan.last, next + size - 1)]
      next = range[1] + 1
      return Effect.zipRight(start(range), fill)
    })
    yield* start(plan.first)
    yield* fill
    const pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<DownloadError>, S3.S3> = Effect.suspend(
      () => {
        if (failure !== undefined) return Effect.failCause(Cause.map(failure, Option.some))
        const slot = slots[head]
        if (slot === undefined) return Effect.fail(Option.none())
        if (slot.held.length > 0) {
          const out = slot.held
          slot.held = []
          slot.heldBytes = 0
          const taken = slot.taken
          slot.taken = undefined
          taken?.()
          return Effect.succeed(Chunk.unsafeFromArray(out))
        }
        if (slot.done) {
          slots[head] = undefined
          head++
          go(slots[head])
          look()
          return Effect.zipRight(fill, pull)
        }
        return Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<DownloadError>, S3.S3>((resume) => {
          waiting = () => resume(pull)
          return Effect.sync(() => {
            waiting = undefined
          })
        })
      }
    )
    return Stream.repeatEffectChunkOption(pull)
  })

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
