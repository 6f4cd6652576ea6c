/**
 * Issue 16: the transfer manager never plans from, or accepts, a number a server made up. A fault
 * server plays S3 and lies about sizes, ranges, part answers and DeleteObjects results; every lie
 * ends in a typed error, and nothing is left at a destination as if complete.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as Retry from "../../src/Request/Retry.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as S3Manager from "../../src/Services/S3/Manager/index.js"
import * as NodeFileSystem from "../../src/Session/NodeFileSystem.js"
import * as FaultServer from "../support/FaultServer.js"
import * as LocalServers from "../support/LocalServers.js"

const env = (server: FaultServer.FaultServer) =>
  Layer.merge(
    S3.layer().pipe(Layer.provide(LocalServers.s3Session(server.url, Retry.none))),
    NodeFileSystem.layer
  ).pipe(Layer.provide(NodeTransport.layer()))

/** Runs `f` against a fresh fault server, with the S3 client and a file system pointed at it. */
const withS3 = <A, E>(
  f: (
    server: FaultServer.FaultServer
  ) => Effect.Effect<A, E, S3.S3 | import("@effect/platform/FileSystem").FileSystem>
) => Effect.scoped(Effect.flatMap(FaultServer.scoped, (server) => Effect.provide(f(server), env(server))))

const SIZE = 10_000
const object = Buffer.from(Array.from({ length: SIZE }, (_, i) => i % 251))

/** The `bytes=a-b` a request asked for. */
const asked = (request: FaultServer.Received): readonly [number, number] => {
  const m = /^bytes=(\d+)-(\d+)$/.exec(String(request.headers.range))
  if (m === null) throw new Error(`unexpected Range ${request.headers.range}`)
  return [Number(m[1]), Math.min(Number(m[2]), SIZE - 1)]
}

/** A 206 answer carrying `body` under `contentRange`. */
const partial = (contentRange: string, body: Uint8Array): FaultServer.Reply => ({
  status: 206,
  headers: { "content-range": contentRange, etag: '"e1"', "content-type": "application/octet-stream" },
  body
})

/** The honest answer to a ranged GET of `object`, or of an object of `total` bytes. */
const honest = (request: FaultServer.Received, total = SIZE): FaultServer.Reply => {
  const [a, b] = asked(request)
  return partial(`bytes ${a}-${b}/${total}`, object.subarray(a, b + 1))
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "issue16-"))

const small = { partSize: 1000, concurrency: 3, adaptive: false } as const

describe("S3Manager.download and downloadFile: server sizes", () => {
  it.effect("downloadFile: a Content-Range total beyond the largest S3 object fails at once, no file", () =>
    withS3((server) =>
      Effect.gen(function* () {
        for (const total of [Number.MAX_SAFE_INTEGER, S3Manager.MAX_STORED_OBJECT_SIZE + 1]) {
          server.scriptWith((request) => honest(request, total))
          const before = server.requestCount()
          // it used to list every range of the object before fetching any, and ran out of heap
          const dir = tempDir()
          const error = yield* Effect.flip(
            S3Manager.downloadFile({ Bucket: "b", Key: "k" }, path.join(dir, "out.bin"), small)
          )
          expect(error._tag).toBe("TransferError")
          expect(error.message).toMatch(/larger than any S3 object/)
          expect(server.requestCount() - before).toBe(1)
          expect(fs.readdirSync(dir)).toEqual([])
        }
      })
    )
  )

  it.effect(
    "download: a Content-Range total beyond the largest S3 object fails before anything is handed on",
    () =>
      withS3((server) =>
        Effect.gen(function* () {
          for (const total of [Number.MAX_SAFE_INTEGER, S3Manager.MAX_STORED_OBJECT_SIZE + 1]) {
            server.scriptWith((request) => honest(request, total))
            const before = server.requestCount()
            const streamed = yield* Effect.either(
              Stream.runDrain(Stream.take(S3Manager.download({ Bucket: "b", Key: "k" }, small), 3))
            )
            expect(streamed._tag).toBe("Left")
            if (streamed._tag === "Left") expect(streamed.left.message).toMatch(/larger than any S3 object/)
            expect(server.requestCount() - before).toBe(1)
          }
        })
      )
  )

  it.effect(
    "malformed, negative, fractional or inconsistent Content-Range: a TransferError, never a success",
    () =>
      withS3((server) =>
        Effect.gen(function* () {
          for (const header of [
            "bytes 0-999/-5",
            "bytes 0-999/1.5e4",
            "bytes 0-999/10000.5",
            "bytes 0-999/abc",
            "bytes 0-999/",
            "bytes 0-999/99999999999999999999",
            "bytes 999-0/10000",
            "bytes 0-10000/10000",
            "items 0-999/10000"
          ]) {
            server.scriptWith(() => partial(header, object.subarray(0, 1000)))
            const error = yield* Effect.flip(S3Manager.downloadBytes({ Bucket: "b", Key: "k" }, small))
            expect(error._tag, header).toBe("TransferError")
            expect(error.message, header).toContain("Content-Range")
          }
        })
      )
  )

  it.effect("ranges are made as they are needed: a 1,000-part object is fetched without listing them", () =>
    withS3((server) =>
      Effect.gen(function* () {
        server.scriptWith((request) => honest(request))
        const dir = tempDir()
        const target = path.join(dir, "ok.bin")
        const out = yield* S3Manager.downloadFile({ Bucket: "b", Key: "k" }, target, {
          partSize: 10,
          concurrency: 7
        })
        expect(out.bytes).toBe(SIZE)
        expect(Buffer.compare(fs.readFileSync(target), object)).toBe(0)
        expect(server.requestCount()).toBe(1000)
        expect(fs.readdirSync(dir)).toEqual(["ok.bin"])
      })
    )
  )
})

