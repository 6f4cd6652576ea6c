import { Crc32 } from "@aws-crypto/crc32"
import { Crc32c } from "@aws-crypto/crc32c"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import * as Credentials from "../../../../src/Credentials/Credentials.js"
import * as Body from "../../../../src/Request/Body.js"
import * as Checksums from "../../../../src/Request/Checksums.js"
import * as NodeTransport from "../../../../src/Request/NodeTransport.js"
import * as Retry from "../../../../src/Request/Retry.js"
import * as S3 from "../../../../src/Services/S3/index.js"
import * as S3Manager from "../../../../src/Services/S3/Manager/index.js"
import * as Session from "../../../../src/Session/Session.js"
import * as FaultServer from "../../../support/FaultServer.js"

const credentials = Credentials.fromStatic(
  Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })
)

const env = (options: Partial<Session.ExplicitSessionOptions>) =>
  S3.layer().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: "us-east-1",
        credentials,
        retry: Retry.standard({ baseDelayMs: 0 }),
        ...options
      })
    ),
    Layer.provide(NodeTransport.layer())
  )

const withServer = <A, E>(f: (server: FaultServer.FaultServer) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(FaultServer.scoped, f))

const local = (server: FaultServer.FaultServer, options: Partial<Session.ExplicitSessionOptions> = {}) =>
  env({ endpoint: server.url, s3: { forcePathStyle: true }, ...options })

const xml = (body: string, status = 200): FaultServer.Reply => ({
  status,
  headers: { "content-type": "application/xml" },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
})

