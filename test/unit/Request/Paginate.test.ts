/**
 * The paginator's own logic, on an operation answered in memory: constant work per page, repeated
 * tokens caught, and several output tokens (Route 53 ListResourceRecordSets has three).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
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
