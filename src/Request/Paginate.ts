/**
 * Paginated operations: `S3.listObjectsV2.pages(input)` is a `Stream` of pages and
 * `S3.listObjectsV2.items(input)` a `Stream` of the result items (the paginator's first
 * `result_key`), following the model's `input_token` / `output_token` (one or several, plain member
 * paths or JMESPath) and `more_results`. The next page is requested only when the consumer pulls;
 * a service that sends back a token it sent before fails the stream with `RepeatedPageToken`.
 *
 * @example
 * ```ts
 * const keys = S3.listObjectsV2.items({ Bucket: "b" }).pipe(Stream.map((o) => o.Key), Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { CallOptions, Operation } from "./Client.js"

/** The service sent a page token it had sent before: following it would loop forever. */
export class RepeatedPageToken extends Data.TaggedError("RepeatedPageToken")<{
  readonly operation: string
  readonly token: ReadonlyArray<unknown>
}> {
  override get message(): string {
    return `${this.operation} returned the page token ${JSON.stringify(this.token)} twice`
  }
}

/** Evaluates a JMESPath expression (`Waiters/Jmespath.search`). */
export type Search = (expression: string, data: unknown) => unknown

/** A paginator of the model (`*.paginators.json`). */
export interface PaginatorSpec {
  /** Input members that take the tokens. */
  readonly inputToken: ReadonlyArray<string>
  /** Where the next tokens are in the output (member paths, or JMESPath when `search` is given). */
  readonly outputToken: ReadonlyArray<string>
  /** The input member that sets the page size. */
  readonly limitKey?: string
  /** An output member that says whether more pages follow. */
  readonly moreResults?: string
  /** Where the result items are in each page; `items` follows the first. */
  readonly resultKey?: ReadonlyArray<string>
  /** Needed when a token or result key is a JMESPath expression rather than a member path. */
  readonly search?: Search
}

/** An operation that also pages. */
export interface Paginated<I, O, E, R, Item> extends Operation<I, O, E, R> {
  /** Every page, from `input` on; each page is requested when the stream is pulled. */
  readonly pages: (input: I, options?: CallOptions) => Stream.Stream<O, E | RepeatedPageToken, R>
  /** The result items of every page. */
  readonly items: (input: I, options?: CallOptions) => Stream.Stream<Item, E | RepeatedPageToken, R>
  readonly paginator: PaginatorSpec
}

const simplePath = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/

/** The value at a member path (`A.B`), or through JMESPath for anything else. */
const valueAt = (spec: PaginatorSpec, expression: string, data: unknown): unknown => {
  if (simplePath.test(expression) || spec.search === undefined) {
    let v: unknown = data
    for (const part of expression.split(".")) {
      if (v === null || typeof v !== "object") return undefined
      v = (v as Record<string, unknown>)[part]
    }
    return v
  }
  return spec.search(expression, data)
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === ""

type State<I> =
  | { readonly _tag: "Next"; readonly input: I }
  | { readonly _tag: "Done" }
  | { readonly _tag: "Repeated"; readonly token: ReadonlyArray<unknown> }

/** Adds `pages` and `items` to an operation. */
export const paginated = <I, O, E, R, Item>(
  operation: Operation<I, O, E, R>,
  spec: PaginatorSpec
): Paginated<I, O, E, R, Item> => {
  /** The state after a page; `seen` (the tokens followed so far) is the run's own, added to in place. */
  const next = (input: I, output: O, seen: Set<string>): State<I> => {
    const tokens = spec.outputToken.map((t) => valueAt(spec, t, output))
    if (spec.moreResults !== undefined && valueAt(spec, spec.moreResults, output) !== true)
      return { _tag: "Done" }
    if (tokens.every(isEmpty)) return { _tag: "Done" }
    const key = JSON.stringify(tokens)
    if (seen.has(key)) return { _tag: "Repeated", token: tokens }
    const nextInput: Record<string, unknown> = { ...(input as Record<string, unknown>) }
    spec.inputToken.forEach((name, i) => {
      const token = tokens[i]
      if (isEmpty(token)) delete nextInput[name]
      else nextInput[name] = token
    })
    seen.add(key)
    return { _tag: "Next", input: nextInput as I }
  }
  // Each run of the stream has its own set of the tokens it followed, added to page by page (never
  // copied: the work per page stays the same however many pages came before).
  const pages = (input: I, options?: CallOptions): Stream.Stream<O, E | RepeatedPageToken, R> =>
    Stream.suspend(() => {
      const seen = new Set<string>()
      return Stream.unfoldEffect(
        { _tag: "Next", input } as State<I>,
        (state): Effect.Effect<Option.Option<readonly [O, State<I>]>, E | RepeatedPageToken, R> => {
          switch (state._tag) {
            case "Done":
              return Effect.succeed(Option.none())
            case "Repeated":
              return Effect.fail(
                new RepeatedPageToken({ operation: operation.model.name, token: state.token })
              )
            case "Next":
              return Effect.map(operation(state.input, options), (output) =>
                Option.some([output, next(state.input, output, seen)] as const)
              )
          }
        }
      )
    })
  const resultKey = spec.resultKey?.[0]
  const items = (input: I, options?: CallOptions): Stream.Stream<Item, E | RepeatedPageToken, R> =>
    resultKey === undefined
      ? Stream.empty
      : Stream.mapConcat(pages(input, options), (page) => {
          const v = valueAt(spec, resultKey, page)
          return (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]) as ReadonlyArray<Item>
        })
  const call = ((input: I, options?: CallOptions) => operation(input, options)) as Operation<I, O, E, R>
  return Object.assign(call, {
    model: operation.model,
    presign: operation.presign,
    withResponse: operation.withResponse,
    pages,
    items,
    paginator: spec
  })
}
