/**
 * The paginator's own logic, on an operation answered in memory: constant work per page, repeated
 * tokens caught, and several output tokens (Route 53 ListResourceRecordSets has three).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Operation } from "../../../src/Request/Client.js"
import * as Paginate from "../../../src/Request/Paginate.js"
import * as Route53 from "../../../src/Services/Route53/index.js"

type Page = Record<string, unknown>

/** An operation answered by `answer` from its input, recording every input. */
const fakeOperation = (answer: (input: Page, call: number) => Page) => {
  const inputs: Array<Page> = []
  const op = (input: Page) =>
    Effect.sync(() => {
      inputs.push(input)
      return answer(input, inputs.length - 1)
    })
  const operation = Object.assign(op, {
    model: { name: "List" },
    presign: () => Effect.die("unused"),
    withResponse: () => Effect.die("unused")
  }) as unknown as Operation<Page, Page, never, never>
  return { operation, inputs }
}

/**
 * Runs `effect` with `globalThis.Set` replaced by a subclass that counts the elements every new set
 * starts with (the elements copied into it).
 */
const countingSetCopies = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.suspend(() => {
    const Original = globalThis.Set
    let copied = 0
    class CountingSet<T> extends Original<T> {
      constructor(values?: Iterable<T> | null) {
        super(values)
        copied += this.size
      }
    }
    globalThis.Set = CountingSet as SetConstructor
    return effect.pipe(
      Effect.map((value) => ({ value, copied })),
      Effect.ensuring(
        Effect.sync(() => {
          globalThis.Set = Original
        })
      )
    )
  })

describe("paginator", () => {
  it.effect("the work per page stays constant: the set of seen tokens is never copied", () =>
    Effect.gen(function* () {
      const PAGES = 3_000
      const { operation } = fakeOperation((_input, call) =>
        call < PAGES - 1 ? { Items: [call], Next: `t${call}` } : { Items: [call] }
      )
      const paginated = Paginate.paginated<Page, Page, never, never, number>(operation, {
        inputToken: ["Token"],
        outputToken: ["Next"],
        resultKey: ["Items"]
      })
      const { value, copied } = yield* countingSetCopies(Stream.runCollect(paginated.items({})))
      expect(Chunk.size(value)).toBe(PAGES)
      // copying the set on every page copies 1 + 2 + ... + 2999 = 4.5 million tokens
      expect(copied).toBeLessThan(PAGES)
    })
  )

  it.effect("a token repeated many pages later is still caught; each run of the stream starts afresh", () =>
    Effect.gen(function* () {
      // t0, t1, ..., t499, then t250 again
      const { operation, inputs } = fakeOperation((input) => {
        const n = input.Token === undefined ? -1 : Number(String(input.Token).slice(1))
        return { Next: n + 1 < 500 ? `t${n + 1}` : "t250" }
      })
      const paginated = Paginate.paginated<Page, Page, never, never, never>(operation, {
        inputToken: ["Token"],
        outputToken: ["Next"]
      })
      const pages = paginated.pages({})
      const error = yield* Effect.flip(Stream.runDrain(pages))
      expect(error._tag).toBe("RepeatedPageToken")
      expect(error.token).toEqual(["t250"])
      expect(inputs).toHaveLength(501)
      // the same stream run again is a new listing, not a repeat of the first one's tokens
      const again = yield* Stream.runCollect(Stream.take(pages, 3))
      expect(Chunk.toReadonlyArray(again).map((p) => p.Next)).toEqual(["t0", "t1", "t2"])
      expect(inputs).toHaveLength(504)
    })
  )

  it.effect("several output tokens: continues while any is set, stops only when all are empty", () =>
    Effect.gen(function* () {
      const spec = Route53.listResourceRecordSets.paginator
      expect(spec.outputToken).toEqual(["NextRecordName", "NextRecordType", "NextRecordIdentifier"])
      const answers: ReadonlyArray<Page> = [
        { IsTruncated: true, NextRecordName: "a.example.", NextRecordType: "A", NextRecordIdentifier: "one" },
        // only the identifier moves on
        { IsTruncated: true, NextRecordIdentifier: "two" },
        // only the type
        { IsTruncated: true, NextRecordType: "AAAA" },
        { IsTruncated: true, NextRecordName: "", NextRecordType: "", NextRecordIdentifier: "" },
        { IsTruncated: true }
      ]
      const { operation, inputs } = fakeOperation((_input, call) => ({
        ResourceRecordSets: [{ Name: `r${call}` }],
        ...answers[call]
      }))
      const paginated = Paginate.paginated<Page, Page, never, never, { Name: string }>(operation, spec)
      const items = yield* Stream.runCollect(paginated.items({ HostedZoneId: "Z1" }))
      // all three empty (the fourth page) ends the listing, even with IsTruncated
      expect(Chunk.toReadonlyArray(items).map((r) => r.Name)).toEqual(["r0", "r1", "r2", "r3"])
      expect(inputs).toEqual([
        { HostedZoneId: "Z1" },
        {
          HostedZoneId: "Z1",
          StartRecordName: "a.example.",
          StartRecordType: "A",
          StartRecordIdentifier: "one"
        },
        { HostedZoneId: "Z1", StartRecordIdentifier: "two" },
        { HostedZoneId: "Z1", StartRecordType: "AAAA" }
      ])
    })
  )
})

// ---------------------------------------------------------------------------------------------
// Behaviour on a scripted operation, held to what mutation testing found untested.

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
