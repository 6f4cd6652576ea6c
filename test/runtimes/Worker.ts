/**
 * The runtime slice as a Worker module, for workerd: `scripts/runtimes.mjs` bundles it with the
 * `workerd`, `worker` and `browser` export conditions, serves it with workerd on loopback, and
 * requests `/?s3=URL&dynamodb=URL&hang=URL&name=NAME`. The answer is the lines of `Check.runChecks` (the
 * seam, and S3 and DynamoDB over `fetch`), closing with `N passed, N failed`.
 */
import { runChecks, seamCheck } from "./Check.js"
import { fetchTransport, serviceChecks } from "./Services.js"

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const target = {
      s3Endpoint: url.searchParams.get("s3") ?? "",
      dynamoEndpoint: url.searchParams.get("dynamodb") ?? "",
      hangEndpoint: url.searchParams.get("hang") ?? "",
      runName: url.searchParams.get("name") ?? "worker"
    }
    const lines: Array<string> = []
    await runChecks([seamCheck("web"), ...serviceChecks(target, "fetch", fetchTransport)], (line) =>
      lines.push(line)
    )
    return new Response(`${lines.join("\n")}\n`, { headers: { "content-type": "text/plain" } })
  }
}
