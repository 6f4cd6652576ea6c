import { describe, expect, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../src/Request/NodeTransport.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as Session from "../../src/Session/Session.js"
import * as LocalServers from "../support/LocalServers.js"

const DynaliteSession = Layer.unwrapScoped(
  Effect.map(LocalServers.dynalite, (server) =>
    Session.layerWithoutTransport({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: Credentials.fromStatic(
        Credentials.make({ accessKeyId: "local", secretAccessKey: "local" })
      )
    })
  )
).pipe(Layer.provide(NodeTransport.layer()))

const Env = DynamoDB.layer().pipe(Layer.provide(DynaliteSession))

const createTable = (TableName: string) =>
  DynamoDB.createTable({
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

describe("DynamoDB against dynalite", () => {
  layer(Env, { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("creates a table and waits until it exists", () =>
      Effect.gen(function* () {
        const created = yield* createTable("waited")
        expect(created.TableDescription?.TableName).toBe("waited")
        yield* DynamoDB.waitUntilTableExists({ TableName: "waited" })
        const described = yield* DynamoDB.describeTable({ TableName: "waited" })
        expect(described.Table?.TableStatus).toBe("ACTIVE")
      })
    )

    it.effect("put, get, update and delete an item; a failed condition is caught by tag", () =>
      Effect.gen(function* () {
        yield* createTable("items")
        yield* DynamoDB.waitUntilTableExists({ TableName: "items" })
        const key = { pk: { S: "user#1" }, sk: { N: "1" } }
        yield* DynamoDB.putItem({
          TableName: "items",
          Item: {
            ...key,
            name: { S: "Ada" },
            tags: { SS: ["a", "b"] },
            blob: { B: new Uint8Array([0, 1, 2, 255]) }
          }
        })
        const got = yield* DynamoDB.getItem({ TableName: "items", Key: key, ConsistentRead: true })
        expect(got.Item?.name).toEqual({ S: "Ada" })
        expect([...((got.Item?.blob as { B: Uint8Array } | undefined)?.B ?? [])]).toEqual([0, 1, 2, 255])
        const updated = yield* DynamoDB.updateItem({
          TableName: "items",
          Key: key,
          UpdateExpression: "SET visits = if_not_exists(visits, :zero) + :one",
          ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" } },
          ReturnValues: "ALL_NEW"
        })
        expect(updated.Attributes?.visits).toEqual({ N: "1" })
        const conflict = yield* DynamoDB.putItem({
          TableName: "items",
          Item: key,
          ConditionExpression: "attribute_not_exists(pk)"
        }).pipe(
          Effect.as("written"),
          Effect.catchTag("ConditionalCheckFailedException", (e) =>
            Effect.succeed(`conditional check failed (${e.statusCode})`)
          )
        )
        expect(conflict).toBe("conditional check failed (400)")
        yield* DynamoDB.deleteItem({ TableName: "items", Key: key })
        const gone = yield* DynamoDB.getItem({ TableName: "items", Key: key, ConsistentRead: true })
        expect(gone.Item).toBeUndefined()
      })
    )

    it.effect("query and scan in pages", () =>
      Effect.gen(function* () {
        yield* createTable("paged")
        yield* DynamoDB.waitUntilTableExists({ TableName: "paged" })
        yield* Effect.forEach(
          Array.from({ length: 25 }, (_, i) => i),
          (i) =>
            DynamoDB.putItem({
              TableName: "paged",
              Item: { pk: { S: i < 20 ? "same" : `other${i}` }, sk: { N: String(i) } }
            }),
          { concurrency: 5, discard: true }
        )
        const pages = yield* Stream.runCollect(
          DynamoDB.query.pages({
            TableName: "paged",
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: "same" } },
            Limit: 7
          })
        )
        expect(Chunk.size(pages)).toBeGreaterThanOrEqual(3)
        const queried = yield* Stream.runCollect(
          DynamoDB.query.items({
            TableName: "paged",
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: "same" } },
            Limit: 7
          })
        )
        expect(Chunk.toArray(queried).map((item) => item.sk)).toEqual(
          Array.from({ length: 20 }, (_, i) => ({ N: String(i) }))
        )
        const scanned = yield* Stream.runCollect(DynamoDB.scan.items({ TableName: "paged", Limit: 4 }))
        expect(Chunk.size(scanned)).toBe(25)
      })
    )

    it.effect("ResourceNotFoundException is caught by tag", () =>
      Effect.gen(function* () {
        const missing = yield* DynamoDB.getItem({ TableName: "no-such-table", Key: { pk: { S: "x" } } }).pipe(
          Effect.as("found"),
          Effect.catchTag("ResourceNotFoundException", (e) => Effect.succeed(`not found: ${e.message}`))
        )
        expect(missing).toMatch(/^not found: /)
      })
    )
  })
})
