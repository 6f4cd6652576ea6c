/**
 * Paginated listing as a `Stream`: keys are printed as they arrive, and the next page is fetched
 * only when the stream is pulled (the Go SDK's `ListObjectsV2Pages`).
 *
 *   npm run example:list-objects -- -b mybucket [--prefix logs/]
 *
 * Without a configured AWS region it runs against a local S3 with 2,500 sample objects.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as S3 from "../src/Services/S3/index.js"
import * as Environment from "./support/Environment.js"

const bucket = Environment.flag("-b") ?? "listing"
const prefix = Environment.flag("--prefix")

const seed = Effect.gen(function* () {
  yield* S3.createBucket({ Bucket: bucket })
  yield* Effect.forEach(
    Array.from({ length: 2500 }, (_, i) => `sample/${String(i).padStart(4, "0")}.txt`),
    (Key) => S3.putObject({ Bucket: bucket, Key, Body: Key }),
    { concurrency: 16, discard: true }
  )
})

const program = Effect.gen(function* () {
  if (Environment.isLocal()) yield* seed
  let pages = 0
  let seen = 0
  // Print the first key of every 500 as it arrives (all of them would scroll by).
  const count = yield* S3.listObjectsV2.pages({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }).pipe(
    Stream.tap((page) => Console.log(`-- page ${++pages}: ${page.KeyCount ?? 0} keys`)),
    Stream.flatMap((page) => Stream.fromIterable(page.Contents ?? [])),
    Stream.tap((object) =>
      seen++ % 500 === 0 ? Console.log(`${object.Key} (${object.Size} bytes)`) : Effect.void
    ),
    Stream.runCount
  )
  yield* Console.log(`${count} objects in ${pages} pages`)
}).pipe(Effect.provide(S3.layer()), Effect.provide(Environment.session("s3")))

Environment.run("list-objects", program)
