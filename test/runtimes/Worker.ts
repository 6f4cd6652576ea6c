/**
 * The runtime slice as a Worker module, for workerd: `scripts/runtimes.mjs` bundles it with the
 * `workerd`, `worker` and `browser` export conditions, serves it with workerd on loopback, and
 * requests `/?s3=URL&dynamodb=URL&name=NAME`. The answer is the lines of `Checks.runChecks` (the
 * seam, and S3 and DynamoDB over `fetch`), closing with `N passed, N failed`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as HttpClientTransport from "../../src/Request/HttpClientTransport.js"
import { runChecks, seamCheck, serviceChecks } from "./Checks.js"

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const target = {
      s3Endpoint: url.searchParams.get("s3") ?? "",
      dynamoEndpoint: url.searchParams.get("dynamodb") ?? "",
      runName: url.searchParams.get("name") ?? "worker"
    }
    const lines: Array<string> = []
    await runChecks(
      [
        seamCheck("web"),
        ...serviceChecks(
          target,
          "fetch",
          HttpClientTransport.layer().pipe(Layer.provide(FetchHttpClient.layer))
        )
      ],
      (line) => lines.push(line)
    )
    return new Response(`${lines.join("\n")}\n`, { headers: { "content-type": "text/plain" } })
  }
}
