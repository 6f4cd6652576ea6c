/**
 * The types pass: the TypeScript types of the shapes. Inputs take what a caller may hold (required
 * members non-optional, blobs `Uint8Array | string`, longs `number | bigint`, streams
 * `Stream | Uint8Array | string`); outputs are all optional, streaming payloads a `Stream`. Enums
 * are open string-literal unions (`| (string & {})`).
 */
import type { Context } from "./Context.js"
import type { MinOperation, MinShape } from "./Models.js"
import type { Node } from "./ShapeGraph.js"
import type { Namespace } from "./Source.js"
import { key } from "./Syntax.js"

export type Side = "in" | "out"

/** The type of a reference on one side. */
export const tsType = (
  ctx: Context,
  ref: MinShape,
  inlinePath: string,
  ns: Namespace,
  side: Side
): string => {
  const { id, json } = ctx.source.resolve(ref, inlinePath, ns)
  const type = json.type ?? "string"
  switch (type) {
    case "string": {
      if (json.jsonvalue || ref.jsonvalue) return "unknown"
      const e = ctx.source.enumAt(id)
      return e === undefined ? "string" : ctx.names.enumType(e)
    }
    case "character":
      return "string"
    case "boolean":
      return "boolean"
    case "long":
      return side === "in" ? "number | bigint" : "number"
    case "integer":
    case "float":
    case "double":
    case "byte":
    case "short":
    case "bigdecimal":
    case "biginteger":
      return "number"
    case "timestamp":
      return "Date"
    case "blob":
      if (json.streaming || ref.streaming)
        return side === "in"
          ? "Stream.Stream<Uint8Array, unknown> | Uint8Array | string"
          : "Stream.Stream<Uint8Array, Errors.NetworkError | Errors.RequestTimeout>"
      return side === "in" ? "Uint8Array | string" : "Uint8Array"
    case "list": {
      const inner = tsType(ctx, json.member ?? {}, `${id}.member`, ns, side)
      return `ReadonlyArray<${inner.includes(" ") ? `(${inner})` : inner}>`
    }
    case "map": {
      const keyType = tsType(ctx, json.key ?? {}, `${id}.key`, ns, side)
      const valueType = tsType(ctx, json.value ?? {}, `${id}.value`, ns, side)
      return keyType === "string"
        ? `Readonly<Record<string, ${valueType}>>`
        : `Readonly<Partial<Record<${keyType}, ${valueType}>>>`
    }
    case "structure": {
      const node = ctx.graph.nodes.get(id)
      if (node === undefined || json.document || json.eventstream) return "unknown"
      return (side === "in" ? node.inputType : node.outputType) ?? "unknown"
    }
    default:
      return "unknown"
  }
}

/** An operation's input or output type (`{}` when it has none). */
export const ioType = (ctx: Context, o: MinOperation, which: "input" | "output"): string => {
  const ref = o[which]
  if (ref === undefined) return "{}"
  const { id } = ctx.source.resolve(ref, `${o.name ?? ""}.${which}`, "model")
  const node = ctx.graph.nodes.get(id)
  return (which === "input" ? node?.inputType : node?.outputType) ?? "{}"
}

/** The type of one item a paginator's result key (`Contents`, `A.B`) yields. */
export const itemTypeOf = (
  ctx: Context,
  o: MinOperation & { readonly name: string },
  path: string
): string => {
  if (!/^[\w.]+$/.test(path) || o.output === undefined) return "unknown"
  let ref: MinShape = o.output
  let inline = `${o.name}.output`
  for (const seg of path.split(".")) {
    const { id, json } = ctx.source.resolve(ref, inline, "model")
    const m = json.members?.[seg]
    if (json.type !== "structure" || m === undefined) return "unknown"
    ref = m
    inline = `${id}.${seg}`
  }
  const { id, json } = ctx.source.resolve(ref, inline, "model")
  if (json.type !== "list") return tsType(ctx, ref, inline, "model", "out")
  return tsType(ctx, json.member ?? {}, `${id}.member`, "model", "out")
}

const structType = (ctx: Context, name: string, node: Node, side: Side): string => {
  const json = node.json
  const members = Object.entries(json.members ?? {})
  if (members.length === 0) return `export type ${name} = {}\n`
  const required = new Set(json.required ?? [])
  const lines = members.map(([m, mref]) => {
    const t = tsType(ctx, mref, `${node.id}.${m}`, node.ns, side)
    if (side === "in") {
      return required.has(m) && !json.union
        ? `  readonly ${key(m)}: ${t}`
        : `  readonly ${key(m)}?: ${t} | undefined`
    }
    return `  readonly ${key(m)}?: ${t}`
  })
  return `export interface ${name} {\n${lines.join("\n")}\n}\n`
}

/** The input and output interfaces of every structure but the errors (`ErrorClasses.ts` has those). */
export const structureTypes = (ctx: Context): Array<string> => {
  const lines: Array<string> = []
  for (const node of ctx.graph.order) {
    if (node.type !== "structure" || (node.ns === "overlay" && node.id.startsWith("!error."))) continue
    if (node.inputType) lines.push(structType(ctx, node.inputType, node, "in"))
    if (node.outputType) lines.push(structType(ctx, node.outputType, node, "out"))
  }
  return lines
}

/** The enum types that the other types used: run it after every other pass that writes types. */
export const enumTypes = (ctx: Context): Array<string> =>
  ctx.names.enumTypes().map(
    ([e, t]) =>
      `export type ${t} = ${ctx.source
        .enumValues(e)
        .map((v) => JSON.stringify(v))
        .join(" | ")} | (string & {})\n`
  )
