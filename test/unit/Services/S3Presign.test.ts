/**
 * Differential test: our presigned S3 URLs against `@aws-sdk/s3-request-presigner` (the JS v3
 * presigner) at a fixed time, over regions of every commercial-like partition (incl. `cn-north-1`
 * and `us-gov-west-1`), path and virtual-host addressing, session tokens, keys with every reserved
 * character, SSE-C, response overrides and the expiry bounds. The two must give the same host, the
 * same path bytes and the same query (signature included).
 *
 * The v3 client is set to compute checksums only when required (its default adds
 * `x-amz-checksum-crc32` of an empty body to a presigned PutObject, binding the upload to zero
 * bytes) and its `x-id` query parameter (a v3-only operation marker) is removed before signing.
 * One difference is by design and tested in `test/unit/Request/Presign.test.ts`: a `ContentType`
 * the caller sets is signed here (as botocore and Go v1 do), where v3 never signs `content-type`.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import { getSignedUrl } from "@aws-sdk/s3-request-presigner"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import fc from "fast-check"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../../src/Request/NodeTransport.js"
import * as S3 from "../../../src/Services/S3/index.js"
import * as Session from "../../../src/Session/Session.js"

const NOW = new Date("2026-05-06T07:08:09Z")
const keys = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
const token = "IQoJb3JpZ2luX2VjEXAMPLE/+=token"

interface Setting {
  readonly region: string
  readonly pathStyle: boolean
  readonly sessionToken: boolean
}

type Operation = "GetObject" | "PutObject" | "HeadObject" | "UploadPart"

const v3Commands = {
  GetObject: GetObjectCommand,
  PutObject: PutObjectCommand,
  HeadObject: HeadObjectCommand,
  UploadPart: UploadPartCommand
} as const

const ours = {
  GetObject: S3.getObject,
  PutObject: S3.putObject,
  HeadObject: S3.headObject,
  UploadPart: S3.uploadPart
} as const

const v3Clients = new Map<string, S3Client>()
const v3Client = (setting: Setting) => {
  const known = v3Clients.get(JSON.stringify(setting))
  if (known !== undefined) return known
  const client = new S3Client({
    region: setting.region,
    forcePathStyle: setting.pathStyle,
    credentials: setting.sessionToken ? { ...keys, sessionToken: token } : keys,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { query?: Record<string, unknown> }
      if (request.query) delete request.query["x-id"]
      return next(args)
    },
    { step: "build", name: "dropXId" }
  )
  v3Clients.set(JSON.stringify(setting), client)
  return client
}

const layerOf = (setting: Setting) =>
  S3.layer().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: setting.region,
        s3: { forcePathStyle: setting.pathStyle },
        credentials: Credentials.fromStatic(
          Credentials.make(setting.sessionToken ? { ...keys, sessionToken: token } : keys)
        )
      })
    ),
    Layer.provide(NodeTransport.layer())
  )

const theirsFor = (
  setting: Setting,
  operation: Operation,
  input: Record<string, unknown>,
  expiresIn: number
) =>
  // biome-ignore lint/suspicious/noExplicitAny: the four commands take different inputs
  getSignedUrl(v3Client(setting), new (v3Commands[operation] as any)(input), { expiresIn, signingDate: NOW })

const oursFor = (setting: Setting, operation: Operation, input: Record<string, unknown>, expiresIn: number) =>
  Effect.runPromise(
    TestClock.setTime(NOW.getTime()).pipe(
      Effect.zipRight(
        // biome-ignore lint/suspicious/noExplicitAny: the four operations take different inputs
        (ours[operation].presign as any)(input, { expiresIn }) as Effect.Effect<{
          url: string
          headers: Record<string, string>
        }>
      ),
      Effect.provide(layerOf(setting)),
      Effect.provide(TestContext.TestContext),
      Effect.scoped
    )
  )

/** Host and path as sent (raw bytes), and the query as sorted pairs of raw components. */
const parts = (url: string) => {
  const [base, query = ""] = url.split("?") as [string, string?]
  return {
    base,
    query: query
      .split("&")
      .filter((p) => p !== "")
      .sort()
  }
}

const compare = async (
  setting: Setting,
  operation: Operation,
  input: Record<string, unknown>,
  expiresIn = 900
) => {
  const [mine, theirs] = await Promise.all([
    oursFor(setting, operation, input, expiresIn),
    theirsFor(setting, operation, input, expiresIn)
  ])
  const context = JSON.stringify({ setting, operation, input, expiresIn })
  expect(parts(mine.url), context).toEqual(parts(theirs))
  const signed = new URL(mine.url).searchParams.get("X-Amz-SignedHeaders")!.split(";")
  expect(["host", ...Object.keys(mine.headers)].sort(), context).toEqual(signed)
}

