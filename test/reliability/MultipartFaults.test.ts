/**
 * The transfer manager under random part faults and random interruption: 100 seeded runs against
 * the in-memory fake S3, each with its own client and connection pool. A run uploads a generated
 * body (one PutObject up to a few dozen small parts; bytes, or a stream with or without its
 * length) while the fake answers some attempts with transient 500/503 (retried by the pipeline),
 * resets, retries-exhausting sequences, permanent 400s or, in interrupted runs, never; some runs are
 * interrupted (`Fiber.interrupt`) or timed out (`Effect.timeout`) when the fake receives a chosen
 * request, before or after that request is answered.
 *
 * After each run exactly one holds: the object is complete and its bytes (and SHA-256) are the
 * source's, or there is no object, no multipart upload pending (ListMultipartUploads is empty)
 * and the fake saw the abort of every upload that was created. A failure is a typed error (never
 * a defect), and no connection stays open on the fake once the run's client is gone. Backoff
 * sleeps run on the `TestClock`, advanced by the driver below; nothing waits on real time for them.
 *
 * The seed is printed; `MULTIPART_FAULTS_SEED=<n>` repeats (or varies) a run.
 */
import { createHash } from "node:crypto"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as Retry from "../../src/Request/Retry.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as S3Manager from "../../src/Services/S3/Manager/index.js"
import { realPause, waitUntil, within } from "../support/Clock.js"
import * as FakeS3 from "../support/FakeS3.js"
import * as Generated from "../support/Generated.js"
import * as LocalServers from "../support/LocalServers.js"
import { seeded } from "../support/Random.js"

const SEED = Number(process.env.MULTIPART_FAULTS_SEED ?? 0x6d7075)
const RUNS = Number(process.env.MULTIPART_FAULTS_RUNS ?? 100)
const KiB = 1024
const Bucket = "faults"
const MAX_ATTEMPTS = 3
/** Sleeps at most this far ahead are retry backoffs (capped at 20 s): the driver skips them. */
const MAX_BACKOFF_MS = 20_000
/** The timeout of timed-out runs, fired by the driver; far beyond any backoff. */
const TIMEOUT = "1 hour"
const TIMEOUT_MS = 3_600_000
/** Beyond what the driver ever moves the clock, so an abort is never cut short by the test. */
const ABORT_TIMEOUT = "2 hours"

