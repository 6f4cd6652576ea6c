/**
 * Paginators and waiters of generated clients against a loopback server; waiter delays run on
 * `TestClock`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as CloudFormation from "../../../src/Services/CloudFormation/index.js"
import * as DynamoDB from "../../../src/Services/DynamoDB/index.js"
import * as S3 from "../../../src/Services/S3/index.js"
import * as SQS from "../../../src/Services/SQS/index.js"
import { runDriven } from "../../support/Clock.js"
import type * as FaultServer from "../../support/FaultServer.js"
import { sessionOn, withServer } from "../../support/LoopbackSession.js"

const json = (body: unknown, status = 200, version = "1.0"): FaultServer.Reply => ({
  status,
  headers: { "content-type": `application/x-amz-json-${version}` },
  body: JSON.stringify(body)
})
const bodyOf = (server: FaultServer.FaultServer, i: number) =>
  JSON.parse(server.received[i]!.body.toString()) as Record<string, unknown>

const sqs = <A, E>(server: FaultServer.FaultServer, effect: Effect.Effect<A, E, SQS.SQS>) =>
  effect.pipe(Effect.provide(SQS.layer()), Effect.provide(sessionOn(server)))

describe("paginators", () => {
  it.effect("pages follow the output token into the next input", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([json({ QueueUrls: ["q1", "q2"], NextToken: "t1" }), json({ QueueUrls: ["q3"] })])
        const items = yield* sqs(server, Stream.runCollect(SQS.listQueues.items({ MaxResults: 2 })))
        expect(Chunk.toReadonlyArray(items)).toEqual(["q1", "q2", "q3"])
        expect(server.received).toHaveLength(2)
        expect(bodyOf(server, 0)).toEqual({ MaxResults: 2 })
        expect(bodyOf(server, 1)).toEqual({ MaxResults: 2, NextToken: "t1" })
      })
    )
  )

  it.effect("the next page is requested only when the consumer pulls", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([json({ QueueUrls: ["q1"], NextToken: "t1" }), json({ QueueUrls: ["q2"] })])
        const first = yield* sqs(server, Stream.runHead(SQS.listQueues.pages({})))
        expect(Option.getOrThrow(first).QueueUrls).toEqual(["q1"])
        expect(server.received).toHaveLength(1)
      })
    )
  )

  it.effect("a repeated token fails with RepeatedPageToken", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([json({ QueueUrls: ["q1"], NextToken: "same" })])
        const error = yield* sqs(server, Stream.runDrain(SQS.listQueues.pages({})).pipe(Effect.flip))
        expect(error._tag).toBe("RepeatedPageToken")
        expect(server.received).toHaveLength(2)
      })
    )
  )

  it.effect("JMESPath output tokens and more_results (S3 ListObjects: NextMarker || Contents[-1].Key)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        const page = (keys: ReadonlyArray<string>, truncated: boolean) => ({
          status: 200,
          headers: { "content-type": "application/xml" },
          body: `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>${truncated}</IsTruncated>${keys
            .map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`)
            .join("")}</ListBucketResult>`
        })
        server.script([page(["a", "b"], true), page(["c"], false)])
        const keys = yield* Stream.runCollect(
          Stream.map(S3.listObjects.items({ Bucket: "b" }), (o) => o.Key)
        ).pipe(Effect.provide(S3.layer({ s3: { forcePathStyle: true } })), Effect.provide(sessionOn(server)))
        expect(Chunk.toReadonlyArray(keys)).toEqual(["a", "b", "c"])
        expect(server.received).toHaveLength(2)
        expect(server.received[1]!.url).toBe("/b?marker=b")
      })
    )
  )
})

const dynamo = <A, E>(server: FaultServer.FaultServer, effect: Effect.Effect<A, E, DynamoDB.DynamoDB>) =>
  effect.pipe(Effect.provide(DynamoDB.layer()), Effect.provide(sessionOn(server)))
const table = (status: string) => json({ Table: { TableName: "t", TableStatus: status } })
const notFound = json(
  { __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "no table" },
  400
)

describe("waiters", () => {
  it.effect(
    "retries on a retry acceptor and on no match, succeeds on a path acceptor, with the model's delay",
    () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.script([notFound, table("CREATING"), table("ACTIVE")])
          const { exit, delays } = yield* runDriven(
            dynamo(server, DynamoDB.waitUntilTableExists({ TableName: "t" }))
          )
          expect(Exit.isSuccess(exit)).toBe(true)
          expect(server.received).toHaveLength(3)
          expect(delays).toEqual([20_000, 20_000])
        })
      )
  )

  it.effect("WaiterTimeout when the attempts run out", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([table("CREATING")])
        const { exit } = yield* runDriven(
          dynamo(server, DynamoDB.waitUntilTableExists({ TableName: "t" }, { maxAttempts: 3 }))
        )
        const failure = yield* Effect.flip(exit)
        expect(failure._tag).toBe("WaiterTimeout")
        expect(server.received).toHaveLength(3)
      })
    )
  )

  it.effect("WaiterFailure when a failure acceptor matches (pathAny)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          {
            status: 200,
            headers: { "content-type": "text/xml" },
            body: `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>app</StackName><StackStatus>CREATE_FAILED</StackStatus><CreationTime>2021-05-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`
          }
        ])
        const failure = yield* CloudFormation.waitUntilStackCreateComplete({ StackName: "app" }).pipe(
          Effect.flip,
          Effect.provide(CloudFormation.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(failure._tag).toBe("WaiterFailure")
        if (failure._tag === "WaiterFailure") {
          expect(failure.acceptor).toMatchObject({ matcher: "pathAny", expected: "CREATE_FAILED" })
          expect(failure.attempts).toBe(1)
        }
      })
    )
  )

  it.effect("an error no acceptor matches ends the wait with that error", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          json({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "boom" }, 400)
        ])
        const failure = yield* dynamo(
          server,
          DynamoDB.waitUntilTableExists({ TableName: "t" }, { maxAttempts: 1 }).pipe(Effect.flip)
        )
        expect(failure._tag).toBe("InternalServerError")
      })
    )
  )

  it.effect("minDelay / maxDelay give capped exponential delays", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          table("CREATING"),
          table("CREATING"),
          table("CREATING"),
          table("CREATING"),
          table("ACTIVE")
        ])
        const { exit, delays } = yield* runDriven(
          dynamo(
            server,
            DynamoDB.waitUntilTableExists({ TableName: "t" }, { minDelay: "1 second", maxDelay: "3 seconds" })
          )
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(delays).toEqual([1000, 2000, 3000, 3000])
      })
    )
  )

  it.effect("a custom Schedule replaces the delays", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([table("CREATING"), table("CREATING"), table("ACTIVE")])
        const { exit, delays } = yield* runDriven(
          dynamo(
            server,
            DynamoDB.waitUntilTableExists({ TableName: "t" }, { schedule: Schedule.spaced("7 seconds") })
          )
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(delays).toEqual([7000, 7000])
      })
    )
  )

  it.effect("interruption stops the polling", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([table("CREATING")])
        const { exit } = yield* runDriven(
          dynamo(
            server,
            DynamoDB.waitUntilTableExists({ TableName: "t" }).pipe(Effect.timeout(Duration.seconds(50)))
          )
        )
        const failure = yield* Effect.flip(exit)
        expect(failure._tag).toBe("TimeoutException")
        // attempts at 0 s, 20 s and 40 s; none after the timeout
        expect(server.received).toHaveLength(3)
      })
    )
  )
})
