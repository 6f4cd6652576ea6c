/**
 * The AWS SDK for Go's "upload with a timeout" example, in Effect.
 *
 *   npm run example -- -b mybucket -k myKey -d 10m < myfile.txt
 *
 * Uploads stdin (or a short sample text when stdin is a terminal) to bucket/key. `-d` is a Go
 * duration (`10m`, `30s`, `1500ms`); when it runs out the upload is interrupted — the request is
 * aborted and its connection released — and the program prints "upload canceled due to timeout"
 * and exits non-zero, like the Go example. Without a configured AWS region it runs against a
 * local S3 it starts itself (see support/Environment.ts), creating the bucket first.
 */
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as S3 from "../src/Services/S3/index.js"
import * as Environment from "./support/Environment.js"

const goDuration = (text: string): Duration.Duration => {
  const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(text)
  if (match === null) throw new Error(`invalid duration ${JSON.stringify(text)} (examples: 10m, 30s, 1500ms)`)
  const n = Number(match[1])
  const unit = match[2]!
  const millis = { ns: n / 1e6, us: n / 1e3, µs: n / 1e3, ms: n, s: n * 1e3, m: n * 6e4, h: n * 3.6e6 }[unit]!
  return Duration.millis(millis)
}

const sample = new TextEncoder().encode("Hello from effect-aws-sdk!\n")

/** Stdin, or the sample when stdin is a terminal or empty. */
const readStdin = Effect.promise(async () => {
  if (process.stdin.isTTY) return sample
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  const bytes = new Uint8Array(Buffer.concat(chunks))
  return bytes.length === 0 ? sample : bytes
})

const bucket = Environment.flag("-b") ?? "examples"
const key = Environment.flag("-k") ?? "hello.txt"
const timeout = Option.map(Option.fromNullable(Environment.flag("-d")), goDuration)

const upload = Effect.gen(function* () {
  const body = yield* readStdin
  yield* S3.putObject({ Bucket: bucket, Key: key, Body: body })
  return body.length
})

const fail = (message: string) =>
  Effect.zipRight(
    Console.error(message),
    Effect.sync(() => {
      process.exitCode = 1
    })
  )

const program = Effect.gen(function* () {
  // The Go example expects the bucket to exist; against a fresh local S3 we make it.
  yield* S3.createBucket({ Bucket: bucket }).pipe(
    Effect.catchTags({ BucketAlreadyOwnedByYou: () => Effect.void, BucketAlreadyExists: () => Effect.void })
  )
  const bytes = yield* Option.match(timeout, {
    onNone: () => upload,
    onSome: (d) => Effect.timeout(upload, d)
  })
  yield* Console.log(`successfully uploaded ${bytes} bytes to ${bucket}/${key}`)
}).pipe(
  Effect.catchTag("TimeoutException", (e) => fail(`upload canceled due to timeout, ${e.message}`)),
  Effect.catchAll((e) => fail(`failed to upload object, ${e._tag}: ${e.message}`)),
  Effect.provide(S3.layer()),
  Effect.provide(Environment.session("s3"))
)

Environment.run("upload-with-timeout", program)
