/**
 * `Paginate.paginated` on a scripted operation (no server): which page ends the stream, what the
 * next input holds, where the tokens and items are read, and what the paginated operation keeps of
 * the operation it wraps. The generated paginators against a loopback server are in
 * test/unit/Codegen/PaginateWait.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Operation } from "../../../src/Request/Client.js"
import * as Paginate from "../../../src/Request/Paginate.js"

type Input = Record<string, unknown>
type Output = Record<string, unknown>

class ScriptExhausted extends Data.TaggedError("ScriptExhausted")<{ readonly calls: number }> {}

/** An operation answering `outputs` in turn and recording its inputs; past the script it fails. */
const scripted = (outputs: ReadonlyArray<Output>) => {
  const inputs: Array<Input> = []
  const call = (input: Input) =>
    Effect.suspend(() => {
      inputs.push(input)
      const output = outputs[inputs.length - 1]
      return output === undefined
        ? Effect.fail(new ScriptExhausted({ calls: inputs.length }))
        : Effect.succeed(output)
    })
  const presign = () => Effect.die("presign")
  const withResponse = () => Effect.die("withResponse")
  const operation = Object.assign(call, {
    model: { name: "ListThings", http: { method: "POST", requestUri: "/" } },
    presign,
    withResponse
  }) as unknown as Operation<Input, Output, ScriptExhausted, never>
  return { operation, inputs }
}

const pagesOf = (
  outputs: ReadonlyArray<Output>,
  spec: Paginate.PaginatorSpec,
  input: Input = { Limit: 2 }
): Effect.Effect<
  { readonly pages: ReadonlyArray<Output>; readonly inputs: ReadonlyArray<Input> },
  ScriptExhausted | Paginate.RepeatedPageToken
> => {
  const { operation, inputs } = scripted(outputs)
  const paged = Paginate.paginated(operation, spec)
  return Effect.map(Stream.runCollect(paged.pages(input)), (pages) => ({
    pages: Chunk.toReadonlyArray(pages),
    inputs
  }))
}

const itemsOf = (outputs: ReadonlyArray<Output>, spec: Paginate.PaginatorSpec) => {
  const { operation } = scripted(outputs)
  return Effect.map(Stream.runCollect(Paginate.paginated(operation, spec).items({})), Chunk.toReadonlyArray)
}

const single: Paginate.PaginatorSpec = { inputToken: ["Token"], outputToken: ["Next"], resultKey: ["Items"] }

