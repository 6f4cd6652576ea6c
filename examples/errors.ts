/**
 * Typed errors and retry policies: every error an operation can fail with is in its type, so
 * `Effect.catchTag` is checked by the compiler; retry policies are set per session, client or
 * call (`Request.withRetry`, or the `retry` / `maxAttempts` / `timeout` options).
 *
 *   npm run example:errors
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { Request, Retry } from "../src/index.js"
import * as S3 from "../src/Services/S3/index.js"
import * as Environment from "./support/Environment.js"

const bucket = Environment.flag("-b") ?? "errors-example"

const program = Effect.gen(function* () {
  if (Environment.isLocal()) yield* S3.createBucket({ Bucket: bucket })

  // 1. A modeled error, caught by its tag (the compiler knows GetObject can fail with NoSuchKey).
  const text = yield* Effect.scoped(S3.getObject({ Bucket: bucket, Key: "missing.txt" })).pipe(
    Effect.as("found it"),
    Effect.catchTag("NoSuchKey", (e) =>
      Effect.succeed(`NoSuchKey (HTTP ${e.statusCode}, request ${e.requestId ?? "-"}): ${e.message}`)
    )
  )
  yield* Console.log(text)

  // 2. Everything else by category: service errors carry their code and a retry classification.
  const described = yield* S3.headBucket({ Bucket: "no-such-bucket-example" }).pipe(
    Effect.as("exists"),
    Effect.catchAll((e) =>
      Effect.succeed(
        "classification" in e ? `${e._tag}: ${e.code} (${e.classification})` : `${e._tag}: ${e.message}`
      )
    )
  )
  yield* Console.log(described)

  // 3. Retry policies per call: no retries for this one...
  yield* S3.headBucket({ Bucket: bucket }).pipe(Request.withRetry(Retry.none))
  // ...five attempts with the standard backoff for this one...
  yield* S3.listObjectsV2({ Bucket: bucket }, { maxAttempts: 5, timeout: "10 seconds" })
  // ...or any Schedule (retryable errors only; the retry quota still applies).
  const spaced = Retry.fromSchedule(
    Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
  )
  yield* S3.listObjectsV2({ Bucket: bucket }, { retry: spaced })
  yield* Console.log("calls with per-call retry policies succeeded")

  // 4. Invalid input is rejected before anything is sent, every problem at once.
  const invalid = yield* S3.deleteObjects({
    Bucket: bucket,
    Delete: { Objects: [{ Key: "" }, {} as never] }
  }).pipe(
    Effect.as("sent"),
    Effect.catchTag("InvalidParams", (e) => Effect.succeed(e.message))
  )
  yield* Console.log(invalid)
}).pipe(Effect.provide(S3.layer()), Effect.provide(Environment.session("s3")))

Environment.run("errors", program)
