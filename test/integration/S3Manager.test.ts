/**
 * The transfer manager end to end: real round trips against s3rver, and failure, interruption
 * and bookkeeping against the in-memory fake S3 (s3rver implements neither AbortMultipartUpload
 * nor ListMultipartUploads, nor If-Match or UploadPartCopy). After every failed or interrupted
 * upload, ListMultipartUploads shows nothing left behind.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Checksums from "../../src/Request/Checksums.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as Retry from "../../src/Request/Retry.js"
import { Transport } from "../../src/Request/Transport.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as S3Manager from "../../src/Services/S3/Manager/index.js"
import * as Session from "../../src/Session/Session.js"
import { runDriven, waitUntil } from "../support/Clock.js"
import * as FakeS3 from "../support/FakeS3.js"
import * as Generated from "../support/Generated.js"
import * as LocalServers from "../support/LocalServers.js"

const KiB = 1024
const MiB = 1024 * KiB

const sessionLayer = (endpoint: string, retry?: Retry.RetryPolicy) =>
  Layer.effect(
    Session.Session,
    Effect.map(Transport, (transport) =>
      Session.make({
        region: "us-east-1",
        endpoint,
        credentials: Credentials.fromStatic(
          Credentials.make({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" })
        ),
        transport,
        s3: { forcePathStyle: true },
        requestChecksumCalculation: "when_required",
        ...(retry === undefined ? {} : { retry })
      })
    )
  )

const S3rverEnv = Layer.unwrapScoped(
  Effect.map(LocalServers.s3rver, (server) => S3.layer().pipe(Layer.provide(sessionLayer(server.endpoint))))
).pipe(Layer.provide(NodeTransport.layer()), Layer.merge(NodeFileSystem.layer))

class Fake extends Effect.Tag("test/FakeS3")<Fake, FakeS3.FakeS3>() {}

const FakeEnv = Layer.unwrapScoped(
  Effect.map(FakeS3.make, (fake) =>
    Layer.merge(
      S3.layer().pipe(Layer.provide(sessionLayer(fake.endpoint, Retry.standard({ maxAttempts: 3 })))),
      Layer.succeed(Fake, fake)
    )
  )
).pipe(Layer.provide(NodeTransport.layer()), Layer.merge(NodeFileSystem.layer))

const text = (s: string) => new TextEncoder().encode(s)

const readAll = (input: S3Manager.DownloadInput, options?: S3Manager.DownloadOptions) =>
  S3Manager.downloadBytes(input, options)

/** Every multipart upload still open in the bucket. */
const openUploads = (Bucket: string) =>
  Effect.map(S3.listMultipartUploads({ Bucket }), (out) => out.Uploads ?? [])

/** Chunks of random sizes (1 byte to 100 KiB), from a seeded generator. */
const jagged = (total: number, seed = 7): Stream.Stream<Uint8Array> => {
  let x = seed
  return Stream.unfold(0, (offset) => {
    if (offset >= total) return Option.none()
    x = (x * 1103515245 + 12345) >>> 0
    const n = Math.min(total - offset, 1 + (x % (100 * KiB)))
    return Option.some([Generated.bytesAt(offset, n), offset + n] as const)
  })
}

