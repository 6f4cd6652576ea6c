/**
 * The parts of a download plan as one ordered stream: parts fetched by fibers of the scope, each
 * into a slot of its own, the head part streamed straight through while the next ones are read
 * ahead; adaptive, one connection in doubling ranges until the event loop is seen to have time
 * to spare (`LoopMeter`), then `concurrency` at a time.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as S3 from "../index.js"
import { BATCH, type DownloadError, type Plan, type Range } from "./DownloadPlan.js"
import { LoopMeter } from "./LoopMeter.js"

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
 * reading one connection fans out. It lies well between a loop kept busy by one fast connection
 * and one waiting on a paced link, as S3 paces each connection.
 */
const SPARE = 0.5

/** In one-connection mode, ranges double from `partSize` up to this many times it. */
const MAX_SPAN = 16

/**
 * In one-connection mode, the next range is asked for once the head part has this many bytes left
 * to read. Early enough that its answer, and the first bytes the server sends into the socket
 * meanwhile, are in when its turn comes (asked for later, the download was slower); bounded, so
 * that it waits unread no longer than those bytes take
 * (a server may drop a connection left unread for long: the range is then asked for again).
 */
const LEAD = 32 * BATCH

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
export const ordered = (
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