type Random = () => number
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const pick = <A>(random: Random, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!

// ---------------------------------------------------------------------------------------------
// Plans.

type FaultKind = "500" | "503" | "reset" | "400" | "hang"

const faultOf: Record<FaultKind, FakeS3.Fault> = {
  "500": { status: 500, code: "InternalError" },
  "503": { status: 503, code: "SlowDown" },
  reset: { reset: true },
  "400": { status: 400, code: "InvalidRequest" },
  hang: { hang: true }
}

const TRANSIENT: ReadonlyArray<FaultKind> = ["500", "503", "reset"]

interface Interruption {
  readonly mode: "interrupt" | "timeout"
  /** The index of the request (counted by the fake from 0) at which it happens. */
  readonly atRequest: number
  /** Whether that request is answered before the interruption is sent, or after. */
  readonly answerFirst: boolean
  /** Real milliseconds between the answer and the interruption, when answered first. */
  readonly pauseMs: number
}

interface Plan {
  readonly run: number
  readonly size: number
  readonly offset: number
  readonly partSize: number
  readonly concurrency: number
  readonly body: "bytes" | "stream" | "stream with length"
  readonly chunk: number
  readonly checksum: S3Manager.TransferChecksum
  /** Faults by part number; part 0 stands for the single PutObject. */
  readonly faults: ReadonlyMap<number, ReadonlyArray<FaultKind>>
  readonly interruption: Interruption | undefined
}

/** A part's attempts: transient faults then success, retries exhausted, a permanent failure, or a hang. */
const faultsFor = (random: Random, interrupted: boolean): ReadonlyArray<FaultKind> => {
  const r = random()
  const transient = () => pick(random, TRANSIENT)
  if (r < 0.6) return Array.from({ length: int(random, 1, MAX_ATTEMPTS - 1) }, transient)
  if (r < 0.75) return Array.from({ length: MAX_ATTEMPTS }, transient)
  if (r < 0.9 || !interrupted) return random() < 0.5 ? ["400"] : [transient(), "400"]
  return random() < 0.5 ? ["hang"] : [transient(), "hang"]
}

const planOf = (random: Random, run: number): Plan => {
  const partSize = int(random, 4, 32) * KiB
  const single = random() < 0.15
  const parts = single ? 0 : int(random, 1, 40)
  const size = single ? int(random, 0, partSize - 1) : (parts - 1) * partSize + int(random, 1, partSize)
  const expectedRequests = single ? 1 : parts + 2
  const interruption: Interruption | undefined =
    random() < 0.4
      ? {
          mode: random() < 0.5 ? "interrupt" : "timeout",
          atRequest: int(random, 0, expectedRequests),
          answerFirst: random() < 0.5,
          pauseMs: int(random, 0, 3)
        }
      : undefined
  const faultRate = pick(random, [0, 0.02, 0.05, 0.1, 0.2])
  const faults = new Map<number, ReadonlyArray<FaultKind>>()
  for (let n = single ? 0 : 1; n <= parts; n++) {
    if (random() < faultRate * (single ? 3 : 1)) faults.set(n, faultsFor(random, interruption !== undefined))
  }
  return {
    run,
    size,
    offset: int(random, 0, 1 << 20),
    partSize,
    concurrency: int(random, 1, 6),
    body: pick(random, ["bytes", "stream", "stream with length"] as const),
    chunk: int(random, 1, 20) * 997,
    checksum: pick(random, ["CRC32", "CRC32", "CRC32C", "SHA256", "none"] as const),
    faults,
    interruption
  }
}

const describePlan = (p: Plan) =>
  `run ${p.run}: ${p.size} bytes (${p.body}, chunks of ${p.chunk}), parts of ${p.partSize}, concurrency ${p.concurrency}, ${p.checksum}; faults ${
    JSON.stringify(Array.from(p.faults.entries())) || "none"
  }; ${
    p.interruption === undefined
      ? "not interrupted"
      : `${p.interruption.mode} at request ${p.interruption.atRequest} (${p.interruption.answerFirst ? "answered first" : "before its answer"})`
  }`

// ---------------------------------------------------------------------------------------------
// One run.

const clientLayer = (endpoint: string) =>
  S3.layer().pipe(
    Layer.provide(LocalServers.s3Session(endpoint, Retry.standard({ maxAttempts: MAX_ATTEMPTS }))),
    Layer.provide(NodeTransport.layer()),
    Layer.orDie
  )

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** The typed failures a run may end with (beyond interruption). */
const TYPED = new Set([
  "MultipartUploadError",
  "TimeoutException",
  "NetworkError",
  "InternalError",
  "SlowDown",
  "InvalidRequest"
])

type Outcome = "complete" | "complete, though interrupted" | "cleaned up"

interface RunResult {
  readonly outcome: Outcome
  readonly ended: string
}

const runOnce = (fake: FakeS3.FakeS3, plan: Plan) =>
  Effect.gen(function* () {
    fake.reset()
    const Key = `object-${plan.run}`
    const source = Generated.bytesAt(plan.offset, plan.size)
    const chunks: Array<Uint8Array> = []
    for (let at = 0; at < source.length; at += plan.chunk) chunks.push(source.subarray(at, at + plan.chunk))
    const Body = plan.body === "bytes" ? source : Stream.fromIterable(chunks)
    const ContentLength = plan.body === "stream with length" ? plan.size : undefined

    for (const [n, kinds] of plan.faults) {
      const list = kinds.map((k) => faultOf[k])
      if (n === 0) fake.faultPut(list)
      else fake.faultPart(n, list)
    }

    // The interruption point: the fake holds the chosen request until the driver has acted.
    let trigger = false
    let release: () => void = () => {}
    const interruption = plan.interruption
    if (interruption !== undefined) {
      fake.beforeAnswer = (index, method, url) => {
        if (trigger) return undefined
        const query = new URL(url, "http://localhost").searchParams
        const n = method === "PUT" && !query.has("uploadId") ? 0 : Number(query.get("partNumber") ?? -1)
        const attempt = n === 0 ? fake.putAttempts() : fake.attempts(n)
        const hangs = plan.faults.get(n)?.[attempt - 1] === "hang"
        if (index !== interruption.atRequest && !hangs) return undefined
        trigger = true
        if (hangs) return undefined
        return new Promise<void>((resolve) => {
          release = resolve
        })
      }
    }

    return yield* Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(clientLayer(fake.endpoint))
        const upload = S3Manager.upload(
          { Bucket, Key, Body, ...(ContentLength === undefined ? {} : { ContentLength }) },
          {
            partSize: plan.partSize,
            minPartSize: 1,
            concurrency: plan.concurrency,
            checksumAlgorithm: plan.checksum,
            abortTimeout: ABORT_TIMEOUT
          }
        )
        const timed = interruption?.mode === "timeout" ? Effect.timeout(upload, TIMEOUT) : upload
        const fiber = yield* Effect.fork(Effect.provide(timed, context))

        // The driver: skips backoff sleeps on the test clock, lets real I/O run otherwise, and
        // interrupts (or fires the timeout) once the fake has reached the chosen request.
        const started = yield* TestClock.currentTimeMillis
        let fired = false
        let exit: Exit.Exit<unknown, unknown> | undefined
        const giveUpAt = Date.now() + 15_000
        while (Date.now() < giveUpAt) {
          const done = yield* Fiber.poll(fiber)
          if (Option.isSome(done)) {
            exit = done.value
            break
          }
          if (trigger && !fired && interruption !== undefined) {
            fired = true
            if (interruption.answerFirst) {
              release()
              yield* realPause(interruption.pauseMs)
            }
            if (interruption.mode === "interrupt") yield* Fiber.interruptFork(fiber)
            else {
              const now = yield* TestClock.currentTimeMillis
              yield* TestClock.adjust(started + TIMEOUT_MS - now)
            }
            release()
            continue
          }
          const now = yield* TestClock.currentTimeMillis
          const due = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter(
            (t) => t - now <= MAX_BACKOFF_MS
          )
          if (due.length > 0) yield* TestClock.adjust(Math.min(...due) - now)
          else yield* realPause(1)
        }
        // the upload is over: later requests (the check below) are not held
        fake.beforeAnswer = undefined
        release()
        if (exit === undefined) {
          const seen = fake.requests.map(
            (r) => `${r.op}${r.partNumber === undefined ? "" : ` ${r.partNumber}`}`
          )
          return yield* Effect.dieMessage(
            `${describePlan(plan)}: the upload never ended (fake answered: ${seen.join(", ")}; received ${fake.received()})`
          )
        }

        const pending = (yield* Effect.provide(S3.listMultipartUploads({ Bucket }), context)).Uploads ?? []
        return { exit, pending }
      })
    ).pipe(
      Effect.flatMap(({ exit, pending }) =>
        Effect.gen(function* () {
          // The run's client is gone: no connection may stay open on the fake.
          const open = yield* waitUntil(() => fake.openSockets() === 0, 3000).pipe(
            Effect.as(0),
            Effect.catchAllDefect(() => Effect.succeed(fake.openSockets()))
          )
          const what = describePlan(plan)
          expect(open, `${what}: connections left open`).toBe(0)
          expect(pending, `${what}: multipart uploads left pending`).toEqual([])
          expect(fake.uploads.size, `${what}: multipart uploads left pending`).toBe(0)

          const stored = fake.objects.get(`${Bucket}/${Key}`)
          const created = fake.requests.filter((r) => r.op === "CreateMultipartUpload").length
          const aborts = fake.requests.filter((r) => r.op === "AbortMultipartUpload").length
          expect(created, what).toBeLessThanOrEqual(1)

          let ended: string
          if (Exit.isSuccess(exit)) {
            ended = "success"
            const out = exit.value as S3Manager.UploadOutput
            expect(out.bytes, what).toBe(plan.size)
            expect(aborts, `${what}: aborted, yet succeeded`).toBe(0)
          } else {
            const defects = Cause.defects(exit.cause)
            expect(Chunk.toReadonlyArray(defects), `${what}: defects`).toEqual([])
            const failure = Cause.failureOption(exit.cause)
            if (Option.isSome(failure)) {
              const error = failure.value as { readonly _tag?: unknown }
              ended = String(error._tag)
              expect(TYPED.has(ended), `${what}: untyped failure ${String(failure.value)}`).toBe(true)
              if (error._tag === "MultipartUploadError") {
                expect((failure.value as S3Manager.MultipartUploadError).aborted, what).toBe(true)
              }
              if (interruption === undefined) {
                expect(ended, `${what}: failed without an interruption`).not.toBe("TimeoutException")
              }
            } else {
              expect(Cause.isInterruptedOnly(exit.cause), `${what}: ${Cause.pretty(exit.cause)}`).toBe(true)
              expect(interruption?.mode, `${what}: interrupted without being asked`).toBe("interrupt")
              ended = "interrupted"
            }
            // a multipart upload that was created and did not finish was aborted, once
            if (created === 1 && stored === undefined) expect(aborts, `${what}: no abort seen`).toBe(1)
          }

          if (stored !== undefined) {
            // a complete object, byte for byte
            expect(stored.body.length, what).toBe(plan.size)
            expect(Buffer.compare(stored.body, Buffer.from(source)), `${what}: bytes differ`).toBe(0)
            expect(sha256(stored.body), what).toBe(sha256(source))
            if (!Exit.isSuccess(exit)) {
              // the store committed the object before the interruption reached the client
              expect(interruption, `${what}: an object was stored, yet the upload failed`).toBeDefined()
              return { outcome: "complete, though interrupted", ended } satisfies RunResult
            }
            return { outcome: "complete", ended } satisfies RunResult
          }
          expect(Exit.isSuccess(exit), `${what}: succeeded, yet no object`).toBe(false)
          return { outcome: "cleaned up", ended } satisfies RunResult
        })
      )
    )
  })