describe("S3 customizations", () => {
  it.effect("addresses buckets virtual-hosted, or in the path when the name is not DNS-compatible", () =>
    Effect.gen(function* () {
      const layer = env({ region: "us-west-2" })
      const virtual = yield* S3.getObject
        .presign({ Bucket: "my-bucket", Key: "a/b c" }, { expiresIn: 60 })
        .pipe(Effect.provide(layer))
      expect(virtual.url.startsWith("https://my-bucket.s3.us-west-2.amazonaws.com/a/b%20c?")).toBe(true)
      const path = yield* S3.getObject
        .presign({ Bucket: "My.Bucket", Key: "k" }, { expiresIn: 60 })
        .pipe(Effect.provide(layer))
      expect(path.url.startsWith("https://s3.us-west-2.amazonaws.com/My.Bucket/k?")).toBe(true)
      const forced = yield* S3.listObjectsV2
        .presign({ Bucket: "my-bucket" }, { expiresIn: 60 })
        .pipe(Effect.provide(env({ region: "us-west-2", s3: { forcePathStyle: true } })))
      expect(forced.url.startsWith("https://s3.us-west-2.amazonaws.com/my-bucket?")).toBe(true)
      expect(forced.url).toContain("list-type=2")
    })
  )

  it.effect("an <Error> sent with 200 by CompleteMultipartUpload is a retried InternalError", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"
          ),
          xml(
            '<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key><ETag>"e"</ETag></CompleteMultipartUploadResult>'
          )
        ])
        const out = yield* S3.completeMultipartUpload({ Bucket: "b", Key: "k", UploadId: "u" }).pipe(
          Effect.provide(local(server))
        )
        expect(out.ETag).toBe('"e"')
        expect(server.received).toHaveLength(2)
        expect(server.received[0]!.url).toBe("/b/k?uploadId=u")
      })
    )
  )

  it.effect("CopyObject's 200 <Error> surfaces as the error it is when not retryable", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([xml("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")])
        const error = yield* Effect.flip(
          S3.copyObject({ Bucket: "b", Key: "k", CopySource: "src/key" }).pipe(Effect.provide(local(server)))
        )
        expect(error._tag).toBe("AccessDenied")
      })
    )
  )

  it.effect("abortMultipartUpload sends DELETE with the upload id", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([{ status: 204 }])
        yield* S3.abortMultipartUpload({ Bucket: "b", Key: "dir/k", UploadId: "up+1" }).pipe(
          Effect.provide(local(server))
        )
        expect(server.received[0]).toMatchObject({ method: "DELETE", url: "/b/dir/k?uploadId=up%2B1" })
      })
    )
  )

  it.effect("GetBucketLocation reads the bare LocationConstraint document", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-central-1</LocationConstraint>'
          ),
          xml('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')
        ])
        const layer = local(server)
        expect(yield* S3.getBucketLocation({ Bucket: "b" }).pipe(Effect.provide(layer))).toEqual({
          LocationConstraint: "eu-central-1"
        })
        expect(yield* S3.getBucketLocation({ Bucket: "b" }).pipe(Effect.provide(layer))).toEqual({})
      })
    )
  )

  it.effect("URL-decodes listings sent with EncodingType=url", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            "<ListBucketResult><Name>b</Name><Prefix>a%20b%2F</Prefix><EncodingType>url</EncodingType><KeyCount>1</KeyCount>" +
              "<Contents><Key>a%20b%2Fc%0A%2B.txt</Key><Size>1</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>"
          )
        ])
        const out = yield* S3.listObjectsV2({ Bucket: "b", EncodingType: "url" }).pipe(
          Effect.provide(local(server))
        )
        expect(out.Prefix).toBe("a b/")
        expect(out.Contents?.[0]?.Key).toBe("a b/c\n+.txt")
      })
    )
  )

  it.effect("retries once in the bucket's region after a redirect", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          {
            ...xml("<Error><Code>PermanentRedirect</Code><Message>moved</Message></Error>", 301),
            headers: { "x-amz-bucket-region": "eu-west-1", "content-type": "application/xml" }
          },
          { status: 200, body: "" }
        ])
        yield* S3.headBucket({ Bucket: "b" }).pipe(Effect.provide(local(server)))
        expect(server.received[0]!.headers.authorization).toContain("/us-east-1/s3/aws4_request")
        expect(server.received[1]!.headers.authorization).toContain("/eu-west-1/s3/aws4_request")
      })
    )
  )

  it.effect("fills in the SSE-C key MD5 and sends the key base64-encoded", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([{ status: 200, body: "" }])
        const key = "0123456789abcdef0123456789abcdef"
        yield* S3.putObject({
          Bucket: "b",
          Key: "k",
          Body: "x",
          SSECustomerAlgorithm: "AES256",
          SSECustomerKey: key
        }).pipe(Effect.provide(local(server)))
        const headers = server.received[0]!.headers
        expect(headers["x-amz-server-side-encryption-customer-key"]).toBe(Buffer.from(key).toString("base64"))
        expect(headers["x-amz-server-side-encryption-customer-key-md5"]).toBe(
          (yield* Effect.promise(() => import("node:crypto"))).createHash("md5").update(key).digest("base64")
        )
      })
    )
  )

  it.effect(
    "flexible checksums: CRC32 when supported, none when only required, the named algorithm always",
    () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.script([{ status: 200, body: "" }])
          const body = new TextEncoder().encode("checksum me")
          yield* S3.putObject({ Bucket: "b", Key: "k", Body: body }).pipe(Effect.provide(local(server)))
          yield* S3.putObject({ Bucket: "b", Key: "k", Body: body }).pipe(
            Effect.provide(local(server, { requestChecksumCalculation: "when_required" }))
          )
          yield* S3.putObject({ Bucket: "b", Key: "k", Body: body, ChecksumAlgorithm: "SHA256" }).pipe(
            Effect.provide(local(server, { requestChecksumCalculation: "when_required" }))
          )
          const [supported, required, named] = server.received.map((r) => r.headers)
          expect(supported!["x-amz-checksum-crc32"]).toBe(Checksums.checksumBase64("CRC32", body))
          expect(supported!["x-amz-sdk-checksum-algorithm"]).toBe("CRC32")
          expect(Object.keys(required!).filter((h) => h.startsWith("x-amz-checksum"))).toEqual([])
          expect(named!["x-amz-checksum-sha256"]).toBe(
            (yield* Effect.promise(() => import("node:crypto")))
              .createHash("sha256")
              .update(body)
              .digest("base64")
          )
        })
      )
  )
})

