/** One GetObject with `aws4fetch` (see ours.ts for what the programs do). */
import { AwsClient } from "aws4fetch"
import { pool, report } from "./report.js"

const aws = new AwsClient({
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "secret",
  service: "s3",
  region: "us-east-1"
})
const url = `${process.env.BENCH_ENDPOINT ?? "http://127.0.0.1:9000"}/bench/data/object-1k.bin`
pool(async () => {
  const res = await aws.fetch(url)
  return res.arrayBuffer()
}).then(report, (e) => {
  console.error(e)
  process.exit(1)
})