describe("S3Manager against s3rver", () => {
  layer(S3rverEnv, { timeout: "300 seconds" })((it) => {
    const Bucket = "manager"
    it.effect("setup", () => S3.createBucket({ Bucket }))

    it.effect("1 byte: one PutObject, read back", () =>
      Effect.gen(function* () {
        const out = yield* S3Manager.upload({ Bucket, Key: "one-byte", Body: new Uint8Array([42]) })
        expect(out.parts).toBe(0)
        expect(out.UploadId).toBeUndefined()
        expect(out.bytes).toBe(1)
        expect(Array.from(yield* readAll({ Bucket, Key: "one-byte" }))).toEqual([42])
      })
    )

    it.effect("a string body and an empty stream", () =>
      Effect.gen(function* () {
        yield* S3Manager.upload({ Bucket, Key: "string", Body: "héllo", ContentType: "text/plain" })
        expect(new TextDecoder().decode(yield* readAll({ Bucket, Key: "string" }))).toBe("héllo")
        const empty = yield* S3Manager.upload({ Bucket, Key: "empty", Body: Stream.empty })
        expect(empty.parts).toBe(0)
        expect((yield* readAll({ Bucket, Key: "empty" })).length).toBe(0)
      })
    )

    it.effect("exactly one part (a body of exactly partSize) is a one-part multipart upload", () =>
      Effect.gen(function* () {
        const body = Generated.bytesAt(0, 5 * MiB)
        const out = yield* S3Manager.upload({ Bucket, Key: "one-part", Body: body }, { partSize: 5 * MiB })
        expect(out.parts).toBe(1)
        expect(out.UploadId).toBeDefined()
        const back = yield* Generated.compare(
          S3Manager.download({ Bucket, Key: "one-part" }, { partSize: MiB })
        )
        expect(back).toEqual({ bytes: 5 * MiB, firstDifference: -1 })
      })
    )

    it.effect("10,000 parts exactly, and one byte more grows the part size to stay within 10,000", () =>
      Effect.gen(function* () {
        const options = { partSize: KiB, minPartSize: 1, concurrency: 16 }
        const exact = yield* S3Manager.upload(
          { Bucket, Key: "ten-thousand", Body: Generated.bytesAt(0, 10_000 * KiB) },
          options
        )
        expect(exact.parts).toBe(10_000)
        const more = yield* S3Manager.upload(
          {
            Bucket,
            Key: "ten-thousand-and-one",
            Body: Generated.stream(10_000 * KiB + 1, 4 * KiB),
            ContentLength: 10_000 * KiB + 1
          },
          options
        )
        expect(more.parts).toBeLessThanOrEqual(10_000)
        expect(more.parts).toBe(5001) // parts of 2 KiB (the grown size, rounded up to a KiB)
        const back = yield* Generated.compare(
          S3Manager.download({ Bucket, Key: "ten-thousand-and-one" }, { partSize: 64 * KiB, concurrency: 8 })
        )
        expect(back).toEqual({ bytes: 10_000 * KiB + 1, firstDifference: -1 })
      })
    )

    it.effect("streams of unknown length: under a part, one part and a remainder, many parts", () =>
      Effect.gen(function* () {
        const sizes = [1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 1 * MiB + 12345]
        for (const size of sizes) {
          const Key = `unknown-${size}`
          const out = yield* S3Manager.upload(
            { Bucket, Key, Body: jagged(size) },
            { partSize: 64 * KiB, minPartSize: 1, concurrency: 3 }
          )
          expect(out.bytes).toBe(size)
          expect(out.parts).toBe(size < 64 * KiB ? 0 : Math.ceil(size / (64 * KiB)))
          const back = yield* Generated.compare(S3Manager.download({ Bucket, Key }, { partSize: 100 * KiB }))
          expect(back).toEqual({ bytes: size, firstDifference: -1 })
        }
      })
    )

    it.effect("a stream of unknown length doubles its part size every 900 parts", () =>
      Effect.gen(function* () {
        const size = 3 * MiB
        const out = yield* S3Manager.upload(
          { Bucket, Key: "growing", Body: Generated.stream(size, 3000) },
          { partSize: KiB, minPartSize: 1, concurrency: 16 }
        )
        // 900 parts of 1 KiB, 900 of 2 KiB, then 93 parts of 4 KiB for the last 372 KiB
        expect(out.parts).toBe(1893)
        const back = yield* Generated.compare(S3Manager.download({ Bucket, Key: "growing" }))
        expect(back).toEqual({ bytes: size, firstDifference: -1 })
      })
    )

    it.effect("a file body, and a download to a file", () =>
      Effect.gen(function* () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manager-"))
        const source = path.join(dir, "source.bin")
        fs.writeFileSync(source, Generated.bytesAt(0, 3 * MiB + 7))
        const out = yield* S3Manager.upload(
          { Bucket, Key: "from-file", Body: S3Manager.file(source) },
          { partSize: MiB, minPartSize: 1 }
        )
        expect(out.parts).toBe(4)
        const target = path.join(dir, "target.bin")
        const written = yield* S3Manager.downloadFile({ Bucket, Key: "from-file" }, target, {
          partSize: 512 * KiB
        })
        expect(written.bytes).toBe(3 * MiB + 7)
        expect(Buffer.compare(fs.readFileSync(target), fs.readFileSync(source))).toBe(0)
        expect(fs.readdirSync(dir).sort()).toEqual(["source.bin", "target.bin"])
        fs.rmSync(dir, { recursive: true, force: true })
      })
    )

    it.effect("ranges: bytes=a-b and bytes=a- over several parts", () =>
      Effect.gen(function* () {
        yield* S3Manager.upload({ Bucket, Key: "ranged", Body: Generated.bytesAt(0, 300 * KiB) })
        const mid = yield* readAll(
          { Bucket, Key: "ranged", Range: "bytes=1000-250000" },
          { partSize: 64 * KiB }
        )
        expect(Buffer.compare(Buffer.from(mid), Buffer.from(Generated.bytesAt(1000, 249_001)))).toBe(0)
        const tail = yield* readAll({ Bucket, Key: "ranged", Range: "bytes=200000-" }, { partSize: 10 * KiB })
        expect(
          Buffer.compare(Buffer.from(tail), Buffer.from(Generated.bytesAt(200_000, 300 * KiB - 200_000)))
        ).toBe(0)
      })
    )

    it.effect(
      "256 MiB round trip: a generated stream up, a concurrent ranged download back, byte for byte and SHA-256",
      () =>
        Effect.gen(function* () {
          const size = 256 * MiB
          const sent = Checksums.hasher("SHA256")
          const body = Generated.stream(size, 256 * KiB).pipe(
            Stream.tap((c) => Effect.sync(() => sent.update(c)))
          )
          const out = yield* S3Manager.upload({ Bucket, Key: "big", Body: body })
          expect(out.parts).toBe(32)
          expect(out.bytes).toBe(size)
          expect(out.checksum?.algorithm).toBe("CRC32")
          const received = Checksums.hasher("SHA256")
          const back = yield* Generated.compare(
            S3Manager.download({ Bucket, Key: "big" }, { partSize: 8 * MiB, concurrency: 4 }).pipe(
              Stream.tap((c) => Effect.sync(() => received.update(c)))
            )
          )
          expect(back).toEqual({ bytes: size, firstDifference: -1 })
          expect(Buffer.from(received.digest()).toString("hex")).toBe(
            Buffer.from(sent.digest()).toString("hex")
          )
        }),
      { timeout: 240_000 }
    )

    it.effect("deleteObjects and a small copyObject", () =>
      Effect.gen(function* () {
        for (let i = 0; i < 5; i++) yield* S3.putObject({ Bucket, Key: `del/${i}`, Body: text(`x${i}`) })
        const copied = yield* S3Manager.copyObject({
          Bucket,
          Key: "del/copy",
          CopySource: { Bucket, Key: "del/0" }
        })
        expect(copied.parts).toBe(0)
        expect(new TextDecoder().decode(yield* readAll({ Bucket, Key: "del/copy" }))).toBe("x0")
        // s3rver sometimes answers concurrent DeleteObjects with a transient error: the retry's
        // backoff runs on the TestClock, driven here
        const context = yield* Effect.context<S3.S3>()
        const { exit } = yield* runDriven(
          Effect.provide(
            S3Manager.deleteObjects(Stream.make("del/0", "del/1", "del/2", "del/3", "del/4", "del/copy"), {
              Bucket,
              batchSize: 4
            }),
            context
          )
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        if (!Exit.isSuccess(exit)) return
        expect(exit.value.requests).toBe(2)
        expect(exit.value.errors).toEqual([])
        expect(exit.value.deleted.map((d) => d.Key).sort()).toEqual(
          ["del/0", "del/1", "del/2", "del/3", "del/4", "del/copy"].sort()
        )
      })
    )
  })
})

