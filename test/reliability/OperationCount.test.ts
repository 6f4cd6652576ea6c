/**
 * A deterministic guard on the work every call does (issue 21): the Effect run-loop operations of
 * one call (each is a run-loop turn and at least one allocation) over an in-memory transport, as
 * `bench/tools/op-count.ts` counts them, must stay at or under the ceiling recorded here. A change
 * that adds work to every call fails with the number; if the extra work is wanted, raise the
 * ceiling in the same commit and say why in its message. A drop is good news: lower the ceiling.
 */
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { answering, clientOf, session } from "../../bench/lib/offline.js"
import { operationsOf } from "../../bench/lib/op-counter.js"
import * as Body from "../../src/Request/Body.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as S3 from "../../src/Services/S3/index.js"

/**
 * Operations per call (providing the client included), net of the counting wrapper's own
 * (`Effect.void`'s count). Recorded 2026-12-07 at e2c038c.
 */
const CEILING = {
  "S3 GetObject + Body.bytes": 82,
  "S3 HeadObject": 84,
  "DynamoDB GetItem": 84
} as const

const s3 = clientOf(
  S3.S3,
  S3.layer(),
  session(
    answering(
      { "content-length": "1024", etag: '"x"', "last-modified": "Wed, 12 Oct 2009 17:50:00 GMT" },
      new Uint8Array(1024)
    )
  )
)
const itemBody = new TextEncoder().encode('{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}')
const dynamodb = clientOf(
  DynamoDB.DynamoDB,
  DynamoDB.layer(),
  session(
    answering(
      { "content-type": "application/x-amz-json-1.0", "content-length": String(itemBody.length) },
      itemBody
    )
  )
)

const count = (effect: Effect.Effect<unknown, unknown>) =>
  operationsOf(effect, Effect.runPromise).then(({ count }) => count)

describe("run-loop operations per call", () => {
  it.each(Object.entries(CEILING))("%s stays at or under its ceiling", async (name, ceiling) => {
    const calls: Record<keyof typeof CEILING, Effect.Effect<unknown, unknown>> = {
      "S3 GetObject + Body.bytes": Effect.scoped(
        Effect.flatMap(S3.getObject({ Bucket: "b", Key: "k" }), (o) => Body.bytes(o.Body))
      ).pipe(Effect.provideService(S3.S3, s3)),
      "S3 HeadObject": S3.headObject({ Bucket: "b", Key: "k" }).pipe(Effect.provideService(S3.S3, s3)),
      "DynamoDB GetItem": DynamoDB.getItem({ TableName: "t", Key: { pk: { S: "a" } } }).pipe(
        Effect.provideService(DynamoDB.DynamoDB, dynamodb)
      )
    }
    const wrapper = await count(Effect.void)
    const ops = (await count(calls[name as keyof typeof CEILING])) - wrapper
    expect(ops, `${name}: ${ops} operations per call, ceiling ${ceiling}`).toBeLessThanOrEqual(ceiling)
    expect(
      ops,
      `${name}: ${ops} operations, under its ceiling ${ceiling}: lower the ceiling`
    ).toBeGreaterThan(ceiling - 5)
  })
})
