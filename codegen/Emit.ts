/**
 * Emits one service module from its `.min.json` model and its overlay (see `overlay/fetch.ts`).
 * Pure: the same inputs give the same bytes.
 *
 * The driver of the passes (README "Output"): read the source, build the shape graph, claim the
 * names, then the emitting passes, each of them a file that takes the `Context`. Their order
 * matters for enums only: an enum type is named when a type first uses it (operations' item
 * types, error fields, structures, in that order), and `enumTypes` declares the named ones last.
 */
import type { Context, EmitOptions } from "./Context.js"
import { errorClasses } from "./ErrorClasses.js"
import type { ServiceModel } from "./Models.js"
import { moduleText, rulesOf } from "./Module.js"
import { assignNames } from "./Names.js"
import { operations } from "./Operations.js"
import { shapeGraph } from "./ShapeGraph.js"
import { shapeConstants } from "./Shapes.js"
import { type Overlay, readSource } from "./Source.js"
import { enumTypes, structureTypes } from "./Types.js"
import { waiters } from "./Waiters.js"

export type { EmitOptions } from "./Context.js"
export { operationName } from "./Names.js"
export type { Overlay } from "./Source.js"

export interface Emitted {
  readonly code: string
  readonly operations: number
  readonly paginators: number
  readonly waiters: number
  readonly errors: number
  /** Endpoint rules from the overlay, or the standard fallback. */
  readonly rules: "overlay" | "fallback"
  /** Structures named from the overlay, and those whose name had to be derived from where they are used. */
  readonly names: { readonly mapped: number; readonly derived: number }
}

export const emit = (service: ServiceModel, overlay: Overlay | undefined, options: EmitOptions): Emitted => {
  // reading the model
  const source = readSource(service, overlay)
  const graph = shapeGraph(source)
  const names = assignNames(source, graph)
  const ctx: Context = { source, graph, names, options }
  // emitting
  const shapes = shapeConstants(ctx)
  const ops = operations(ctx)
  const waits = waiters(ctx)
  const errors = errorClasses(ctx)
  const structures = structureTypes(ctx)
  const enums = enumTypes(ctx)
  const code = moduleText(ctx, {
    scalars: shapes.scalars,
    shapes: shapes.composites,
    enums,
    structures,
    errorClasses: errors,
    errorUnions: ops.types,
    operations: ops.operations,
    waiters: waits.waiters,
    usesScope: ops.usesScope,
    usesStream: graph.usesStream(),
    usesSearch: ops.usesSearch || waits.usesSearch
  })
  return {
    code,
    operations: source.operations.length,
    paginators: source.paginators.length,
    waiters: source.waiters.length,
    errors: source.errorNames.length,
    rules: rulesOf(ctx),
    names: graph.names
  }
}

export const emitService = (
  service: ServiceModel,
  overlay: Overlay | undefined,
  options: EmitOptions
): string => emit(service, overlay, options).code