describe("S3Manager.download and downloadFile: every part is the range asked for", () => {
  /** Lies told about the second and later parts (the first answer is honest). */
  const lies: ReadonlyArray<readonly [string, (request: FaultServer.Received) => FaultServer.Reply]> = [
    [
      "bytes 0-... for every part",
      (r) => {
        const [a, b] = asked(r)
        return partial(`bytes 0-${b - a}/${SIZE}`, object.subarray(0, b - a + 1))
      }
    ],
    [
      "the right range of an object of another size",
      (r) => {
        const [a, b] = asked(r)
        return partial(`bytes ${a}-${b}/${SIZE + 1}`, object.subarray(a, b + 1))
      }
    ],
    [
      "a range one byte shorter, with its bytes",
      (r) => {
        const [a, b] = asked(r)
        return partial(`bytes ${a}-${b - 1}/${SIZE}`, object.subarray(a, b))
      }
    ],
    [
      "no Content-Range (the whole object, as a 200)",
      () => ({ status: 200, headers: { etag: '"e1"' }, body: object })
    ],
    [
      "the right Content-Range over a short body",
      (r) => {
        const [a, b] = asked(r)
        return partial(`bytes ${a}-${b}/${SIZE}`, object.subarray(a, b))
      }
    ]
  ]

  for (const [lie, answer] of lies) {
    it.effect(`${lie}: TransferError from download; downloadFile leaves no file`, () =>
      withS3((server) =>
        Effect.gen(function* () {
          // the first range of each download is answered honestly, the others with the lie
          const script = () =>
            server.scriptWith((request) => (asked(request)[0] === 0 ? honest(request) : answer(request)))
          script()
          const streamed = yield* Effect.flip(S3Manager.downloadBytes({ Bucket: "b", Key: "k" }, small))
          expect(streamed._tag).toBe("TransferError")
          expect(streamed.message).toMatch(/bytes=1000-1999|bytes=2000-2999|bytes=3000-3999/)

          const dir = tempDir()
          const target = path.join(dir, "out.bin")
          fs.writeFileSync(target, "the previous contents")
          script()
          const error = yield* Effect.flip(S3Manager.downloadFile({ Bucket: "b", Key: "k" }, target, small))
          expect(error._tag).toBe("TransferError")
          // the destination keeps what it had; the temporary file is gone
          expect(fs.readdirSync(dir)).toEqual(["out.bin"])
          expect(fs.readFileSync(target, "utf8")).toBe("the previous contents")
        })
      )
    )
  }

  it.effect("the first answer must be the range asked for too", () =>
    withS3((server) =>
      Effect.gen(function* () {
        // asked bytes=5000-5999, answered from 0
        server.scriptWith(() => partial(`bytes 0-999/${SIZE}`, object.subarray(0, 1000)))
        const error = yield* Effect.flip(
          S3Manager.downloadBytes({ Bucket: "b", Key: "k", Range: "bytes=5000-" }, small)
        )
        expect(error._tag).toBe("TransferError")
        expect(error.message).toContain("bytes=5000-5999")
      })
    )
  )
})

