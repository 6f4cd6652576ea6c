/**
 * Invalid operation input through the real pipeline, as untyped callers (`as never`) send it:
 * missing required members, wrong types, out-of-range numbers, huge strings, lone surrogates,
 * cycles and absurd nesting. The call fails with one `InvalidParams` listing every problem with
 * its path, and nothing reaches the wire (the client made no attempt, the server saw nothing).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { InvalidParams, ParamProblem } from "../../src/Request/Errors.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as FaultServer from "../support/FaultServer.js"
import * as TestService from "../support/TestService.js"
import { type Clients, runAgainst } from "./Harness.js"

/** Runs a call that must be refused before sending; returns its InvalidParams. */
const refused = (call: Effect.Effect<unknown, unknown, Clients>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      const report = yield* runAgainst(server, call)
      expect(report.sends, "attempts made").toBe(0)
      expect(report.requests, "requests the server saw").toBe(0)
      expect(report.openAfterClose).toBe(0)
      const exit = report.exit
      if (Exit.isSuccess(exit)) throw new Error("the call succeeded")
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
      const error = failure.value as InvalidParams
      expect(error._tag).toBe("InvalidParams")
      return error
    })
  )

const problem = (path: string, message: string): ParamProblem => ({ path, message })

describe("invalid operation input", () => {
  it.effect("missing required members, at every level", () =>
    Effect.gen(function* () {
      const error = yield* refused(TestService.echo({ Tags: [{}, { Value: "v" }] } as never))
      expect(error.problems).toEqual([
        problem("Name", "required"),
        problem("Tags[0].Key", "required"),
        problem("Tags[1].Key", "required")
      ])
      expect(error.message).toContain("3 validation errors in Echo input")
    })
  )

  it.effect("the input itself is not an object", () =>
    Effect.gen(function* () {
      for (const input of ["Name", 5, true, ["Name"]]) {
        const error = yield* refused(TestService.echo(input as never))
        expect(error.problems.length, JSON.stringify(input)).toBeGreaterThan(0)
        expect(error.problems[0]!.message).toMatch(/^expected an object, got /)
      }
      // null and undefined are an empty input: the required member is missing
      for (const input of [null, undefined]) {
        const error = yield* refused(TestService.echo(input as never))
        expect(error.problems).toEqual([problem("Name", "required")])
      }
    })
  )

  it.effect("wrong types from untyped callers", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        TestService.echo({
          Name: 5,
          Count: "7",
          Tags: [null, 5, "t", { Key: 7, Value: ["v"] }, { Key: {} }]
        } as never)
      )
      expect(error.problems).toEqual([
        problem("Name", "expected a string, got number"),
        problem("Count", "expected an integer, got string"),
        problem("Tags[1]", "expected an object, got number"),
        problem("Tags[2]", "expected an object, got string"),
        problem("Tags[3].Key", "expected a string, got number"),
        problem("Tags[3].Value", "expected a string, got array"),
        problem("Tags[4].Key", "expected a string, got object")
      ])
      const tags = yield* refused(TestService.echo({ Name: "x", Tags: { Key: "k" } } as never))
      expect(tags.problems).toEqual([problem("Tags", "expected an array, got object")])
    })
  )

  it.effect("out-of-range and non-integral numbers", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [-1, "minimum value is 0, got -1"],
        [101, "maximum value is 100, got 101"],
        [1e300, "maximum value is 100, got 1e+300"],
        [1.5, "expected an integer, got number"],
        [Number.NaN, "expected an integer, got number"],
        [Number.POSITIVE_INFINITY, "expected an integer, got number"],
        [2 ** 53 + 2, "9007199254740994 is beyond 2^53; pass a bigint to send it exactly"],
        [10n, "expected an integer, got bigint"]
      ]
      for (const [Count, message] of cases) {
        const error = yield* refused(TestService.echo({ Name: "x", Count } as never))
        expect(
          error.problems.map((p) => p.message),
          String(Count)
        ).toContain(message)
      }
    })
  )

  it.effect("huge strings are measured, not sent", () =>
    Effect.gen(function* () {
      const huge = "x".repeat(10_000_000)
      const error = yield* refused(TestService.echo({ Name: huge, Tags: [{ Key: huge }] }))
      expect(error.problems).toEqual([
        problem("Name", "maximum length is 10, got 10000000"),
        problem("Tags[0].Key", "maximum length is 10, got 10000000")
      ])
      // the message names the problems, not the values
      expect(error.message.length).toBeLessThan(500)
    })
  )

  it.effect("lone surrogates (text that is not valid UTF-16)", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        TestService.echo({ Name: "a\uD800", Tags: [{ Key: "\uDC00b" }, { Key: "ok\uD83D\uDE00" }] })
      )
      expect(error.problems).toEqual([
        problem("Name", "not well-formed UTF-16 (lone surrogate)"),
        problem("Tags[0].Key", "not well-formed UTF-16 (lone surrogate)")
      ])
    })
  )

  it.effect("every problem at once, in one InvalidParams", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        TestService.echo({
          Count: 1000,
          Tags: [{ Key: "" }, { Key: "\uD800" }, { Value: 3 }, { Key: "x".repeat(11) }]
        } as never)
      )
      expect(error.problems).toEqual([
        problem("Name", "required"),
        problem("Count", "maximum value is 100, got 1000"),
        problem("Tags[0].Key", "minimum length is 1, got 0"),
        problem("Tags[1].Key", "not well-formed UTF-16 (lone surrogate)"),
        problem("Tags[2].Key", "required"),
        problem("Tags[2].Value", "expected a string, got number"),
        problem("Tags[3].Key", "maximum length is 10, got 11")
      ])
      expect(error.message).toContain("7 validation errors in Echo input")
    })
  )

  it.effect("generated S3 client: wrong types in labels, headers, header maps and the body", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        S3.putObject({
          Bucket: 5,
          ContentLength: "10",
          Metadata: { a: 5, b: "ok" },
          Expires: "tomorrow",
          Body: 5
        } as never)
      )
      const paths = error.problems.map((p) => p.path)
      expect(paths).toEqual(
        expect.arrayContaining(["Bucket", "Key", "ContentLength", 'Metadata["a"]', "Expires", "Body"])
      )
      expect(error.problems).toHaveLength(6)
      expect(error.problems).toContainEqual(problem("Key", "required"))
      expect(error.problems).toContainEqual(problem("Expires", "expected a Date, got string"))
      const badDate = yield* refused(S3.putObject({ Bucket: "b", Key: "k", Expires: new Date(Number.NaN) }))
      expect(badDate.problems).toEqual([problem("Expires", "invalid Date")])
    })
  )

  it.effect("generated DynamoDB client: nested attribute values of the wrong type", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        DynamoDB.putItem({
          TableName: 7,
          Item: { id: { S: 1 }, list: { L: [{ N: 5 }, "x"] }, map: { M: { k: { BOOL: "yes" } } } }
        } as never)
      )
      expect(error.problems).toEqual([
        problem("TableName", "expected a string, got number"),
        problem('Item["id"].S', "expected a string, got number"),
        problem('Item["list"].L[0].N', "expected a string, got number"),
        problem('Item["list"].L[1]', "expected an object, got string"),
        problem('Item["map"].M["k"].BOOL', "expected a boolean, got string")
      ])
    })
  )

  it.effect("a cyclic input is refused, not a stack overflow", () =>
    Effect.gen(function* () {
      const cyclic: { M: Record<string, unknown> } = { M: {} }
      cyclic.M.self = cyclic
      const error = yield* refused(DynamoDB.putItem({ TableName: "t", Item: { a: cyclic } } as never))
      expect(error.problems).toHaveLength(1)
      expect(error.problems[0]!.message).toMatch(/nested more than \d+ levels deep/)
      const tags: Array<unknown> = []
      tags.push(tags)
      const list = yield* refused(TestService.echo({ Name: "x", Tags: tags } as never))
      expect(list.problems).toEqual([problem("Tags[0]", "expected an object, got array")])
    })
  )

  it.effect("absurdly deep (acyclic) input is refused too", () =>
    Effect.gen(function* () {
      let value: unknown = { S: "leaf" }
      for (let i = 0; i < 50_000; i++) value = { L: [value] }
      const error = yield* refused(DynamoDB.putItem({ TableName: "t", Item: { deep: value } } as never))
      expect(error.problems).toHaveLength(1)
      expect(error.problems[0]!.message).toMatch(/nested more than \d+ levels deep/)
    })
  )
})