// ---------------------------------------------------------------------------------------------
// The gap the random runs found: an interruption that arrives while CreateMultipartUpload is in
// flight (it runs uninterruptibly, so the upload is created) used to land right after it, before
// the abort guard was in place, and left the upload behind. Both users of the guard are checked.

const interruptedDuringCreate = <A, E>(fake: FakeS3.FakeS3, transfer: Effect.Effect<A, E, S3.S3>) =>
  Effect.scoped(
    Effect.gen(function* () {
      let held: (() => void) | undefined
      fake.beforeAnswer = (_index, method, url) => {
        if (method !== "POST" || !new URL(url, "http://localhost").searchParams.has("uploads"))
          return undefined
        return new Promise<void>((resolve) => {
          held = resolve
        })
      }
      const context = yield* Layer.build(clientLayer(fake.endpoint))
      const fiber = yield* Effect.fork(Effect.provide(transfer, context))
      yield* waitUntil(
        () => held !== undefined,
        10_000,
        "the CreateMultipartUpload request reaching the fake"
      )
      const interrupted = yield* Effect.fork(Fiber.interrupt(fiber))
      // let the interruption reach the fiber while it waits for CreateMultipartUpload, then answer
      yield* realPause(20)
      fake.beforeAnswer = undefined
      held?.()
      const exit = yield* Fiber.join(interrupted).pipe(
        within(
          20_000,
          "the end of the transfer interrupted during CreateMultipartUpload (its abort included)"
        )
      )
      const pending = (yield* Effect.provide(S3.listMultipartUploads({ Bucket }), context)).Uploads ?? []
      return { exit, pending }
    })
  )

