/**
 * Runs one client's GetObject loop against the fixed-response server for profiling:
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/tools/profile-getobject.ts [client] [calls] [concurrency]`
 * (client: ours, @aws-sdk/client-s3, @aws-lite/client, aws4fetch). Prints CPU µs per call.
 */
import { makeClient } from "../lib/clients.js"
import { startFixedServer } from "../lib/servers.js"

const name = process.argv[2] ?? "ours"
const calls = Number(process.argv[3] ?? 20_000)
const concurrency = Number(process.argv[4] ?? 32)
const server = await startFixedServer(1024)
try {
  const client = await makeClient(name, {
    endpoint: server.endpoint,
    bucket: "bench",
    key: "data/object-1k.bin",
    bytes: 1024,
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "secret"
  })
  await client.run(2000, concurrency)
  const cpu0 = process.cpuUsage()
  const t0 = Date.now()
  await client.run(calls, concurrency)
  const cpu = process.cpuUsage(cpu0)
  console.log(
    `${name}: ${((cpu.user + cpu.system) / calls).toFixed(1)} µs CPU/call, ${((calls / (Date.now() - t0)) * 1000).toFixed(0)} calls/s`
  )
  await client.close()
} finally {
  server.stop()
}
