/**
 * Presigned requests (`operation.presign`): what a plain HTTP client must send for one call.
 * A URL signs `host` and only the headers the caller chose; query-protocol operations become a GET
 * with every parameter in the query (as Go v1 and botocore make them: IAM authentication with a
 * presigned `GetCallerIdentity`); other operations that need a body, and expiries outside
 * 1 s .. 7 days, are refused with a `PresignError`. Signatures are checked against
 * `@smithy/signature-v4` (the JS v3 signer) on the same request.
 */
import { describe, expect, it } from "@effect/vitest"
import { Hash } from "@smithy/hash-node"
import { SignatureV4 } from "@smithy/signature-v4"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../../../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../../../src/Request/NodeTransport.js"
import * as DynamoDB from "../../../../src/Services/DynamoDB/index.js"
import * as EC2 from "../../../../src/Services/EC2/index.js"
import * as S3 from "../../../../src/Services/S3/index.js"
import * as STS from "../../../../src/Services/STS/index.js"
import * as Session from "../../../../src/Session/Session.js"

const NOW = Date.parse("2026-03-04T05:06:07Z")
const keys = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }

const session = Session.layerWithoutTransport({
  region: "us-west-2",
  credentials: Credentials.fromStatic(Credentials.make(keys))
}).pipe(Layer.provide(NodeTransport.layer()))

const at = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flatMap(TestClock.setTime(NOW), () => effect)

const signedHeaders = (url: string) => new URL(url).searchParams.get("X-Amz-SignedHeaders")

/** The signature `@smithy/signature-v4` gives the same GET (no body, only `host` signed). */
const reference = async (url: string, service: string, region: string, expiresIn = 900) => {
  const u = new URL(url)
  const query: Record<string, string | Array<string>> = {}
  for (const [k, v] of u.searchParams) {
    if (k.startsWith("X-Amz-")) continue
    const had = query[k]
    query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v]
  }
  const signer = new SignatureV4({ credentials: keys, region, service, sha256: Hash.bind(null, "sha256") })
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: u.protocol,
      hostname: u.hostname,
      path: u.pathname,
      query,
      headers: { host: u.host }
    },
    { signingDate: new Date(NOW), expiresIn }
  )
  return signed.query!["X-Amz-Signature"]
}

