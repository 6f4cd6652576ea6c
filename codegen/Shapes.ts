/**
 * The shapes pass: the shape constants the codecs walk, in the `src/Protocols/Shape.ts` form.
 * Post-order, so that a reference is direct (`{shape:X$}`) unless the shape is still being written
 * (recursion: `{get shape(){return X$}}`); scalars are shared constants by their traits. Written
 * from each operation's input and output in turn, then the errors, then whatever is left.
 */
import type { Context } from "./Context.js"
import type { MinShape } from "./Models.js"
import { errorNode, isScalar, type Node } from "./ShapeGraph.js"
import { isSharedId, type Namespace } from "./Source.js"
import { key, literal } from "./Syntax.js"
import { operationRefTraits, refProps, shapeProps, traitLiteralValue } from "./Traits.js"

export interface ShapeConstants {
  /** `const string$: S.Shape = {...}` lines. */
  readonly scalars: ReadonlyArray<string>
  /** `const X$: S.StructureShape = {...}` lines (lists and maps too). */
  readonly composites: ReadonlyArray<string>
}

export const shapeConstants = (ctx: Context): ShapeConstants => {
  const { source, graph } = ctx
  const emitted = new Set<string>()
  const inProgress = new Set<string>()
  const lines: Array<string> = []

  const refLiteral = (ref: MinShape, inlinePath: string, ns: Namespace): string => {
    const { id, json } = source.resolve(ref, inlinePath, ns)
    const props = refProps(ref, ref.shape === undefined)
    let target: string
    let lazy = false
    if (isScalar(json)) target = graph.scalarFor(json).constName
    else {
      const node = graph.nodes.get(id)!
      emitNode(node)
      target = node.constName
      lazy = !emitted.has(id)
    }
    const rest = Object.entries(props)
      .map(([k, v]) => `,${key(k)}:${literal(v)}`)
      .join("")
    return lazy ? `{get shape(){return ${target}}${rest}}` : `{shape:${target}${rest}}`
  }

  const emitNode = (node: Node): void => {
    if (emitted.has(node.id) || inProgress.has(node.id)) return
    inProgress.add(node.id)
    const json = node.json
    const props = shapeProps(json, !isSharedId(node.id), false)
    const parts: Array<string> = [`type:${JSON.stringify(node.type)}`, `name:${JSON.stringify(node.name)}`]
    let annotation = "S.StructureShape"
    if (node.type === "structure") {
      const members = Object.entries(json.members ?? {}).map(
        ([m, mref]) => `${key(m)}:${refLiteral(mref, `${node.id}.${m}`, node.ns)}`
      )
      parts.push(`members:{${members.join(",")}}`)
      if (json.required && json.required.length > 0) parts.push(`required:${literal(json.required)}`)
    } else if (node.type === "list") {
      annotation = "S.ListShape"
      parts.push(`member:${refLiteral(json.member ?? {}, `${node.id}.member`, node.ns)}`)
    } else {
      annotation = "S.MapShape"
      parts.push(`key:${refLiteral(json.key ?? {}, `${node.id}.key`, node.ns)}`)
      parts.push(`value:${refLiteral(json.value ?? {}, `${node.id}.value`, node.ns)}`)
    }
    for (const [k, v] of Object.entries(props)) {
      if (k === "name") continue
      parts.push(`${key(k)}:${literal(traitLiteralValue(k, v))}`)
    }
    inProgress.delete(node.id)
    emitted.add(node.id)
    lines.push(`const ${node.constName}: ${annotation} = {${parts.join(",")}}`)
  }

  for (const op of source.operations) {
    const o = source.operation(op)
    for (const which of ["input", "output"] as const) {
      const ref = o[which]
      if (ref !== undefined) emitNode(graph.nodes.get(source.resolve(ref, `${op}.${which}`, "model").id)!)
    }
  }
  for (const e of source.errorNames) emitNode(errorNode(graph, e))
  for (const node of graph.order) emitNode(node)
  return {
    scalars: graph.scalars.map((s) => `const ${s.constName}: S.Shape = ${s.literal}`),
    composites: lines
  }
}

/** An operation's `input` or `output` reference: `{shape:X$}` with the traits the codecs read. */
export const operationShapeRef = (
  ctx: Context,
  op: string,
  which: "input" | "output"
): string | undefined => {
  const ref = ctx.source.operation(op)[which]
  if (ref === undefined) return undefined
  const { id, json } = ctx.source.resolve(ref, `${op}.${which}`, "model")
  const node = ctx.graph.nodes.get(id)!
  const extra: Array<string> = []
  for (const k of operationRefTraits) {
    const v = ref[k] ?? (k === "payload" ? json[k] : undefined)
    if (v !== undefined) extra.push(`,${k}:${literal(traitLiteralValue(k, v))}`)
  }
  return `{shape:${node.constName}${extra.join("")}}`
}
