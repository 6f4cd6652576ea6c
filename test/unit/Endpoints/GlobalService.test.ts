import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import { isGlobalService } from "../../../src/Endpoints/GlobalService.js"
import * as CloudFront from "../../../src/Services/CloudFront/index.js"
import * as DynamoDB from "../../../src/Services/DynamoDB/index.js"
import * as IAM from "../../../src/Services/IAM/index.js"
import * as S3 from "../../../src/Services/S3/index.js"
import * as Session from "../../../src/Session/Session.js"

const session = Session.layerWith({
  region: "us-east-1",
  credentials: Credentials.anonymous,
  transport: { send: () => Effect.die("no network in this test") }
})

describe("isGlobalService", () => {
  it.effect("tells global services from regional ones by their rules", () =>
    Effect.gen(function* () {
      const iam = yield* IAM.IAM
      const cloudFront = yield* CloudFront.CloudFront
      const dynamo = yield* DynamoDB.DynamoDB
      const s3 = yield* S3.S3
      expect(isGlobalService(iam.endpoints())).toBe(true)
      expect(isGlobalService(cloudFront.endpoints())).toBe(true)
      expect(isGlobalService(dynamo.endpoints())).toBe(false)
      expect(isGlobalService(s3.endpoints())).toBe(false)
      expect(isGlobalService(iam.endpoints(), "aws-cn")).toBe(true)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(IAM.layer(), CloudFront.layer(), DynamoDB.layer(), S3.layer()).pipe(
          Layer.provide(session)
        )
      )
    )
  )
})