describe("presign", () => {
  it.effect("a PutObject or UploadPart URL signs no Content-Type the caller did not set", () =>
    at(
      Effect.gen(function* () {
        const put = yield* S3.putObject.presign({ Bucket: "bucket", Key: "k" }, { expiresIn: 900 })
        expect(put.method).toBe("PUT")
        expect(signedHeaders(put.url)).toBe("host")
        expect(put.headers).toEqual({})
        const part = yield* S3.uploadPart.presign(
          { Bucket: "bucket", Key: "k", UploadId: "u", PartNumber: 1 },
          { expiresIn: 900 }
        )
        expect(signedHeaders(part.url)).toBe("host")
        expect(part.headers).toEqual({})
        expect(part.url).not.toContain("checksum")
      }).pipe(Effect.provide(S3.layer().pipe(Layer.provide(session))))
    )
  )

  it.effect("a ContentType the caller set is signed and must be sent", () =>
    at(
      Effect.gen(function* () {
        const put = yield* S3.putObject.presign(
          { Bucket: "bucket", Key: "k", ContentType: "image/png" },
          { expiresIn: 900 }
        )
        expect(signedHeaders(put.url)).toBe("content-type;host")
        expect(put.headers).toEqual({ "content-type": "image/png" })
      }).pipe(Effect.provide(S3.layer().pipe(Layer.provide(session))))
    )
  )

  it.effect("STS GetCallerIdentity and AssumeRole are GETs with every parameter in the query", () =>
    at(
      Effect.gen(function* () {
        const identity = yield* STS.getCallerIdentity.presign({}, { expiresIn: 900 })
        expect(identity.method).toBe("GET")
        expect(identity.headers).toEqual({})
        const url = new URL(identity.url)
        expect(url.host).toBe("sts.us-west-2.amazonaws.com")
        expect(url.searchParams.get("Action")).toBe("GetCallerIdentity")
        expect(url.searchParams.get("Version")).toBe("2011-06-15")
        expect(signedHeaders(identity.url)).toBe("host")
        expect(url.searchParams.get("X-Amz-Signature")).toBe(
          yield* Effect.promise(() => reference(identity.url, "sts", "us-west-2"))
        )
        const role = yield* STS.assumeRole.presign(
          { RoleArn: "arn:aws:iam::123456789012:role/r", RoleSessionName: "s p+a/c=e", DurationSeconds: 900 },
          { expiresIn: 60 }
        )
        const params = new URL(role.url).searchParams
        expect(params.get("Action")).toBe("AssumeRole")
        expect(params.get("RoleSessionName")).toBe("s p+a/c=e")
        expect(params.get("DurationSeconds")).toBe("900")
        expect(params.get("X-Amz-Signature")).toBe(
          yield* Effect.promise(() => reference(role.url, "sts", "us-west-2", 60))
        )
      }).pipe(Effect.provide(STS.layer().pipe(Layer.provide(session))))
    )
  )

  it.effect("EC2 DescribeRegions puts its list parameters in the query of a GET", () =>
    at(
      Effect.gen(function* () {
        const presigned = yield* EC2.describeRegions.presign(
          { RegionNames: ["us-east-1", "eu-west-1"], AllRegions: true },
          { expiresIn: 900 }
        )
        expect(presigned.method).toBe("GET")
        const params = new URL(presigned.url).searchParams
        expect(params.get("Action")).toBe("DescribeRegions")
        expect(params.get("RegionName.1")).toBe("us-east-1")
        expect(params.get("RegionName.2")).toBe("eu-west-1")
        expect(params.get("AllRegions")).toBe("true")
        expect(params.get("X-Amz-Signature")).toBe(
          yield* Effect.promise(() => reference(presigned.url, "ec2", "us-west-2"))
        )
      }).pipe(Effect.provide(EC2.layer().pipe(Layer.provide(session))))
    )
  )

  it.effect("an operation whose request needs a body is refused with a PresignError", () =>
    at(
      Effect.gen(function* () {
        const json = yield* Effect.flip(
          DynamoDB.getItem.presign({ TableName: "t", Key: { id: { S: "1" } } }, { expiresIn: 60 })
        ).pipe(Effect.provide(DynamoDB.layer().pipe(Layer.provide(session))))
        expect(json._tag).toBe("PresignError")
        expect(json).toMatchObject({ operation: "GetItem", reason: "BodyRequired" })
        expect(json.message).toContain("request body")
        const xml = yield* Effect.flip(
          S3.deleteObjects.presign({ Bucket: "b", Delete: { Objects: [{ Key: "k" }] } }, { expiresIn: 60 })
        ).pipe(Effect.provide(S3.layer().pipe(Layer.provide(session))))
        expect(xml).toMatchObject({
          _tag: "PresignError",
          operation: "DeleteObjects",
          reason: "BodyRequired"
        })
      })
    )
  )

  it.effect("expiresIn is 1 s .. 7 days, else a PresignError that says so", () =>
    at(
      Effect.gen(function* () {
        for (const expiresIn of [1, 604_800]) {
          const ok = yield* S3.getObject.presign({ Bucket: "bucket", Key: "k" }, { expiresIn })
          expect(new URL(ok.url).searchParams.get("X-Amz-Expires")).toBe(String(expiresIn))
          expect(ok.expiresAt.getTime()).toBe(NOW + expiresIn * 1000)
        }
        for (const expiresIn of [0, 604_801, 1.5, Number.NaN]) {
          const error = yield* Effect.flip(
            S3.getObject.presign({ Bucket: "bucket", Key: "k" }, { expiresIn })
          )
          expect(error).toMatchObject({ _tag: "PresignError", reason: "ExpiresIn", operation: "GetObject" })
          expect(error.message).toContain("604800")
        }
      }).pipe(Effect.provide(S3.layer().pipe(Layer.provide(session))))
    )
  )
})
