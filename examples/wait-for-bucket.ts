/**
 * A waiter with a timeout: poll until the bucket exists (the Go SDK's `WaitUntilBucketExists`),
 * giving up after `-d` (default 30s). Interrupting the wait (the timeout) stops the polling at once.
 *
 *   npm run example:wait-for-bucket -- -b mybucket -d 30s
 *
 * Locally, the bucket is created two seconds after the waiting starts.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as S3 from "../src/Services/S3/index.js"
import * as Environment from "./support/Environment.js"

const bucket = Environment.flag("-b") ?? "awaited"
const limit = Environment.flag("-d") ?? "30 seconds"

const program = Effect.gen(function* () {
  if (Environment.isLocal()) {
    yield* Effect.forkScoped(Effect.delay(S3.createBucket({ Bucket: bucket }), "2 seconds"))
  }
  yield* Console.log(`waiting for bucket ${bucket} (at most ${limit})...`)
  const started = Date.now()
  yield* S3.waitUntilBucketExists({ Bucket: bucket }, { minDelay: "500 millis", maxDelay: "5 seconds" }).pipe(
    Effect.timeoutFail({
      duration: limit.replace(/^(\d+)s$/, "$1 seconds") as "30 seconds",
      onTimeout: () => new Error(`bucket ${bucket} did not appear within ${limit}`)
    })
  )
  yield* Console.log(`bucket ${bucket} exists (after ${((Date.now() - started) / 1000).toFixed(1)} s)`)
}).pipe(Effect.scoped, Effect.provide(S3.layer()), Effect.provide(Environment.session("s3")))

Environment.run("wait-for-bucket", program)
