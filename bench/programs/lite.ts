/** One GetObject with `@aws-lite/client` + `@aws-lite/s3` (see ours.ts for what the programs do). */
import awsLite from "@aws-lite/client"
// @ts-expect-error: @aws-lite/s3 ships no types
import s3 from "@aws-lite/s3"
import { pool, report } from "./report.js"

const aws = await awsLite({
  region: "us-east-1",
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "secret",
  endpoint: process.env.BENCH_ENDPOINT ?? "http://127.0.0.1:9000",
  keepAlive: true,
  autoloadPlugins: false,
  plugins: [s3]
})
type LiteS3 = { S3: { GetObject: (input: Record<string, unknown>) => Promise<unknown> } }
pool(() => (aws as unknown as LiteS3).S3.GetObject({ Bucket: "bench", Key: "data/object-1k.bin" })).then(
  report,
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
