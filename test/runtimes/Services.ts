/**
 * The runtime slice's S3 and DynamoDB calls over a given transport, against the local S3 and
 * DynamoDB that `scripts/runtimes.mjs` started behind its signature-checking proxy. Shared by the
 * command-line run (`Slice.ts`: Node, Bun, Deno), the Worker (`Worker.ts`: workerd) and the page
 * (`Browser.ts`: Chromium).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as HttpClientTransport from "../../src/Request/HttpClientTransport.js"
import type { Transport } from "../../src/Request/Transport.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as Session from "../../src/Session/Session.js"
import { assert, type Check, equal, text } from "./Check.js"

const readAll = <E>(body: Stream.Stream<Uint8Array, E> | undefined) =>
  Effect.map(Stream.runCollect(body ?? Stream.empty), (chunks) => {
    const parts = Chunk.toArray(chunks)
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return new TextDecoder().decode(out)
  })

const s3Env = (s3Endpoint: string, transport: Layer.Layer<Transport>) =>
  S3.layer().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: "us-east-1",
        endpoint: s3Endpoint,
        credentials: Credentials.fromStatic(
          Credentials.make({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" })
        ),
        s3: { forcePathStyle: true },
        requestChecksumCalculation: "when_required"
      })
    ),
    Layer.provide(transport)
  )

const dynamoEnv = (dynamoEndpoint: string, transport: Layer.Layer<Transport>) =>
  DynamoDB.layer().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: "us-east-1",
        endpoint: dynamoEndpoint,
        credentials: Credentials.fromStatic(
          Credentials.make({ accessKeyId: "local", secretAccessKey: "local" })
        )
      })
    ),
    Layer.provide(transport)
  )

const s3Calls = (runName: string, tag: string) =>
  Effect.gen(function* () {
    const Bucket = `rt-${runName}-${tag}`
    yield* S3.createBucket({ Bucket })
    yield* S3.waitUntilBucketExists({ Bucket })
    const key = "dir/hello wörld+1.txt"
    yield* S3.putObject({ Bucket, Key: key, Body: text("hello from a runtime"), ContentType: "text/plain" })
    const body = yield* Effect.scoped(
      Effect.flatMap(S3.getObject({ Bucket, Key: key }), (o) => readAll(o.Body))
    )
    equal(body, "hello from a runtime", "GetObject body")
    const head = yield* S3.headObject({ Bucket, Key: key })
    equal(head.ContentLength, 20, "HeadObject ContentLength")
    yield* Effect.forEach(
      Array.from({ length: 25 }, (_, i) => `many/${String(i).padStart(2, "0")}`),
      (Key) => S3.putObject({ Bucket, Key, Body: text(Key) }),
      { concurrency: 5, discard: true }
    )
    const pages = yield* Stream.runCollect(S3.listObjectsV2.pages({ Bucket, Prefix: "many/", MaxKeys: 10 }))
    equal(Chunk.size(pages), 3, "ListObjectsV2 pages of 10 over 25 keys")
    const keys = yield* Stream.runCollect(S3.listObjectsV2.items({ Bucket, Prefix: "many/", MaxKeys: 10 }))
    equal(Chunk.size(keys), 25, "ListObjectsV2 items")
    const presigned = yield* S3.getObject.presign({ Bucket, Key: key }, { expiresIn: 300 })
    const fetched = yield* Effect.promise(() =>
      fetch(presigned.url, { method: presigned.method, headers: presigned.headers }).then(async (r) => [
        r.status,
        await r.text()
      ])
    )
    equal(fetched, [200, "hello from a runtime"], "presigned GET through fetch")
    yield* S3.deleteObject({ Bucket, Key: key })
    const gone = yield* Effect.flip(S3.headObject({ Bucket, Key: key }))
    equal(gone._tag, "NotFound", "HeadObject after DeleteObject")
  })

const dynamoCalls = (runName: string, tag: string) =>
  Effect.gen(function* () {
    const TableName = `rt-${runName}-${tag}`
    yield* DynamoDB.createTable({
      TableName,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" }
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" }
      ],
      BillingMode: "PAY_PER_REQUEST"
    })
    yield* DynamoDB.waitUntilTableExists({ TableName })
    yield* Effect.forEach(
      Array.from({ length: 7 }, (_, i) => i),
      (i) => DynamoDB.putItem({ TableName, Item: { pk: { S: "same" }, sk: { N: String(i) } } }),
      { concurrency: 3, discard: true }
    )
    const items = yield* Stream.runCollect(
      DynamoDB.query.items({
        TableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: "same" } },
        Limit: 3
      })
    )
    equal(
      Chunk.toArray(items).map((item) => item.sk),
      Array.from({ length: 7 }, (_, i) => ({ N: String(i) })),
      "Query items in pages of 3"
    )
    const failed = yield* Effect.flip(
      DynamoDB.putItem({
        TableName,
        Item: { pk: { S: "same" }, sk: { N: "0" } },
        ConditionExpression: "attribute_not_exists(pk)"
      })
    )
    equal(failed._tag, "ConditionalCheckFailedException", "failed condition, by tag")
  })

/** Where the harness's servers are, and a name that keeps this run's buckets and tables apart. */
export interface Target {
  readonly s3Endpoint: string
  readonly dynamoEndpoint: string
  /** A server that holds every request unanswered; `/_status?bucket=B` tells what it saw of `/B/...`. */
  readonly hangEndpoint: string
  readonly runName: string
}

