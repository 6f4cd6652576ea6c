/**
 * Reading the model: what the passes may know of one service, from its `.min.json` model
 * (`Models.ts`) and its overlay (`overlay/fetch.ts`). Every read of either goes through a `Source`;
 * the passes after it (`ShapeGraph.ts` onwards) only emit.
 *
 * Shape ids: shared model shapes by their id (`S1r`), overlay shapes as `!Name`, inline shapes by
 * their path (`GetObject.input`, `S1r.member`, `!error.NoSuchKey.Message`).
 */
import type {
  Binding,
  MinModel,
  MinOperation,
  MinShape,
  PaginatorJson,
  ServiceModel,
  WaiterJson
} from "./Models.js"
import { byName } from "./Syntax.js"

/** What `overlay/fetch.ts` condensed from the `@aws-sdk/client-*` package. */
export interface Overlay {
  readonly package: string
  readonly endpoints?: unknown
  /** Operation -> the errors it models, as indexes into the (sorted) keys of `errors`. */
  readonly operations: Readonly<Record<string, ReadonlyArray<number>>>
  readonly errors: Readonly<Record<string, MinShape>>
  readonly shapes: Readonly<Record<string, MinShape>>
  readonly names: Readonly<Record<string, string>>
  readonly enums: Readonly<Record<string, ReadonlyArray<string>>>
  readonly enumAt: Readonly<Record<string, string>>
  /** Operation -> its endpoint parameter bindings, newer than the model's. */
  readonly bindings?: Readonly<Record<string, Binding>>
}

/** Which document a shape reference points into. */
export type Namespace = "model" | "overlay"

export interface Resolved {
  readonly id: string
  readonly json: MinShape
  readonly ns: Namespace
}

export interface Source {
  readonly service: ServiceModel
  readonly model: MinModel
  readonly overlay: Overlay | undefined
  /** Operation names, sorted. */
  readonly operations: ReadonlyArray<string>
  /** An operation of the model, with its name. */
  readonly operation: (op: string) => MinOperation & { readonly name: string }
  /** The shape a reference points to: a shared shape by its id, an inline one at `inlinePath`. */
  readonly resolve: (ref: MinShape, inlinePath: string, ns: Namespace) => Resolved
  /** The errors an operation can return, by shape name: the overlay's, then the service-wide ones. */
  readonly errorsOf: (op: string) => ReadonlyArray<string>
  /** Every error some operation returns, sorted. */
  readonly errorNames: ReadonlyArray<string>
  /** An error's structure (members, `error.code`). */
  readonly errorShape: (error: string) => MinShape
  /** The real structure name of a shape id, when the overlay knows it. */
  readonly mappedName: (id: string, ns: Namespace) => string | undefined
  /** The enum a string shape uses, when the overlay knows one with values. */
  readonly enumAt: (id: string) => string | undefined
  readonly enumValues: (enumName: string) => ReadonlyArray<string>
  /** An operation's endpoint parameter bindings from the overlay (newer than the model's). */
  readonly binding: (op: string) => Binding | undefined
  /** Paginators and waiters of existing operations, sorted by name. */
  readonly paginators: ReadonlyArray<readonly [string, PaginatorJson]>
  readonly waiters: ReadonlyArray<readonly [string, WaiterJson]>
}

/** Shared shapes: `S1r` in the model, `!Name` in the overlay; the rest are inline paths. */
export const isSharedId = (id: string): boolean => !id.includes(".")

export const readSource = (service: ServiceModel, overlay: Overlay | undefined): Source => {
  const model = service.model
  const resolve = (ref: MinShape, inlinePath: string, ns: Namespace): Resolved => {
    if (ref.shape !== undefined) {
      if (ns === "overlay") return { id: `!${ref.shape}`, json: overlay?.shapes[ref.shape] ?? {}, ns }
      return { id: ref.shape, json: model.shapes[ref.shape] ?? {}, ns }
    }
    return { id: inlinePath, json: ref, ns }
  }
  const errorKeys = Object.keys(overlay?.errors ?? {})
  const wide = serviceWideErrors[String(model.metadata.endpointPrefix)] ?? []
  const errorsOf = (op: string): ReadonlyArray<string> => {
    const modeled = (overlay?.operations[op] ?? []).flatMap((i) => {
      const name = errorKeys[i]
      return name === undefined ? [] : [name]
    })
    const input = model.operations[op]!.input
    if (wide.length === 0 || input === undefined) return modeled
    const members = resolve(input, `${op}.input`, "model").json.members ?? {}
    const added = wide.filter(
      (w) =>
        members[w.inputMember] !== undefined &&
        overlay?.errors[w.error] !== undefined &&
        !modeled.includes(w.error)
    )
    return added.length === 0 ? modeled : [...modeled, ...added.map((w) => w.error)]
  }
  const operations = Object.keys(model.operations).sort()
  return {
    service,
    model,
    overlay,
    operations,
    operation: (op) => ({ ...model.operations[op]!, name: op }),
    resolve,
    errorsOf,
    errorNames: [...new Set(operations.flatMap(errorsOf))].sort(),
    errorShape: (error) => overlay!.errors[error]!,
    mappedName: (id, ns) =>
      ns === "overlay" ? (isSharedId(id) ? id.slice(1) : undefined) : overlay?.names[id],
    enumAt: (id) => {
      const e = overlay?.enumAt[id]
      return e === undefined || (overlay?.enums[e]?.length ?? 0) === 0 ? undefined : e
    },
    enumValues: (enumName) => overlay!.enums[enumName]!,
    binding: (op) => overlay?.bindings?.[op],
    paginators: byName(
      Object.entries(service.paginators).filter(([op]) => model.operations[op] !== undefined)
    ),
    waiters: byName(
      Object.entries(service.waiters).filter(([, w]) => model.operations[w.operation] !== undefined)
    )
  }
}

/**
 * Errors every operation of a service (by endpoint prefix) can return when its input has the
 * member, though the model lists them on few: any S3 call naming a bucket can meet `NoSuchBucket`
 * (the model lists it on ListObjects, ListObjectsV2 and HeadBucket only).
 */
const serviceWideErrors: Readonly<
  Record<string, ReadonlyArray<{ readonly error: string; readonly inputMember: string }>>
> = {
  s3: [{ error: "NoSuchBucket", inputMember: "Bucket" }]
}
