/** One GetObject with `@aws-sdk/client-s3` (see ours.ts for what the programs do). */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { pool, report } from "./report.js"

const client = new S3Client({
  region: "us-east-1",
  endpoint: process.env.BENCH_ENDPOINT ?? "http://127.0.0.1:9000",
  forcePathStyle: true,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }
})
const one = async () => {
  const out = await client.send(new GetObjectCommand({ Bucket: "bench", Key: "data/object-1k.bin" }))
  return out.Body!.transformToByteArray()
}
pool(one).then(report, (e) => {
  console.error(e)
  process.exit(1)
})