describe("Paginate.paginated", () => {
  it.effect("a page with no token, a null token or an empty token ends the stream", () =>
    Effect.gen(function* () {
      for (const last of [{}, { Next: null }, { Next: "" }]) {
        const { pages, inputs } = yield* pagesOf([{ Next: "t1" }, last], single)
        expect(pages).toEqual([{ Next: "t1" }, last])
        expect(inputs).toEqual([{ Limit: 2 }, { Limit: 2, Token: "t1" }])
      }
    })
  )

  it.effect("a token that is not empty is followed, whatever its type", () =>
    Effect.gen(function* () {
      const { inputs } = yield* pagesOf([{ Next: 0 }, { Next: false }, { Next: { a: 1 } }, {}], single)
      expect(inputs.map((i) => i.Token)).toEqual([undefined, 0, false, { a: 1 }])
    })
  )

  it.effect("several tokens: one empty token is left out of the next input, the others carried", () =>
    Effect.gen(function* () {
      const spec: Paginate.PaginatorSpec = {
        inputToken: ["StartA", "StartB"],
        outputToken: ["NextA", "NextB"]
      }
      const { inputs } = yield* pagesOf(
        [{ NextA: "a1", NextB: "b1" }, { NextA: "a2", NextB: "" }, {}],
        spec,
        { Limit: 2, StartA: "a0", StartB: "b0" }
      )
      // strictly: an empty token is not sent as "" (nor as a member set to undefined)
      expect(inputs).toStrictEqual([
        { Limit: 2, StartA: "a0", StartB: "b0" },
        { Limit: 2, StartA: "a1", StartB: "b1" },
        { Limit: 2, StartA: "a2" }
      ])
    })
  )

  it.effect("more_results: a page that says no more ends the stream even with a token", () =>
    Effect.gen(function* () {
      const spec: Paginate.PaginatorSpec = { ...single, moreResults: "More" }
      const { inputs } = yield* pagesOf(
        [
          { Next: "t1", More: true },
          { Next: "t2", More: "true" }
        ],
        spec
      )
      // only the boolean `true` says that more pages follow
      expect(inputs).toEqual([{ Limit: 2 }, { Limit: 2, Token: "t1" }])
    })
  )

  it.effect("member paths: a token inside a structure, and a path through a missing member", () =>
    Effect.gen(function* () {
      const spec: Paginate.PaginatorSpec = { inputToken: ["Token"], outputToken: ["Page.Next"] }
      const { inputs } = yield* pagesOf(
        [{ Page: { Next: "t1" } }, { Page: "not a structure" }, { Page: null }],
        spec
      )
      expect(inputs).toEqual([{ Limit: 2 }, { Limit: 2, Token: "t1" }])
      for (const last of [{ Page: null }, {}]) {
        const { inputs } = yield* pagesOf([last], spec)
        expect(inputs).toHaveLength(1)
      }
    })
  )

  it.effect("a JMESPath token goes through `search`; a member path never does", () =>
    Effect.gen(function* () {
      const searched: Array<string> = []
      const search: Paginate.Search = (expression) => {
        searched.push(expression)
        return searched.length === 1 ? "from-search" : undefined
      }
      const spec: Paginate.PaginatorSpec = {
        inputToken: ["Marker", "Token"],
        outputToken: ["NextMarker || Contents[-1].Key", "Next"],
        search
      }
      const { inputs } = yield* pagesOf([{ Next: "t1" }, {}], spec)
      expect(searched).toEqual(["NextMarker || Contents[-1].Key", "NextMarker || Contents[-1].Key"])
      expect(inputs).toEqual([{ Limit: 2 }, { Limit: 2, Marker: "from-search", Token: "t1" }])
    })
  )

  it.effect("without `search`, an expression is read as a member path (and finds nothing)", () =>
    Effect.gen(function* () {
      const spec: Paginate.PaginatorSpec = { inputToken: ["Marker"], outputToken: ["Contents[-1].Key"] }
      const { inputs } = yield* pagesOf([{ Contents: [{ Key: "k" }] }], spec)
      expect(inputs).toEqual([{ Limit: 2 }])
    })
  )

  it.effect("a token seen on any earlier page (not only the last) fails with RepeatedPageToken", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(pagesOf([{ Next: "a" }, { Next: "b" }, { Next: "a" }, {}], single))
      expect(error).toBeInstanceOf(Paginate.RepeatedPageToken)
      if (error._tag !== "RepeatedPageToken") return
      expect(error.operation).toBe("ListThings")
      expect(error.token).toEqual(["a"])
      expect(error.message).toBe('ListThings returned the page token ["a"] twice')
    })
  )

  it.effect("items: the first result key's array, a single value as one item, nothing for null", () =>
    Effect.gen(function* () {
      const spec: Paginate.PaginatorSpec = { ...single, resultKey: ["Items", "Other"] }
      const items = yield* itemsOf(
        [
          { Items: [1, 2], Other: [9], Next: "t1" },
          { Items: 3, Next: "t2" },
          { Items: null, Next: "t3" },
          { Other: [9] }
        ],
        spec
      )
      expect(items).toEqual([1, 2, 3])
      expect(yield* itemsOf([{ Items: [1] }], { inputToken: ["Token"], outputToken: ["Next"] })).toEqual([])
    })
  )

  it.effect("the paginated operation is still the operation: call, model, presign, withResponse, spec", () =>
    Effect.gen(function* () {
      const { operation, inputs } = scripted([{ Next: "t1" }])
      const paged = Paginate.paginated(operation, single)
      expect(yield* paged({ Limit: 1 })).toEqual({ Next: "t1" })
      expect(inputs).toEqual([{ Limit: 1 }])
      expect(paged.model).toBe(operation.model)
      expect(paged.presign).toBe(operation.presign)
      expect(paged.withResponse).toBe(operation.withResponse)
      expect(paged.paginator).toBe(single)
    })
  )
})
