/**
 * DynamoDB: create a table, wait until it exists, put items, and read them back as a paginated
 * `Stream` of query results.
 *
 *   npm run example:dynamodb
 *
 * Without a configured AWS region it runs against a local DynamoDB (dynalite) started here.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as DynamoDB from "../src/Services/DynamoDB/index.js"
import * as Environment from "./support/Environment.js"

const TableName = Environment.flag("-t") ?? "effect-aws-sdk-example"

const program = Effect.gen(function* () {
  yield* DynamoDB.createTable({
    TableName,
    AttributeDefinitions: [
      { AttributeName: "user", AttributeType: "S" },
      { AttributeName: "at", AttributeType: "N" }
    ],
    KeySchema: [
      { AttributeName: "user", KeyType: "HASH" },
      { AttributeName: "at", KeyType: "RANGE" }
    ],
    BillingMode: "PAY_PER_REQUEST"
  }).pipe(Effect.catchTag("ResourceInUseException", () => Console.log(`table ${TableName} already exists`)))
  yield* DynamoDB.waitUntilTableExists({ TableName }, { minDelay: "1 second", maxDelay: "5 seconds" })
  yield* Console.log(`table ${TableName} is active`)

  yield* Effect.forEach(
    Array.from({ length: 12 }, (_, i) => i),
    (i) =>
      DynamoDB.putItem({
        TableName,
        Item: {
          user: { S: "ada" },
          at: { N: String(1_700_000_000 + i) },
          action: { S: i % 3 === 0 ? "login" : "read" }
        }
      }),
    { concurrency: 4, discard: true }
  )

  let page = 0
  const logins = yield* DynamoDB.query
    .pages({
      TableName,
      KeyConditionExpression: "#u = :u",
      FilterExpression: "#a = :login",
      ExpressionAttributeNames: { "#u": "user", "#a": "action" },
      ExpressionAttributeValues: { ":u": { S: "ada" }, ":login": { S: "login" } },
      Limit: 5
    })
    .pipe(
      Stream.tap((p) => Console.log(`page ${++page}: scanned ${p.ScannedCount}, matched ${p.Count}`)),
      Stream.flatMap((p) => Stream.fromIterable(p.Items ?? [])),
      Stream.runCollect
    )
  yield* Console.log(`ada logged in ${logins.length} times`)
}).pipe(Effect.provide(DynamoDB.layer()), Effect.provide(Environment.session("dynamodb")))

Environment.run("dynamodb", program)