const regions = ["us-east-1", "us-west-2", "eu-central-1", "ap-southeast-3", "cn-north-1", "us-gov-west-1"]
const settings: Array<Setting> = regions.flatMap((region) =>
  [false, true].flatMap((pathStyle) =>
    [false, true].map((sessionToken) => ({ region, pathStyle, sessionToken }))
  )
)

/** Every character RFC 3986 reserves, and those S3 documents as needing care in keys. */
const reserved = ":/?#[]@!$&'()*+,;= %\"<>\\^`{|}~"
const awkwardKeys = [
  "plain.txt",
  "a/b/c.txt",
  `all${reserved}chars`,
  ...[...reserved].map((c) => `x${c}y`),
  "a//b",
  "trailing/",
  "ünïcödé/日本語/😀",
  "percent%20already",
  "tab\tand\nnewline"
]

describe("presigned S3 URLs equal the JS v3 presigner's", () => {
  it("GetObject over regions, addressing and session tokens", async () => {
    for (const setting of settings) {
      await compare(setting, "GetObject", { Bucket: "my-bucket", Key: "dir/file name.txt" })
      await compare(setting, "GetObject", { Bucket: "my.dotted.bucket", Key: "k" })
    }
  })

  it("keys with every reserved character", async () => {
    for (const Key of awkwardKeys) {
      await compare(settings[0]!, "GetObject", { Bucket: "my-bucket", Key })
      await compare(settings[3]!, "PutObject", { Bucket: "my-bucket", Key })
    }
  })

  it("keys drawn at random from reserved and unicode characters", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(...reserved),
            fc.constantFrom("a", "Z", "0", ".", "-", "_", "é", "😀")
          ),
          minLength: 1,
          maxLength: 24
        }),
        fc.constantFrom(...settings),
        async (Key, setting) => compare(setting, "GetObject", { Bucket: "my-bucket", Key })
      ),
      { seed: 17, numRuns: 60 }
    )
  })

  it("SSE-C, ACLs, metadata and storage classes on uploads; SSE-C on downloads", async () => {
    const sse = { SSECustomerAlgorithm: "AES256", SSECustomerKey: "0123456789abcdef0123456789abcdef" }
    for (const setting of [settings[0]!, settings[17]!, settings[22]!]) {
      await compare(setting, "GetObject", { Bucket: "my-bucket", Key: "secret", ...sse })
      await compare(setting, "HeadObject", { Bucket: "my-bucket", Key: "secret", ...sse })
      await compare(setting, "PutObject", { Bucket: "my-bucket", Key: "secret", ...sse })
      await compare(setting, "PutObject", {
        Bucket: "my-bucket",
        Key: "meta",
        ACL: "public-read",
        StorageClass: "STANDARD_IA",
        Metadata: { owner: "me", "two-words": "a b" },
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc"
      })
      await compare(setting, "UploadPart", {
        Bucket: "my-bucket",
        Key: "big",
        UploadId: "up/id+1",
        PartNumber: 7
      })
      await compare(setting, "UploadPart", {
        Bucket: "my-bucket",
        Key: "big",
        UploadId: "u",
        PartNumber: 10000,
        ...sse
      })
    }
  })

  it("response overrides", async () => {
    for (const setting of [settings[0]!, settings[18]!]) {
      await compare(setting, "GetObject", {
        Bucket: "my-bucket",
        Key: "report.pdf",
        ResponseContentDisposition: 'attachment; filename="r é p.pdf"',
        ResponseContentType: "application/pdf; charset=utf-8",
        ResponseCacheControl: "no-cache, max-age=0",
        ResponseContentLanguage: "en-GB",
        ResponseContentEncoding: "gzip",
        ResponseExpires: new Date("2030-01-02T03:04:05Z"),
        VersionId: "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"
      })
      await compare(setting, "HeadObject", {
        Bucket: "my-bucket",
        Key: "k",
        PartNumber: 2,
        Range: "bytes=0-99"
      })
    }
  })

  it("expiry bounds: 1 s to 7 days, and both refuse beyond", async () => {
    for (const expiresIn of [1, 60, 3600, 86_400, 604_799, 604_800]) {
      await compare(settings[1]!, "GetObject", { Bucket: "my-bucket", Key: "k" }, expiresIn)
    }
    await expect(
      theirsFor(settings[1]!, "GetObject", { Bucket: "my-bucket", Key: "k" }, 604_801)
    ).rejects.toThrow()
    await expect(
      oursFor(settings[1]!, "GetObject", { Bucket: "my-bucket", Key: "k" }, 604_801)
    ).rejects.toThrow(/expiresIn must be/)
  })
})
