/**
 * The shape graph pass: every composite shape reachable from an operation's input or output, or
 * from an error's members, as one `Node` (with the side(s) it is used on), in the order first
 * reached; and every distinct scalar shape as one `Scalar`. Node names here are base names (the
 * overlay's real name, else derived from where the shape is first used); `Names.ts` turns them
 * into the module's type and constant names.
 */
import type { MinShape } from "./Models.js"
import type { Namespace, Source } from "./Source.js"
import { literal, pascal } from "./Syntax.js"
import { scalarTypeName, shapeProps } from "./Traits.js"

/** A structure, list or map of the graph. */
export interface Node {
  readonly id: string
  readonly json: MinShape
  readonly ns: Namespace
  readonly type: string
  /** Base name (v3 name or derived). */
  name: string
  /** The shape constant (`GetObjectRequest$`), set by `Names.ts`. */
  constName: string
  /** The TypeScript types of each side it is used on, set by `Names.ts`. */
  inputType?: string
  outputType?: string
  usedIn: boolean
  usedOut: boolean
}

/** A scalar shape constant, shared by every reference with the same traits. */
export interface Scalar {
  readonly constName: string
  readonly literal: string
}

export interface ShapeGraph {
  /** Nodes by id; error structures as `!error.<Name>`. */
  readonly nodes: Map<string, Node>
  /** The nodes reached from operations and error members, in the order first reached (errors themselves not included). */
  readonly order: ReadonlyArray<Node>
  /** The scalar constant for a scalar shape (made on first use). */
  readonly scalarFor: (json: MinShape) => Scalar
  readonly scalars: ReadonlyArray<Scalar>
  /** Some blob is streaming (the module imports `Stream`). */
  readonly usesStream: () => boolean
  /** Structures named from the overlay, and those whose name had to be derived from where they are used. */
  readonly names: { readonly mapped: number; readonly derived: number }
}

export const isScalar = (json: MinShape): boolean => {
  const t = json.type ?? "string"
  return t !== "structure" && t !== "list" && t !== "map"
}

export const shapeGraph = (source: Source): ShapeGraph => {
  const nodes = new Map<string, Node>()
  const order: Array<Node> = []
  const scalars = new Map<string, Scalar>()
  const scalarOrder: Array<Scalar> = []
  let usesStream = false
  let mapped = 0
  let derived = 0

  const scalarFor = (json: MinShape): Scalar => {
    const type = json.type ?? "string"
    const props = shapeProps(json, true, true)
    const body: Record<string, unknown> = { type, name: scalarTypeName[type] ?? pascal(type), ...props }
    const lit = literal(body)
    let s = scalars.get(lit)
    if (s === undefined) {
      const base = `${type}$`
      const n = scalarOrder.filter((x) => x.constName.startsWith(base)).length
      s = { constName: n === 0 ? base : `${type}$${n}`, literal: lit }
      scalars.set(lit, s)
      scalarOrder.push(s)
    }
    if (type === "blob" && json.streaming) usesStream = true
    return s
  }

  /** Registers a composite node (and, recursively, what it reaches) on one side. */
  const visit = (
    ref: MinShape,
    inlinePath: string,
    ns: Namespace,
    side: "in" | "out",
    derivedName: string
  ) => {
    const { id, json, ns: rns } = source.resolve(ref, inlinePath, ns)
    if (isScalar(json)) {
      scalarFor(json)
      return
    }
    let node = nodes.get(id)
    const fresh = node === undefined
    if (node === undefined) {
      const mappedName = source.mappedName(id, rns)
      if (json.type === "structure") {
        if (mappedName === undefined) derived++
        else mapped++
      }
      node = {
        id,
        json,
        ns: rns,
        type: json.type!,
        name: pascal(mappedName ?? derivedName),
        constName: "",
        usedIn: false,
        usedOut: false
      }
      nodes.set(id, node)
      order.push(node)
    }
    const already = side === "in" ? node.usedIn : node.usedOut
    if (side === "in") node.usedIn = true
    else node.usedOut = true
    if (!fresh && already) return
    if (json.type === "structure") {
      for (const [m, mref] of Object.entries(json.members ?? {}))
        visit(mref, `${id}.${m}`, rns, side, `${node.name}${pascal(m)}`)
    } else if (json.type === "list" && json.member) {
      visit(json.member, `${id}.member`, rns, side, `${node.name}Member`)
    } else if (json.type === "map") {
      if (json.key) visit(json.key, `${id}.key`, rns, side, `${node.name}Key`)
      if (json.value) visit(json.value, `${id}.value`, rns, side, `${node.name}Value`)
    }
  }

  for (const op of source.operations) {
    const o = source.operation(op)
    if (o.input) visit(o.input, `${op}.input`, "model", "in", `${op}Request`)
    if (o.output) visit(o.output, `${op}.output`, "model", "out", `${op}Output`)
  }
  for (const e of source.errorNames) {
    for (const [m, mref] of Object.entries(source.errorShape(e).members ?? {}))
      visit(mref, `!error.${e}.${m}`, "overlay", "out", `${e}${pascal(m)}`)
  }
  // the error structures themselves: output-only, named as the error, outside `order`
  for (const e of source.errorNames) {
    nodes.set(`!error.${e}`, {
      id: `!error.${e}`,
      json: source.errorShape(e),
      ns: "overlay",
      type: "structure",
      name: e,
      constName: "",
      usedIn: false,
      usedOut: true
    })
  }
  return {
    nodes,
    order,
    scalarFor,
    scalars: scalarOrder,
    usesStream: () => usesStream,
    names: { mapped, derived }
  }
}

/** The node of an error structure. */
export const errorNode = (graph: ShapeGraph, error: string): Node => graph.nodes.get(`!error.${error}`)!