/** What the hanging server saw of one bucket's requests: how many came, how many are still open. */
const hangStatus = (hangEndpoint: string, bucket: string) =>
  Effect.promise(() =>
    fetch(`${hangEndpoint}/_status?bucket=${bucket}`).then(
      (r) => r.json() as Promise<{ readonly seen: number; readonly open: number }>
    )
  )

/** Polls until `done` holds (at most 100 times, 50 ms apart); the last status either way. */
const pollHang = (
  hangEndpoint: string,
  bucket: string,
  done: (s: { readonly seen: number; readonly open: number }) => boolean
) =>
  Effect.iterate(
    { attempt: 1, status: undefined as { readonly seen: number; readonly open: number } | undefined },
    {
      while: (s) => s.status === undefined || (s.attempt < 100 && !done(s.status)),
      body: (s) =>
        Effect.map(
          Effect.zipRight(Effect.sleep(s.status === undefined ? 0 : 50), hangStatus(hangEndpoint, bucket)),
          (status) => ({ attempt: s.attempt + 1, status })
        )
    }
  ).pipe(Effect.map((s) => s.status))

/**
 * A call the server never answers, interrupted once the server has it: the interruption ends the
 * call, and the connection closes (the transport lets nothing leak past the interrupted fiber).
 */
const interruptedCall = (runName: string, tag: string, hangEndpoint: string) =>
  Effect.gen(function* () {
    const Bucket = `hang-${runName}-${tag}`
    const fiber = yield* Effect.fork(Effect.scoped(S3.getObject({ Bucket, Key: "never" })))
    const arrived = yield* pollHang(hangEndpoint, Bucket, (s) => s.seen > 0)
    equal(arrived, { seen: 1, open: 1 }, "the server holds the request")
    const exit = yield* Fiber.interrupt(fiber)
    assert(exit._tag === "Failure", `the interrupted call ended with ${exit._tag}`)
    const after = yield* pollHang(hangEndpoint, Bucket, (s) => s.open === 0)
    equal(after, { seen: 1, open: 0 }, "the connection after the interruption")
  })

/** S3 and DynamoDB calls over one transport. */
export const serviceChecks = (
  target: Target,
  name: string,
  transport: Layer.Layer<Transport>
): Array<Check> => {
  const tag = name.replace(/[^a-z0-9]/g, "")
  const runName = target.runName.toLowerCase().replace(/[^a-z0-9]/g, "-")
  return [
    [
      `S3 over ${name}: create, put, get, head, paginated list, presigned GET, delete`,
      () => Effect.runPromise(Effect.provide(s3Calls(runName, tag), s3Env(target.s3Endpoint, transport)))
    ],
    [
      `S3 over ${name}: a call the server holds, interrupted, closes its connection`,
      () =>
        Effect.runPromise(
          Effect.provide(
            interruptedCall(runName, tag, target.hangEndpoint),
            s3Env(target.hangEndpoint, transport)
          )
        )
    ],
    [
      `DynamoDB over ${name}: create table, waiter, put, paginated query, conditional failure`,
      () =>
        Effect.runPromise(
          Effect.provide(dynamoCalls(runName, tag), dynamoEnv(target.dynamoEndpoint, transport))
        )
    ]
  ]
}

/** The `fetch` transport: `@effect/platform`'s `FetchHttpClient` through the SDK's adapter. */
export const fetchTransport: Layer.Layer<Transport> = HttpClientTransport.layer().pipe(
  Layer.provide(FetchHttpClient.layer)
)
