/**
 * What every emitting pass of one service reads: the source (model and overlay), the shape graph
 * and the names. Built once per service by `Emit.ts`; the passes take it as their first argument.
 */
import type { Names } from "./Names.js"
import type { ShapeGraph } from "./ShapeGraph.js"
import type { Source } from "./Source.js"

export interface EmitOptions {
  /** A hand-written `Customizations.ts` sits beside the module. */
  readonly customizations: boolean
}

export interface Context {
  readonly source: Source
  readonly graph: ShapeGraph
  readonly names: Names
  readonly options: EmitOptions
}