describe("checksums", () => {
  it("CRC32 and CRC32C agree with @aws-crypto on arbitrary data, in one piece or in chunks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat(300), async (data, cut) => {
        for (const [algorithm, Reference] of [
          ["CRC32", Crc32],
          ["CRC32C", Crc32c]
        ] as const) {
          const h = Checksums.hasher(algorithm)
          h.update(data.subarray(0, cut))
          h.update(data.subarray(cut))
          const ours = Buffer.from(h.digest()).toString("hex")
          const ref = new Reference()
          ref.update(data)
          const expected = ref.digest() >>> 0
          expect(ours).toBe(expected.toString(16).padStart(8, "0"))
        }
      }),
      { numRuns: 300, seed: 7 }
    )
  })

  it("knows the algorithms S3 names", () => {
    expect(Checksums.parseAlgorithm("crc32c")).toBe("CRC32C")
    expect(Checksums.parseAlgorithm("CRC64NVME")).toBeUndefined()
    expect(Checksums.headerOf("SHA1")).toBe("x-amz-checksum-sha1")
  })
})

describe("response checksums (GetObject)", () => {
  const data = new TextEncoder().encode("the quick brown fox jumps over the lazy dog, ".repeat(2000))
  const crc32 = Checksums.checksumBase64("CRC32", data)
  const wrong = Checksums.checksumBase64("CRC32", data.subarray(1))
  const object = (headers: Record<string, string>, status = 200): FaultServer.Reply => ({
    status,
    headers: { "content-type": "application/octet-stream", etag: '"e"', ...headers },
    body: data
  })
  /** The body of one GetObject, read as a stream, whole, or in batches (each its own path). */
  const readings = {
    stream: (body: Stream.Stream<Uint8Array, S3.GetObjectError> | undefined) =>
      Effect.map(Stream.runCollect(body ?? Stream.empty), (chunks) => Body.concat([...chunks])),
    whole: (body: Stream.Stream<Uint8Array, S3.GetObjectError> | undefined) => Body.bytes(body),
    batches: (body: Stream.Stream<Uint8Array, S3.GetObjectError> | undefined) =>
      Effect.flatMap(Body.batches(body), (read) => {
        const got: Array<Uint8Array> = []
        const loop: Effect.Effect<Uint8Array, S3.GetObjectError> = Effect.flatMap(read(1000), (chunks) => {
          if (chunks === undefined) return Effect.succeed(Body.concat(got))
          got.push(...chunks)
          return loop
        })
        return loop
      })
  }
  const get = (
    server: FaultServer.FaultServer,
    read: (typeof readings)[keyof typeof readings],
    input: Partial<S3.GetObjectRequest> = {},
    options: Partial<Session.ExplicitSessionOptions> = {}
  ) =>
    Effect.scoped(
      Effect.flatMap(S3.getObject({ Bucket: "b", Key: "k", ...input }), (out) => read(out.Body))
    ).pipe(Effect.provide(local(server, options)))
  /** The failure of a read that should fail (a wrong success is `undefined`, not the bytes). */
  const failure = <E>(read: Effect.Effect<unknown, E>) => Effect.flip(Effect.asVoid(read))

  it.effect("asks for the checksum and checks the body against it, however the body is read", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([object({ "x-amz-checksum-crc32": crc32 })])
        for (const read of Object.values(readings)) {
          expect(Buffer.from(yield* get(server, read)).equals(Buffer.from(data))).toBe(true)
        }
        expect(server.received.map((r) => r.headers["x-amz-checksum-mode"])).toEqual([
          "ENABLED",
          "ENABLED",
          "ENABLED"
        ])
      })
    )
  )

  it.effect(
    "a body that does not match fails with a NetworkError naming the header, however it is read",
    () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.script([object({ "x-amz-checksum-crc32": wrong })])
          for (const [how, read] of Object.entries(readings)) {
            const error = yield* failure(get(server, read))
            expect(error._tag, how).toBe("NetworkError")
            expect(error.message).toBe(
              `the response body does not match its x-amz-checksum-crc32: expected ${wrong}, computed ${crc32}`
            )
          }
        })
      )
  )

  it.effect("checks SHA-256 and CRC32C too, and the cheapest when several are sent", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          object({ "x-amz-checksum-sha256": Checksums.checksumBase64("SHA256", data.subarray(1)) }),
          object({ "x-amz-checksum-crc32c": Checksums.checksumBase64("CRC32C", data) }),
          // the SHA-256 is wrong but CRC32 is the one checked
          object({ "x-amz-checksum-sha256": wrong, "x-amz-checksum-crc32": crc32 })
        ])
        const first = yield* failure(get(server, readings.stream))
        expect(first.message).toContain("x-amz-checksum-sha256")
        yield* get(server, readings.stream)
        yield* get(server, readings.stream)
      })
    )
  )

  it.effect("leaves alone composite checksums and partial bodies", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          object({ "x-amz-checksum-crc32": `${wrong}-3` }),
          object(
            {
              "x-amz-checksum-crc32": wrong,
              "content-range": `bytes 0-${data.length - 1}/${data.length * 2}`
            },
            206
          )
        ])
        yield* get(server, readings.stream)
        yield* get(server, readings.stream, { Range: `bytes=0-${data.length - 1}` })
      })
    )
  )

  it.effect(
    "a custom endpoint on localhost or an IP addresses buckets in the path unless told otherwise",
    () =>
      Effect.gen(function* () {
        const url = (endpoint: string, s3: Session.ExplicitSessionOptions["s3"] = {}) =>
          S3.getObject.presign({ Bucket: "my-bucket", Key: "hello.txt" }, { expiresIn: 60 }).pipe(
            Effect.provide(env({ endpoint, s3 })),
            Effect.map((p) => p.url.split("?")[0])
          )
        expect(yield* url("http://localhost:4568")).toBe("http://localhost:4568/my-bucket/hello.txt")
        expect(yield* url("http://127.0.0.1:4568")).toBe("http://127.0.0.1:4568/my-bucket/hello.txt")
        expect(yield* url("http://[::1]:4568")).toBe("http://[::1]:4568/my-bucket/hello.txt")
        // An explicit choice wins, and a named host keeps virtual-hosted addressing.
        expect(yield* url("http://localhost:4568", { forcePathStyle: false })).toBe(
          "http://my-bucket.localhost:4568/hello.txt"
        )
        expect(yield* url("https://s3.example.com")).toBe("https://my-bucket.s3.example.com/hello.txt")
      })
  )

  it.effect("a presigned GetObject URL does not ask for the checksum", () =>
    Effect.gen(function* () {
      const presigned = yield* S3.getObject
        .presign({ Bucket: "b", Key: "k" }, { expiresIn: 60 })
        .pipe(Effect.provide(env({ region: "us-east-1" })))
      expect(presigned.url).not.toContain("checksum")
      expect(presigned.headers).not.toHaveProperty("x-amz-checksum-mode")
    })
  )

  it.effect("with responseChecksumValidation when_required, checks only when the caller asks", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([object({ "x-amz-checksum-crc32": wrong })])
        const options = { responseChecksumValidation: "when_required" } as const
        yield* get(server, readings.whole, {}, options)
        expect(server.received[0]?.headers["x-amz-checksum-mode"]).toBeUndefined()
        const error = yield* failure(get(server, readings.whole, { ChecksumMode: "ENABLED" }, options))
        expect(error._tag).toBe("NetworkError")
        expect(server.received[1]?.headers["x-amz-checksum-mode"]).toBe("ENABLED")
      })
    )
  )

  it.effect("S3Manager.download checks a body sent whole (a store that ignored the range)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([object({ "x-amz-checksum-crc32": wrong })])
        const error = yield* failure(
          S3Manager.downloadBytes({ Bucket: "b", Key: "k" }, { partSize: 1000 }).pipe(
            Effect.provide(local(server))
          )
        )
        expect(error._tag).toBe("NetworkError")
        server.script([object({ "x-amz-checksum-crc32": crc32 })])
        const bytes = yield* S3Manager.downloadBytes({ Bucket: "b", Key: "k" }, { partSize: 1000 }).pipe(
          Effect.provide(local(server))
        )
        expect(Buffer.from(bytes).equals(Buffer.from(data))).toBe(true)
      })
    )
  )
})