describe("an interruption while CreateMultipartUpload is in flight", () => {
  it.effect("upload: the upload it created is aborted, nothing left", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const fake = yield* FakeS3.make
        const { exit, pending } = yield* interruptedDuringCreate(
          fake,
          S3Manager.upload(
            { Bucket, Key: "during-create", Body: Generated.bytesAt(0, 100 * KiB) },
            { partSize: 16 * KiB, minPartSize: 1 }
          )
        )
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(fake.requests.filter((r) => r.op === "CreateMultipartUpload").length).toBe(1)
        expect(fake.requests.filter((r) => r.op === "UploadPart").length).toBe(0)
        expect(fake.requests.filter((r) => r.op === "AbortMultipartUpload").length).toBe(1)
        expect(pending).toEqual([])
        expect(fake.objects.has(`${Bucket}/during-create`)).toBe(false)
      })
    )
  )

  it.effect("copyObject in parts: the upload it created is aborted, nothing left", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const fake = yield* FakeS3.make
        fake.put(Bucket, "copy-source", Generated.bytesAt(0, 100 * KiB))
        const { exit, pending } = yield* interruptedDuringCreate(
          fake,
          S3Manager.copyObject(
            { Bucket, Key: "copy-target", CopySource: { Bucket, Key: "copy-source" } },
            { multipartThreshold: 16 * KiB, partSize: 16 * KiB, minPartSize: 1 }
          )
        )
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(fake.requests.filter((r) => r.op === "CreateMultipartUpload").length).toBe(1)
        expect(fake.requests.filter((r) => r.op === "UploadPartCopy").length).toBe(0)
        expect(fake.requests.filter((r) => r.op === "AbortMultipartUpload").length).toBe(1)
        expect(pending).toEqual([])
        expect(fake.objects.has(`${Bucket}/copy-target`)).toBe(false)
      })
    )
  )
})

