/**
 * The committed overlays (`codegen/overlay/<key>.json`): every endpoint rule set compiles with the
 * rules engine and resolves a plain regional endpoint; errors and names are where the generator
 * looks for them.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import type { Overlay } from "../../../codegen/Emit.js"
import type { DecisionDiagram, RuleSet } from "../../../src/Endpoints/RuleSet.js"
import { compile } from "../../../src/Endpoints/RulesEngine.js"

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../codegen/overlay")
const overlays = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".json") && f !== "packages.json")
  .sort()
  .map((f) => [f.slice(0, -5), JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Overlay] as const)

describe("overlays", () => {
  it("every endpoint rule set compiles and resolves an endpoint from the built-ins", () => {
    const failures: Array<string> = []
    for (const [key, overlay] of overlays) {
      if (overlay.endpoints === undefined) continue
      const resolver = compile(overlay.endpoints as RuleSet | DecisionDiagram)
      const params: Record<string, string> = {}
      for (const [builtIn, param] of Object.entries(resolver.builtIns))
        if (builtIn === "AWS::Region") params[param] = "eu-west-1"
      const result = resolver.resolve(params)
      // (global services such as IAM or Route 53 resolve to their global host)
      if (Either.isLeft(result) || !/^https:\/\/[a-z0-9.-]+$/.test(result.right.url))
        failures.push(`${key}: ${Either.isLeft(result) ? result.left.message : result.right.url}`)
    }
    expect(failures).toEqual([])
    expect(overlays.length).toBeGreaterThan(300)
  })

  it("SQS: typed errors with their awsQuery codes, real shape names, enums", () => {
    const sqs = overlays.find(([k]) => k === "sqs")![1]
    const errors = Object.keys(sqs.errors)
    expect(sqs.operations.GetQueueUrl?.map((i) => errors[i])).toContain("QueueDoesNotExist")
    expect(sqs.errors.QueueDoesNotExist?.error).toEqual({
      code: "AWS.SimpleQueueService.NonExistentQueue",
      httpStatusCode: 400,
      senderFault: true
    })
    expect(sqs.names["SendMessageBatch.input"]).toBe("SendMessageBatchRequest")
    expect(sqs.enums.QueueAttributeName).toContain("VisibilityTimeout")
  })
})