describe("S3Manager.copyObject: the source's size and ETag", () => {
  const head = (headers: Record<string, string>): FaultServer.Reply => ({ status: 200, headers, body: "" })
  const refuse: FaultServer.Reply = {
    status: 400,
    headers: { "content-type": "application/xml" },
    body: "<Error><Code>InvalidRequest</Code><Message>not expected</Message></Error>"
  }
  const input = { Bucket: "dst", Key: "copy", CopySource: { Bucket: "src", Key: "big" } }
  const options = { multipartThreshold: 1000, partSize: 1000, minPartSize: 1 }

  it.effect("a size no S3 object can have is a TransferError before anything is created", () =>
    withS3((server) =>
      Effect.gen(function* () {
        for (const size of [String(Number.MAX_SAFE_INTEGER), String(S3Manager.MAX_STORED_OBJECT_SIZE + 1)]) {
          server.scriptWith((r) =>
            r.method === "HEAD" ? head({ "content-length": size, etag: '"e1"' }) : refuse
          )
          const before = server.requestCount()
          const error = yield* Effect.flip(S3Manager.copyObject(input, options))
          expect(error._tag).toBe("TransferError")
          expect(error.message).toContain(`a size of ${size} bytes`)
          // only the HeadObject: no CreateMultipartUpload, no part
          expect(server.requestCount() - before).toBe(1)
        }
      })
    )
  )

  it.effect("a multipart copy whose source has no ETag is refused: its parts could mix versions", () =>
    withS3((server) =>
      Effect.gen(function* () {
        server.scriptWith((r) => (r.method === "HEAD" ? head({ "content-length": "5000" }) : refuse))
        const error = yield* Effect.flip(S3Manager.copyObject(input, options))
        expect(error._tag).toBe("TransferError")
        expect(error.message).toContain("without an ETag")
        expect(server.received.map((r) => r.method)).toEqual(["HEAD"])
      })
    )
  )
})

describe("S3Manager.deleteObjects: the answer is about the keys asked", () => {
  const answer = (deleted: ReadonlyArray<string>, errors: ReadonlyArray<string> = []): FaultServer.Reply => ({
    status: 200,
    headers: { "content-type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?><DeleteResult>${deleted
      .map((k) => `<Deleted><Key>${k}</Key></Deleted>`)
      .join("")}${errors
      .map((k) => `<Error><Key>${k}</Key><Code>AccessDenied</Code><Message>no</Message></Error>`)
      .join("")}</DeleteResult>`
  })
  const keys = Stream.make("a", "b", "c")

  it.effect("an honest answer: deleted and refused keys, key by key", () =>
    withS3((server) =>
      Effect.gen(function* () {
        server.script([answer(["a", "c"], ["b"])])
        const result = yield* S3Manager.deleteObjects(keys, { Bucket: "b" })
        expect(result.deleted.map((d) => d.Key)).toEqual(["a", "c"])
        expect(result.errors.map((e) => e.Key)).toEqual(["b"])
      })
    )
  )

  it.effect("a key reported deleted (or refused) that was never asked for is a TransferError", () =>
    withS3((server) =>
      Effect.gen(function* () {
        for (const reply of [answer(["a", "b", "c", "precious"]), answer(["a", "b", "c"], ["precious"])]) {
          server.script([reply])
          const error = yield* Effect.flip(S3Manager.deleteObjects(keys, { Bucket: "b" }))
          expect(error._tag).toBe("TransferError")
          expect(error.message).toContain('"precious"')
        }
      })
    )
  )

  it.effect("an answer that leaves an asked key out is a TransferError (quiet mode lists only errors)", () =>
    withS3((server) =>
      Effect.gen(function* () {
        server.script([answer(["a", "c"])])
        const error = yield* Effect.flip(S3Manager.deleteObjects(keys, { Bucket: "b" }))
        expect(error._tag).toBe("TransferError")
        expect(error.message).toContain("1 of the 3 keys")
        server.script([answer([], ["b"])])
        const quiet = yield* S3Manager.deleteObjects(keys, { Bucket: "b", quiet: true })
        expect(quiet.errors.map((e) => e.Key)).toEqual(["b"])
      })
    )
  )
})

describe("S3Manager.download: parts of one version", () => {
  it.effect(
    "a first answer without an ETag cannot pin the other parts: TransferError, unless the input pins them",
    () =>
      withS3((server) =>
        Effect.gen(function* () {
          const unpinned = (request: FaultServer.Received): FaultServer.Reply => {
            const [a, b] = asked(request)
            return {
              status: 206,
              headers: { "content-range": `bytes ${a}-${b}/${SIZE}` },
              body: object.subarray(a, b + 1)
            }
          }
          server.scriptWith(unpinned)
          const error = yield* Effect.flip(S3Manager.downloadBytes({ Bucket: "b", Key: "k" }, small))
          expect(error._tag).toBe("TransferError")
          expect(error.message).toContain("without an ETag")
          expect(server.requestCount()).toBe(1)
          // a version id pins every part: the download goes ahead
          const bytes = yield* S3Manager.downloadBytes({ Bucket: "b", Key: "k", VersionId: "v1" }, small)
          expect(Buffer.compare(Buffer.from(bytes), object)).toBe(0)
          // one part needs no pinning
          const one = yield* S3Manager.downloadBytes({ Bucket: "b", Key: "k" }, { ...small, partSize: SIZE })
          expect(one.length).toBe(SIZE)
        })
      )
  )
})