// ---------------------------------------------------------------------------------------------

describe("multipart upload under random part faults and interruption", () => {
  const tally = new Map<string, number>()
  afterAll(() => {
    console.log(`\nmultipart faults: seed ${SEED} (MULTIPART_FAULTS_SEED), ${RUNS} runs`)
    console.table(
      Array.from(tally.entries())
        .sort()
        .map(([k, runs]) => ({ outcome: k.split(" | ")[0], ended: k.split(" | ")[1], runs }))
    )
  })

  it.effect(
    `${RUNS} seeded runs: a complete matching object, or nothing left behind`,
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          console.log(`multipart faults: seed ${SEED}`)
          const fake = yield* FakeS3.make
          const random = seeded(SEED)
          const outcomes: Record<Outcome, number> = {
            complete: 0,
            "complete, though interrupted": 0,
            "cleaned up": 0
          }
          for (let run = 0; run < RUNS; run++) {
            const plan = planOf(random, run)
            if (process.env.MULTIPART_FAULTS_VERBOSE !== undefined) console.log(describePlan(plan))
            const result = yield* runOnce(fake, plan)
            outcomes[result.outcome]++
            const key = `${result.outcome} | ${result.ended}`
            tally.set(key, (tally.get(key) ?? 0) + 1)
          }
          // the seed's mix exercises both ends
          expect(outcomes.complete).toBeGreaterThan(0)
          expect(outcomes["cleaned up"]).toBeGreaterThan(0)
        })
      ),
    { timeout: 120_000 }
  )
})
