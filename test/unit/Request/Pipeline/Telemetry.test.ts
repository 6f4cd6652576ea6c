import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import * as Credentials from "../../../../src/Credentials/Credentials.js"
import * as NodeTransport from "../../../../src/Request/NodeTransport.js"
import * as Retry from "../../../../src/Request/Retry.js"
import * as Session from "../../../../src/Session/Session.js"
import * as FaultServer from "../../../support/FaultServer.js"
import * as TestService from "../../../support/TestService.js"

const env = (url: string) =>
  TestService.layerJson().pipe(
    Layer.provide(
      Session.layerWithoutTransport({
        region: "us-east-1",
        credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "s" })),
        endpoint: url,
        retry: Retry.none
      })
    ),
    Layer.provide(NodeTransport.layer())
  )

/** The value of a counter whose tags are exactly `tags` (0 when it does not exist yet). */
const counter = (name: string, tags: Record<string, string>) =>
  Effect.map(Metric.snapshot, (pairs) => {
    for (const pair of pairs) {
      const key = pair.metricKey
      if (key.name !== name) continue
      const keyTags = Object.fromEntries(key.tags.map((t) => [t.key, t.value]))
      if (
        JSON.stringify(keyTags, Object.keys(keyTags).sort()) !==
        JSON.stringify(tags, Object.keys(tags).sort())
      )
        continue
      if (MetricState.isCounterState(pair.metricState)) return Number(pair.metricState.count)
    }
    return 0
  })

const ok = { status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: '{"Name":"n"}' }
const failed = {
  status: 400,
  headers: { "content-type": "application/x-amz-json-1.1" },
  body: '{"__type":"Nope"}'
}

describe("call metrics", () => {
  it.live("count calls, failures and attempts per service and operation, with the fiber's own tags", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FaultServer.scoped
        const tags = { "aws.service": "Test", "aws.operation": "Echo" }
        const before = {
          calls: yield* counter("aws_sdk_calls_total", tags),
          failures: yield* counter("aws_sdk_call_failures_total", tags),
          attempts: yield* counter("aws_sdk_attempts_total", tags)
        }
        const tagged = { ...tags, app: "metrics-test" }
        const taggedBefore = yield* counter("aws_sdk_calls_total", tagged)
        server.script([ok, ok, failed, ok])
        yield* Effect.gen(function* () {
          yield* TestService.echo({ Name: "a" })
          yield* TestService.echo({ Name: "b" })
          yield* Effect.flip(TestService.echo({ Name: "c" }))
          yield* TestService.echo({ Name: "d" }).pipe(Effect.tagMetrics("app", "metrics-test"))
        }).pipe(Effect.provide(env(server.url)))
        expect((yield* counter("aws_sdk_calls_total", tags)) - before.calls).toBe(3)
        expect((yield* counter("aws_sdk_call_failures_total", tags)) - before.failures).toBe(1)
        expect((yield* counter("aws_sdk_attempts_total", tags)) - before.attempts).toBe(3)
        expect((yield* counter("aws_sdk_calls_total", tagged)) - taggedBefore).toBe(1)
      })
    )
  )
})