describe("S3Manager against a fake S3 (faults, interruption, bookkeeping)", () => {
  layer(FakeEnv, { timeout: "120 seconds" })((it) => {
    const Bucket = "fake"
    const small = { partSize: 64 * KiB, minPartSize: 1, concurrency: 4 }

    it.effect("default CRC32 part checksums; the composite checksum S3 reports matches", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        const out = yield* S3Manager.upload(
          { Bucket, Key: "crc", Body: Generated.bytesAt(0, 200 * KiB) },
          small
        )
        expect(out.parts).toBe(4)
        expect(out.checksumVerified).toBe(true)
        expect(out.checksum?.value).toMatch(/-4$/)
        expect(out.output.ChecksumCRC32).toBe(out.checksum?.value)
        const parts = fake.requests.filter((r) => r.op === "UploadPart")
        expect(parts.every((r) => typeof r.headers["x-amz-checksum-crc32"] === "string")).toBe(true)
        expect(parts.every((r) => r.headers["x-amz-content-sha256"] === "UNSIGNED-PAYLOAD")).toBe(true)
        expect(
          fake.requests.find((r) => r.op === "CreateMultipartUpload")?.headers["x-amz-checksum-algorithm"]
        ).toBe("CRC32")
      })
    )

    it.effect("CRC32C, SHA256 and none; a single PutObject checks its plain checksum", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        for (const algorithm of ["CRC32C", "SHA256"] as const) {
          fake.reset()
          const out = yield* S3Manager.upload(
            { Bucket, Key: algorithm, Body: Generated.bytesAt(0, 150 * KiB) },
            { ...small, checksumAlgorithm: algorithm }
          )
          expect(out.checksumVerified).toBe(true)
          expect(out.checksum?.algorithm).toBe(algorithm)
        }
        fake.reset()
        const none = yield* S3Manager.upload(
          { Bucket, Key: "none", Body: Generated.bytesAt(0, 150 * KiB) },
          { ...small, checksumAlgorithm: "none" }
        )
        expect(none.checksum).toBeUndefined()
        expect(
          fake.requests.some((r) => Object.keys(r.headers).some((h) => h.startsWith("x-amz-checksum")))
        ).toBe(false)
        // without a checksum the part payloads are signed
        expect(
          fake.requests
            .filter((r) => r.op === "UploadPart")
            .every((r) => r.headers["x-amz-content-sha256"] !== "UNSIGNED-PAYLOAD")
        ).toBe(true)
        fake.reset()
        const single = yield* S3Manager.upload({ Bucket, Key: "single", Body: text("small body") })
        expect(single.parts).toBe(0)
        expect(single.checksumVerified).toBe(true)
        expect(single.checksum?.value).toBe(Checksums.checksumBase64("CRC32", text("small body")))
      })
    )

    it.effect("a composite checksum that differs from the parts' fails with ChecksumMismatch", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.completeChecksumOverride = "AAAAAA==-3"
        const error = yield* Effect.flip(
          S3Manager.upload({ Bucket, Key: "bad-sum", Body: Generated.bytesAt(0, 150 * KiB) }, small)
        )
        expect(error._tag).toBe("ChecksumMismatch")
      })
    )

    it.effect("a part failing twice then succeeding: retried by the pipeline, the upload completes", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.faultPart(2, [
          { status: 500, code: "InternalError" },
          { status: 503, code: "SlowDown" }
        ])
        const context = yield* Effect.context<S3.S3>()
        const { exit } = yield* runDriven(
          Effect.provide(
            S3Manager.upload({ Bucket, Key: "retried", Body: Generated.stream(300 * KiB, 10_000) }, small),
            context
          )
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(fake.attempts(2)).toBe(3)
        expect(fake.attempts(1)).toBe(1)
        const back = yield* Generated.compare(S3Manager.download({ Bucket, Key: "retried" }))
        expect(back).toEqual({ bytes: 300 * KiB, firstDifference: -1 })
        expect(yield* openUploads(Bucket)).toEqual([])
      })
    )

    it.effect(
      "a part failing for good: MultipartUploadError naming the part and upload; aborted; nothing left",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          fake.faultPart(3, [{ status: 400, code: "InvalidRequest" }])
          const error = yield* Effect.flip(
            S3Manager.upload({ Bucket, Key: "failed", Body: Generated.stream(600 * KiB, 10_000) }, small)
          )
          expect(error._tag).toBe("MultipartUploadError")
          if (error._tag !== "MultipartUploadError") return
          expect(error.partNumber).toBe(3)
          expect(error.uploadId).toBe("upload-1")
          expect(error.phase).toBe("part")
          expect(error.aborted).toBe(true)
          expect((error.cause as { readonly code?: string }).code).toBe("InvalidRequest")
          expect(error.message).toContain("part 3")
          expect(fake.requests.filter((r) => r.op === "AbortMultipartUpload").length).toBe(1)
          expect(yield* openUploads(Bucket)).toEqual([])
          expect(fake.objects.has(`${Bucket}/failed`)).toBe(false)
        })
    )

    it.effect(
      "the body stream failing mid-upload: MultipartUploadError in phase body, aborted, nothing left",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          const body = Stream.concat(
            Generated.stream(200 * KiB, 10_000),
            Stream.fail("disk on fire" as const)
          )
          const error = yield* Effect.flip(
            S3Manager.upload({ Bucket, Key: "broken-body", Body: body }, small)
          )
          if (typeof error !== "object" || error._tag !== "MultipartUploadError") {
            return expect.fail(`expected a MultipartUploadError, got ${String(error)}`)
          }
          expect(error.phase).toBe("body")
          expect(error.partNumber).toBeUndefined()
          expect(error.cause).toBe("disk on fire")
          expect(error.aborted).toBe(true)
          expect(yield* openUploads(Bucket)).toEqual([])
          // failing before a multipart upload exists: the body's own error, nothing to abort
          fake.reset()
          const early = yield* Effect.flip(
            S3Manager.upload({ Bucket, Key: "broken-early", Body: Stream.fail("no input" as const) }, small)
          )
          expect(early).toBe("no input")
          expect(fake.requests).toEqual([])
        })
    )

    it.effect("retries exhausted on a part: aborted, nothing left", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        const fail = { status: 500, code: "InternalError" }
        fake.faultPart(2, [fail, fail, fail])
        const context = yield* Effect.context<S3.S3>()
        const { exit } = yield* runDriven(
          Effect.provide(
            S3Manager.upload({ Bucket, Key: "exhausted", Body: Generated.bytesAt(0, 300 * KiB) }, small),
            context
          )
        )
        expect(Exit.isFailure(exit)).toBe(true)
        expect(fake.attempts(2)).toBe(3)
        expect(yield* openUploads(Bucket)).toEqual([])
      })
    )

    it.effect("leavePartsOnError keeps the upload", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.faultPart(2, [{ status: 400, code: "InvalidRequest" }])
        const error = yield* Effect.flip(
          S3Manager.upload(
            { Bucket, Key: "kept", Body: Generated.bytesAt(0, 300 * KiB) },
            { ...small, leavePartsOnError: true }
          )
        )
        expect(error._tag === "MultipartUploadError" && error.aborted).toBe(false)
        expect((yield* openUploads(Bucket)).length).toBe(1)
      })
    )

    it.effect("interrupted mid-transfer (a part hangs): every part stops, the upload is aborted", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.faultPart(3, [{ hang: true }])
        const fiber = yield* Effect.fork(
          S3Manager.upload({ Bucket, Key: "interrupted", Body: Generated.stream(1 * MiB, 10_000) }, small)
        )
        yield* waitUntil(() => fake.attempts(3) === 1 && fake.partBytesStored() >= 3 * 64 * KiB)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(fake.requests.filter((r) => r.op === "AbortMultipartUpload").length).toBe(1)
        expect(yield* openUploads(Bucket)).toEqual([])
        expect(fake.objects.has(`${Bucket}/interrupted`)).toBe(false)
      })
    )

    it.effect(
      "Effect.timeout (TestClock) interrupts the upload, which is aborted before the timeout returns",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          fake.faultPart(2, [{ hang: true }])
          const fiber = yield* Effect.fork(
            S3Manager.upload({ Bucket, Key: "timed-out", Body: Generated.bytesAt(0, 400 * KiB) }, small).pipe(
              Effect.timeout("1 minute")
            )
          )
          yield* waitUntil(() => fake.attempts(2) === 1)
          yield* TestClock.adjust("1 minute")
          const exit = yield* Fiber.await(fiber)
          expect(Exit.isFailure(exit) && JSON.stringify(exit).includes("TimeoutException")).toBe(true)
          expect(fake.requests.filter((r) => r.op === "AbortMultipartUpload").length).toBe(1)
          expect(yield* openUploads(Bucket)).toEqual([])
        })
    )

    it.effect(
      "backpressure: a large stream is pulled only as parts go out (buffered <= partSize x concurrency)",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          const partSize = 256 * KiB
          const concurrency = 4
          const chunk = 16 * KiB
          let pulled = 0
          let maxAhead = 0
          const body = Generated.stream(64 * MiB, chunk, (n) => {
            pulled += n
            // bytes taken from the source that the server has not received yet
            maxAhead = Math.max(maxAhead, pulled - fake.partBytesStored())
          })
          const out = yield* S3Manager.upload(
            { Bucket, Key: "backpressure", Body: body },
            { partSize, minPartSize: 1, concurrency }
          )
          expect(out.parts).toBe(256)
          expect(maxAhead).toBeLessThanOrEqual(partSize * concurrency + chunk)
          expect(fake.maxPartsInFlight()).toBeLessThanOrEqual(concurrency)
        })
    )

    it.effect("progress: a callback and a stream of events ending with Done", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        const seen: Array<number> = []
        yield* S3Manager.upload(
          { Bucket, Key: "progress", Body: Generated.bytesAt(0, 3 * MiB + 5) },
          { partSize: MiB, minPartSize: 1, onProgress: (p) => Effect.sync(() => seen.push(p.bytesSent)) }
        )
        expect(seen.at(-1)).toBe(3 * MiB + 5)
        const events = yield* Stream.runCollect(
          S3Manager.uploadWithProgress(
            { Bucket, Key: "progress2", Body: Generated.stream(3 * MiB, 50_000) },
            { partSize: MiB, minPartSize: 1 }
          )
        )
        const last = Chunk.last(events)
        expect(last._tag === "Some" && last.value._tag === "Done" && last.value.output.parts).toBe(3)
        const progress = Chunk.toArray(events).filter((e) => e._tag === "Progress")
        expect(progress.length).toBeGreaterThan(0)
      })
    )

    it.effect("download: concurrent ranged GETs pinned with If-Match, reassembled in order", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.put(Bucket, "dl", Generated.bytesAt(0, 1 * MiB + 3))
        const back = yield* Generated.compare(
          S3Manager.download({ Bucket, Key: "dl" }, { partSize: 100 * KiB, concurrency: 4 })
        )
        expect(back).toEqual({ bytes: MiB + 3, firstDifference: -1 })
        const gets = fake.requests.filter((r) => r.op === "GetObject")
        expect(gets.length).toBe(11)
        const etag = fake.objects.get(`${Bucket}/dl`)?.etag
        expect(gets.slice(1).every((g) => g.headers["if-match"] === etag)).toBe(true)
        const empty = yield* Effect.sync(() => fake.put(Bucket, "dl-empty", new Uint8Array(0))).pipe(
          Effect.zipRight(readAll({ Bucket, Key: "dl-empty" }))
        )
        expect(empty.length).toBe(0)
      })
    )

    it.effect("download: the object overwritten mid-download fails with ObjectChanged, no mixed bytes", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.put(Bucket, "changing", Generated.bytesAt(0, 500 * KiB))
        fake.onGet = (_key, index) => {
          // after the first GET was answered, before the second is
          if (index === 1) fake.put(Bucket, "changing", Generated.bytesAt(7, 500 * KiB))
          return undefined
        }
        const exit = yield* Effect.exit(
          readAll({ Bucket, Key: "changing" }, { partSize: 100 * KiB, concurrency: 2 })
        )
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        expect(Option.isSome(error) && error.value._tag).toBe("ObjectChanged")
      })
    )

    it.effect(
      "download: a part ahead that fails ends the stream at once, while an earlier part still hangs",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          fake.put(Bucket, "ahead", Generated.bytesAt(0, 500 * KiB))
          fake.onGet = (_key, _index, range) => {
            // the second part never answers; the object changes before the third is answered
            if (range?.startsWith(`bytes=${100 * KiB}-`)) return "hang"
            if (range?.startsWith(`bytes=${200 * KiB}-`))
              fake.put(Bucket, "ahead", Generated.bytesAt(9, 500 * KiB))
            return undefined
          }
          const exit = yield* Effect.exit(
            readAll({ Bucket, Key: "ahead" }, { partSize: 100 * KiB, concurrency: 3 })
          )
          const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          expect(Option.isSome(error) && error.value._tag).toBe("ObjectChanged")
        })
    )

    it.effect(
      "downloadFile interrupted mid-download: every GET stops, no file and no temporary file left",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          fake.put(Bucket, "to-file", Generated.bytesAt(0, 1 * MiB))
          fake.onGet = (_key, index) => (index >= 3 ? "hang" : undefined)
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manager-dl-"))
          const target = path.join(dir, "out.bin")
          const fiber = yield* Effect.fork(
            S3Manager.downloadFile({ Bucket, Key: "to-file" }, target, {
              partSize: 100 * KiB,
              concurrency: 2
            })
          )
          yield* waitUntil(() => fake.requests.filter((r) => r.op === "GetObject").length >= 4)
          const exit = yield* Fiber.interrupt(fiber)
          expect(Exit.isInterrupted(exit)).toBe(true)
          expect(fs.readdirSync(dir)).toEqual([])
          fs.rmSync(dir, { recursive: true, force: true })
        })
    )

    it.effect(
      "downloadFile writes each part where it belongs (a range over parts, 3 at a time); a changed object leaves no file",
      () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          fake.reset()
          fake.put(Bucket, "positioned", Generated.bytesAt(0, 1 * MiB + 5))
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manager-pos-"))
          const target = path.join(dir, "out.bin")
          const written = yield* S3Manager.downloadFile(
            { Bucket, Key: "positioned", Range: "bytes=1000-" },
            target,
            {
              partSize: 100 * KiB,
              concurrency: 3
            }
          )
          expect(written.bytes).toBe(1 * MiB + 5 - 1000)
          expect(
            Buffer.compare(fs.readFileSync(target), Buffer.from(Generated.bytesAt(1000, MiB + 5 - 1000)))
          ).toBe(0)
          fake.onGet = (_key, index) => {
            if (index === 1) fake.put(Bucket, "positioned", Generated.bytesAt(3, 1 * MiB + 5))
            return undefined
          }
          const changed = path.join(dir, "changed.bin")
          const exit = yield* Effect.exit(
            S3Manager.downloadFile({ Bucket, Key: "positioned" }, changed, {
              partSize: 100 * KiB,
              concurrency: 3
            })
          )
          const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          expect(Option.isSome(error) && error.value._tag).toBe("ObjectChanged")
          expect(fs.readdirSync(dir)).toEqual(["out.bin"])
          fs.rmSync(dir, { recursive: true, force: true })
        })
    )

    it.effect("deleteObjects: 2,500 keys in 3 requests, refused keys reported one by one", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        const keys = Array.from({ length: 2500 }, (_, i) => `k/${i}`)
        for (const k of keys) fake.put(Bucket, k, text(k))
        fake.refuseDelete.add("k/7").add("k/2001")
        const result = yield* S3Manager.deleteObjects(Stream.fromIterable(keys), { Bucket })
        expect(result.requests).toBe(3)
        expect(result.deleted.length).toBe(2498)
        expect(result.errors.map((e) => [e.Key, e.Code])).toEqual([
          ["k/7", "AccessDenied"],
          ["k/2001", "AccessDenied"]
        ])
        expect(fake.objects.size).toBe(2)
      })
    )

    it.effect("copyObject above the threshold: UploadPartCopy ranges pinned to the source ETag", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.reset()
        fake.put(Bucket, "src", Generated.bytesAt(0, 1 * MiB + 1))
        const out = yield* S3Manager.copyObject(
          { Bucket, Key: "dst", CopySource: { Bucket, Key: "src" } },
          { multipartThreshold: 256 * KiB, partSize: 256 * KiB, minPartSize: 1 }
        )
        expect(out.parts).toBe(5)
        expect(
          Buffer.compare(fake.objects.get(`${Bucket}/dst`)!.body, Buffer.from(Generated.bytesAt(0, MiB + 1)))
        ).toBe(0)
        const copies = fake.requests.filter((r) => r.op === "UploadPartCopy")
        expect(
          copies.every(
            (r) => r.headers["x-amz-copy-source-if-match"] === fake.objects.get(`${Bucket}/src`)!.etag
          )
        ).toBe(true)
        // the source changes between HeadObject and the part copies: the copy fails, is aborted
        fake.onGet = undefined
        const changed = yield* Effect.flip(
          S3Manager.copyObject(
            { Bucket, Key: "dst2", CopySource: { Bucket, Key: "src" }, CopySourceIfMatch: '"stale"' },
            { multipartThreshold: 256 * KiB, partSize: 256 * KiB, minPartSize: 1 }
          )
        )
        expect(changed._tag).toBe("MultipartUploadError")
        expect(yield* openUploads(Bucket)).toEqual([])
      })
    )
  })
})
