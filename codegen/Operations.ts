/**
 * The operations pass: per operation its error union (modeled errors, the service's common errors
 * minus the codes it models, `Client.SdkError`) and its `Client.operation`: the operation model the
 * codecs read (http binding, input and output references, traits, endpoint bindings) and the
 * error classes, listed once (each carries its shape; `Client.operation` derives the model's error
 * shapes and the classes by code); `Paginate.paginated` around it when the model has a paginator,
 * `Scope` in `R` when the output streams.
 */
import { commonErrorCodes, serviceCommonErrorCodes } from "../src/Request/Errors.js"
import type { Context } from "./Context.js"
import type { Binding, PaginatorJson } from "./Models.js"
import { operationShapeRef } from "./Shapes.js"
import { literal } from "./Syntax.js"
import { operationTraits } from "./Traits.js"
import { ioType, itemTypeOf } from "./Types.js"

export interface OperationsOut {
  /** `CommonError` and the per-operation error unions. */
  readonly types: ReadonlyArray<string>
  readonly operations: ReadonlyArray<string>
  /** Some operation streams its output (the module imports `Scope`). */
  readonly usesScope: boolean
  /** Some paginator needs JMESPath (the module imports `search`). */
  readonly usesSearch: boolean
}

const commonCodes = new Set(commonErrorCodes)

export const operations = (ctx: Context): OperationsOut => {
  const { source, names } = ctx
  const className = source.service.className
  const paginatorOf = new Map<string, PaginatorJson>(source.paginators)
  const types: Array<string> = [
    `/** The common errors this service can send (any operation, besides its own), or an unmodeled one. */\n` +
      `export type ${names.commonError} = ${serviceCommonErrorCodes(source.model.metadata)
        .map((c) => `Errors.${c}`)
        .join(" | ")}\n`
  ]
  const lines: Array<string> = []
  let usesScope = false
  let usesSearch = false
  for (const op of source.operations) {
    const o = source.operation(op)
    const errors = source.errorsOf(op)
    const union = names.errorUnion.get(op)!
    const excluded = errors.filter((e) => commonCodes.has(e))
    const common =
      excluded.length === 0
        ? names.commonError
        : `Exclude<${names.commonError}, { readonly _tag: ${excluded.map((e) => JSON.stringify(e)).join(" | ")} }>`
    types.push(
      `export type ${union} = ${[...errors.map((e) => names.errorClass.get(e)!), common, "Client.SdkError"].join(" | ")}\n`
    )
    const streaming = streamsOutput(ctx, op)
    if (streaming) usesScope = true
    const r = streaming ? `${className} | Scope.Scope` : className
    const classes = errors.map((e) => names.errorClass.get(e)!)
    const spec = `{model:{${operationModel(ctx, op).join(",")}}${classes.length > 0 ? `,errors:[${classes.join(",")}]` : ""}}`
    const call = `Client.operation(${className}, ${spec})`
    const name = names.operation.get(op)!
    const inType = ioType(ctx, o, "input")
    const outType = ioType(ctx, o, "output")
    const pag = paginatorOf.get(op)
    if (pag === undefined) {
      lines.push(
        `export const ${name}: Client.Operation<${inType}, ${outType}, ${union}, ${r}> = /*#__PURE__*/ ${call}\n`
      )
      continue
    }
    const tokens = (v: string | ReadonlyArray<string> | undefined) =>
      v === undefined ? [] : typeof v === "string" ? [v] : [...v]
    const inputToken = tokens(pag.input_token)
    const outputToken = tokens(pag.output_token)
    const resultKey = tokens(pag.result_key)
    const needsSearch = [...outputToken, ...resultKey, pag.more_results ?? ""].some(
      (e) => !/^[\w.]*$/.test(e)
    )
    if (needsSearch) usesSearch = true
    const pspec: Record<string, unknown> = { inputToken, outputToken }
    if (pag.limit_key) pspec.limitKey = pag.limit_key
    if (pag.more_results) pspec.moreResults = pag.more_results
    if (resultKey.length > 0) pspec.resultKey = resultKey
    const itemType = resultKey.length > 0 ? itemTypeOf(ctx, o, resultKey[0]!) : "never"
    lines.push(
      `export const ${name}: Paginate.Paginated<${inType}, ${outType}, ${union}, ${r}, ${itemType}> = /*#__PURE__*/ Paginate.paginated(/*#__PURE__*/ ${call}, ${literal(pspec).slice(0, -1)}${needsSearch ? ",search" : ""}})\n`
    )
  }
  return { types, operations: lines, usesScope, usesSearch }
}

/** The parts of an operation's model (`Shape.ts`'s `OperationModel`). */
const operationModel = (ctx: Context, op: string): Array<string> => {
  const { source } = ctx
  const o = source.operation(op)
  const parts: Array<string> = [`name:${JSON.stringify(op)}`]
  const http = o.http ?? {}
  parts.push(
    `http:${literal({ method: http.method ?? "POST", requestUri: http.requestUri ?? "/", ...(http.responseCode !== undefined ? { responseCode: http.responseCode } : {}) })}`
  )
  const input = operationShapeRef(ctx, op, "input")
  if (input) parts.push(`input:${input}`)
  const output = operationShapeRef(ctx, op, "output")
  if (output) parts.push(`output:${output}`)
  for (const k of operationTraits) {
    const v = (o as Readonly<Record<string, unknown>>)[k]
    if (v !== undefined) parts.push(`${k}:${literal(v)}`)
  }
  // endpoint bindings: the model's static ones, then the overlay's (newer) over them
  const binding = source.binding(op)
  const statics = {
    ...(o as { readonly staticContextParams?: Binding["staticContextParams"] }).staticContextParams,
    ...binding?.staticContextParams
  }
  if (Object.keys(statics).length > 0) parts.push(`staticContextParams:${literal(statics)}`)
  // only what the input members' own `contextParam` does not already bind
  const inputMembers =
    o.input === undefined ? {} : (source.resolve(o.input, `${op}.input`, "model").json.members ?? {})
  const contextParams = Object.fromEntries(
    Object.entries(binding?.contextParams ?? {}).filter(
      ([param, member]) =>
        (inputMembers[member] as { contextParam?: { name?: string } } | undefined)?.contextParam?.name !==
        param
    )
  )
  if (Object.keys(contextParams).length > 0) parts.push(`contextParams:${literal(contextParams)}`)
  if (binding?.operationContextParams)
    parts.push(`operationContextParams:${literal(binding.operationContextParams)}`)
  return parts
}

/** Whether the output's payload member is a streaming blob (its body lives in a `Scope`). */
const streamsOutput = (ctx: Context, op: string): boolean => {
  const outRef = ctx.source.operation(op).output
  if (outRef === undefined) return false
  const { json } = ctx.source.resolve(outRef, `${op}.output`, "model")
  const payload = json.payload
  if (typeof payload !== "string") return false
  const m = json.members?.[payload]
  if (m === undefined) return false
  const t = ctx.source.resolve(m, `${op}.output.${payload}`, "model").json
  return (t.type === "blob" && t.streaming === true) || m.streaming === true
}
