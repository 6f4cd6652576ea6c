import { Crc32 } from "@aws-crypto/crc32"
import { Crc32c } from "@aws-crypto/crc32c"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import fc from "fast-check"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import * as Checksums from "../../../src/Request/Checksums.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import * as Retry from "../../../src/Request/Retry.js"
import * as S3 from "../../../src/Services/S3/index.js"
import * as Session from "../../../src/Session/Session.js"
import * as FaultServer from "../../support/FaultServer.js"

const credentials = Credentials.fromStatic(
  Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })
)

const env = (options: Partial<Session.ExplicitSessionOptions>) =>
  S3.layer().pipe(
    Layer.provide(
      Session.layerOverTransport({
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
