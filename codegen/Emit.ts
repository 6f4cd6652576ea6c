/**
 * Emits one service module from its `.min.json` model and its overlay (see `overlay/fetch.ts`):
 * the client tag and layer, shape constants, input/output types, error classes and unions,
 * operations (paginated where the model says so) and waiters. Pure: the same inputs give the same
 * bytes.
 */
import { pack } from "../src/Endpoints/Packed.js"
import { commonErrorCodes, serviceCommonErrorCodes } from "../src/Request/Errors.js"
import type {
  AcceptorJson,
  Binding,
  MinModel,
  MinOperation,
  MinShape,
  PaginatorJson,
  ServiceModel,
  WaiterJson
} from "./Models.js"

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

export interface EmitOptions {
  /** A hand-written `Customizations.ts` sits beside the module. */
  readonly customizations: boolean
}

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

// ---------------------------------------------------------------------------------------------
// Names.

const jsReserved = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined NaN Infinity"
  ).split(" ")
)

/** Type-namespace names the module needs for itself (imports and the globals it refers to). */
const reservedTypes = new Set(
  (
    "Context Client Errors Stream Scope S Paginate Waiter ServiceError Date Uint8Array ReadonlyArray Readonly Record " +
    "Exclude Partial Array Object String Number Boolean Error Promise Map Set Symbol Function BigInt Math JSON Required " +
    "Pick Omit Extract NonNullable Awaited Iterable"
  ).split(" ")
)

/** Values imported or declared by every module. */
const reservedValues = new Set(
  "layer search customizations standardRuleSet makeRestXml makeRestJson makeJsonRpc makeQuery makeEc2 definition metadata rules".split(
    " "
  )
)

const pascal = (s: string): string => {
  const cleaned = s.replace(/[^A-Za-z0-9_]/g, "_")
  const p = cleaned.charAt(0).toUpperCase() + cleaned.slice(1)
  return /^[0-9]/.test(p) ? `N${p}` : p
}

/** `GetObject` -> `getObject`, `DescribeDBInstances` -> `describeDBInstances`, `Delete` -> `delete_`. */
export const operationName = (op: string): string => {
  const camel = op.charAt(0).toLowerCase() + op.slice(1)
  return jsReserved.has(camel) || reservedValues.has(camel) ? `${camel}_` : camel
}

class Registry {
  private readonly taken = new Set<string>()
  constructor(reserved: Iterable<string>) {
    for (const r of reserved) this.taken.add(r)
  }
  /** The name itself if free, else `Name_`, `Name_2`, ... */
  claim(name: string): string {
    let candidate = name
    if (this.taken.has(candidate)) candidate = `${name}_`
    for (let i = 2; this.taken.has(candidate); i++) candidate = `${name}_${i}`
    this.taken.add(candidate)
    return candidate
  }
}

const isIdentifier = (s: string) => /^[A-Za-z_$][\w$]*$/.test(s)
const key = (s: string) => (isIdentifier(s) ? s : JSON.stringify(s))

// ---------------------------------------------------------------------------------------------
// Shape graph.

/** Member traits that belong on the reference; the rest of an inline shape's keys belong on the shape. */
const refOnly = new Set([
  "location",
  "queryName",
  "xmlAttribute",
  "idempotencyToken",
  "hostLabel",
  "contextParam",
  "eventpayload",
  "eventheader"
])
const refAndShape = new Set([
  "locationName",
  "xmlNamespace",
  "jsonvalue",
  "timestampFormat",
  "flattened",
  "streaming"
])
const dropped = new Set([
  "documentation",
  "xmlOrder",
  "deprecated",
  "deprecatedMessage",
  "sensitive",
  "shape",
  "wrapper",
  "synthetic",
  "box"
])
const shapeStructural = new Set(["members", "member", "key", "value", "type", "required"])

interface Node {
  readonly id: string
  readonly json: MinShape
  readonly ns: "model" | "overlay"
  readonly type: string
  /** Base name (v3 name or derived). */
  name: string
  constName: string
  inputType?: string
  outputType?: string
  usedIn: boolean
  usedOut: boolean
  enumName?: string | undefined
}

interface Scalar {
  readonly constName: string
  readonly literal: string
}

const scalarTypeName: Record<string, string> = {
  string: "String",
  integer: "Integer",
  long: "Long",
  float: "Float",
  double: "Double",
  boolean: "Boolean",
  timestamp: "Timestamp",
  blob: "Blob",
  byte: "Byte",
  short: "Short",
  character: "Character",
  bigdecimal: "BigDecimal",
  biginteger: "BigInteger"
}

/** A JS literal of plain data (no spaces). */
const literal = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(literal).join(",")}]`
  if (v !== null && typeof v === "object")
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${key(k)}:${literal(x)}`)
      .join(",")}}`
  return JSON.stringify(v)
}

export const emitService = (
  service: ServiceModel,
  overlay: Overlay | undefined,
  options: EmitOptions
): string => emit(service, overlay, options).code

export const emit = (service: ServiceModel, overlay: Overlay | undefined, options: EmitOptions): Emitted => {
  const model: MinModel = service.model
  const types = new Registry([...reservedTypes, service.className])
  const values = new Registry([...jsReserved, ...reservedValues, service.className])
  const nodes = new Map<string, Node>()
  const order: Array<Node> = []
  const scalars = new Map<string, Scalar>()
  const scalarOrder: Array<Scalar> = []
  let usesStream = false
  let mappedNames = 0
  let derivedNames = 0

  const resolve = (
    ref: MinShape,
    inlinePath: string,
    ns: "model" | "overlay"
  ): { id: string; json: MinShape; ns: "model" | "overlay" } => {
    if (ref.shape !== undefined) {
      if (ns === "overlay") return { id: `!${ref.shape}`, json: overlay?.shapes[ref.shape] ?? {}, ns }
      return { id: ref.shape, json: model.shapes[ref.shape] ?? {}, ns }
    }
    return { id: inlinePath, json: ref, ns }
  }

  /** Shared shapes: `S1r` in the model, `!Name` in the overlay; the rest are inline paths. */
  const isSharedId = (id: string) => !id.includes(".")
  const isScalar = (json: MinShape) => {
    const t = json.type ?? "string"
    return t !== "structure" && t !== "list" && t !== "map"
  }

  /** The shape-level keys of a shape's JSON (an inline member carries its reference's traits too). */
  const shapeProps = (json: MinShape, inline: boolean, scalar: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(json)) {
      if (refOnly.has(k) || dropped.has(k) || shapeStructural.has(k)) continue
      if ((inline || scalar) && (k === "locationName" || k === "xmlNamespace")) continue
      if (scalar && k === "flattened") continue
      out[k] = v
    }
    return out
  }
  /** The reference-level keys: all traits of a shared shape's reference; the member traits of an inline one. */
  const refProps = (json: MinShape, inline: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(json)) {
      if (dropped.has(k) || shapeStructural.has(k)) continue
      if (!inline || refOnly.has(k) || refAndShape.has(k)) {
        if (inline && (k === "flattened" || k === "streaming")) continue
        out[k] = v
      }
    }
    return out
  }

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
    ns: "model" | "overlay",
    side: "in" | "out",
    derived: string
  ): void => {
    const { id, json, ns: rns } = resolve(ref, inlinePath, ns)
    if (isScalar(json)) {
      scalarFor(json)
      return
    }
    let node = nodes.get(id)
    const fresh = node === undefined
    if (node === undefined) {
      const mappedName = rns === "overlay" ? (isSharedId(id) ? id.slice(1) : undefined) : overlay?.names[id]
      const name = mappedName ?? derived
      if (json.type === "structure") {
        if (mappedName === undefined) derivedNames++
        else mappedNames++
      }
      node = {
        id,
        json,
        ns: rns,
        type: json.type!,
        name: pascal(name),
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

  const operations = Object.keys(model.operations).sort()
  const errorKeys = Object.keys(overlay?.errors ?? {})
  const wide = serviceWideErrors[String(model.metadata.endpointPrefix)] ?? []
  const opErrors = (op: string): ReadonlyArray<string> => {
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
  for (const op of operations) {
    const o = model.operations[op]!
    if (o.input) visit(o.input, `${op}.input`, "model", "in", `${op}Request`)
    if (o.output) visit(o.output, `${op}.output`, "model", "out", `${op}Output`)
  }
  const errorNames = [...new Set(operations.flatMap(opErrors))].sort()
  for (const e of errorNames) {
    const json = overlay!.errors[e]!
    for (const [m, mref] of Object.entries(json.members ?? {}))
      visit(mref, `!error.${e}.${m}`, "overlay", "out", `${e}${pascal(m)}`)
  }

  // Names: error classes first (users catch them by name), then types, then the rest.
  const errorClass = new Map<string, string>()
  for (const e of errorNames) errorClass.set(e, types.claim(pascal(e)))
  const enumTypes = new Map<string, string>()
  const enumName = (id: string): string | undefined => {
    const e = overlay?.enumAt[id]
    if (e === undefined || (overlay?.enums[e]?.length ?? 0) === 0) return undefined
    let t = enumTypes.get(e)
    if (t === undefined) {
      t = types.claim(pascal(e))
      enumTypes.set(e, t)
    }
    return t
  }
  for (const node of order) {
    if (node.type === "structure") {
      if (node.json.document || node.json.eventstream) continue
      const base = node.name
      if (node.usedIn) node.inputType = types.claim(base)
      if (node.usedOut) node.outputType = types.claim(node.usedIn ? `${base}Output` : base)
    }
  }
  const constNames = new Registry([...jsReserved, ...reservedValues, ...reservedTypes])
  for (const node of order) node.constName = constNames.claim(`${node.name}$`)
  for (const s of scalarOrder) constNames.claim(s.constName)

  // ---- TypeScript types of members
  const tsType = (ref: MinShape, inlinePath: string, ns: "model" | "overlay", side: "in" | "out"): string => {
    const { id, json } = resolve(ref, inlinePath, ns)
    const type = json.type ?? "string"
    switch (type) {
      case "string": {
        if (json.jsonvalue || ref.jsonvalue) return "unknown"
        return enumName(id) ?? "string"
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
        const inner = tsType(json.member ?? {}, `${id}.member`, ns, side)
        return `ReadonlyArray<${inner.includes(" ") ? `(${inner})` : inner}>`
      }
      case "map": {
        const keyType = tsType(json.key ?? {}, `${id}.key`, ns, side)
        const valueType = tsType(json.value ?? {}, `${id}.value`, ns, side)
        return keyType === "string"
          ? `Readonly<Record<string, ${valueType}>>`
          : `Readonly<Partial<Record<${keyType}, ${valueType}>>>`
      }
      case "structure": {
        const node = nodes.get(id)
        if (node === undefined || json.document || json.eventstream) return "unknown"
        return (side === "in" ? node.inputType : node.outputType) ?? "unknown"
      }
      default:
        return "unknown"
    }
  }

  const structType = (name: string, node: Node, side: "in" | "out"): string => {
    const json = node.json
    const members = Object.entries(json.members ?? {})
    if (members.length === 0) return `export type ${name} = {}\n`
    const required = new Set(json.required ?? [])
    const lines = members.map(([m, mref]) => {
      const t = tsType(mref, `${node.id}.${m}`, node.ns, side)
      if (side === "in") {
        return required.has(m) && !json.union
          ? `  readonly ${key(m)}: ${t}`
          : `  readonly ${key(m)}?: ${t} | undefined`
      }
      return `  readonly ${key(m)}?: ${t}`
    })
    return `export interface ${name} {\n${lines.join("\n")}\n}\n`
  }

  // ---- shape constants, post-order so that most references are direct
  const emitted = new Set<string>()
  const inProgress = new Set<string>()
  const constLines: Array<string> = []
  const refLiteral = (ref: MinShape, inlinePath: string, ns: "model" | "overlay"): string => {
    const { id, json, ns: rns } = resolve(ref, inlinePath, ns)
    const props = refProps(ref, ref.shape === undefined)
    let target: string
    let lazy = false
    if (isScalar(json)) target = scalarFor(json).constName
    else {
      const node = nodes.get(id)!
      emitNode(node)
      target = node.constName
      lazy = !emitted.has(id)
      void rns
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
      parts.push(
        `${key(k)}:${k === "xmlNamespace" && typeof v === "string" ? literal({ uri: v }) : literal(v)}`
      )
    }
    inProgress.delete(node.id)
    emitted.add(node.id)
    constLines.push(`const ${node.constName}: ${annotation} = {${parts.join(",")}}`)
  }

  // errors: shapes and classes
  const errorShapeConst = new Map<string, string>()
  for (const e of errorNames) {
    const json = overlay!.errors[e]!
    const node: Node = {
      id: `!error.${e}`,
      json,
      ns: "overlay",
      type: "structure",
      name: e,
      constName: constNames.claim(`${pascal(e)}$`),
      usedIn: false,
      usedOut: true
    }
    nodes.set(node.id, node)
    errorShapeConst.set(e, node.constName)
  }

  // ---- operations
  const protocol = model.metadata.protocol
  const opLines: Array<string> = []
  const typeLines: Array<string> = []
  let scopeUsed = false
  const opValueNames = new Map<string, string>()
  for (const op of operations) opValueNames.set(op, values.claim(operationName(op)))
  const paginators = Object.entries(service.paginators)
    .filter(([op]) => model.operations[op] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const paginatorOf = new Map<string, PaginatorJson>(paginators)
  let searchUsed = false
  const errorUnionNames = new Map<string, string>()
  for (const op of operations) errorUnionNames.set(op, types.claim(`${op}Error`))

  const ioType = (o: MinOperation, which: "input" | "output"): string => {
    const ref = o[which]
    if (ref === undefined) return "{}"
    const { id } = resolve(ref, `${o.name ?? ""}.${which}`, "model")
    const node = nodes.get(id)
    return (which === "input" ? node?.inputType : node?.outputType) ?? "{}"
  }
  const shapeRefLiteral = (o: MinOperation, op: string, which: "input" | "output"): string | undefined => {
    const ref = o[which]
    if (ref === undefined) return undefined
    const { id, json } = resolve(ref, `${op}.${which}`, "model")
    const node = nodes.get(id)!
    emitNode(node)
    const extra: Array<string> = []
    for (const k of ["locationName", "xmlNamespace", "resultWrapper", "payload"] as const) {
      const v = ref[k] ?? (k === "payload" ? json[k] : undefined)
      if (v !== undefined)
        extra.push(
          `,${k}:${k === "xmlNamespace" && typeof v === "string" ? literal({ uri: v }) : literal(v)}`
        )
    }
    return `{shape:${node.constName}${extra.join("")}}`
  }

  const commonCodes = new Set(commonErrorCodes)
  const serviceCommon = types.claim("CommonError")
  typeLines.push(
    `/** The common errors this service can send (any operation, besides its own), or an unmodeled one. */\n` +
      `export type ${serviceCommon} = ${serviceCommonErrorCodes(model.metadata)
        .map((c) => `Errors.${c}`)
        .join(" | ")}\n`
  )
  for (const op of operations) {
    const o = { ...model.operations[op]!, name: op }
    const inType = ioType(o, "input")
    const outType = ioType(o, "output")
    const errors = opErrors(op)
    const union = errorUnionNames.get(op)!
    const excluded = errors.filter((e) => commonCodes.has(e))
    const common =
      excluded.length === 0
        ? serviceCommon
        : `Exclude<${serviceCommon}, { readonly _tag: ${excluded.map((e) => JSON.stringify(e)).join(" | ")} }>`
    typeLines.push(
      `export type ${union} = ${[...errors.map((e) => errorClass.get(e)!), common, "Client.SdkError"].join(" | ")}\n`
    )
    const outRef = o.output
    const streamingOut =
      outRef !== undefined &&
      (() => {
        const { json } = resolve(outRef, `${op}.output`, "model")
        const payload = json.payload
        if (typeof payload !== "string") return false
        const m = json.members?.[payload]
        if (m === undefined) return false
        const t = resolve(m, `${op}.output.${payload}`, "model").json
        return (t.type === "blob" && t.streaming === true) || m.streaming === true
      })()
    if (streamingOut) scopeUsed = true
    const r = streamingOut ? `${service.className} | Scope.Scope` : service.className
    const modelParts: Array<string> = [`name:${JSON.stringify(op)}`]
    const http = o.http ?? {}
    modelParts.push(
      `http:${literal({ method: http.method ?? "POST", requestUri: http.requestUri ?? "/", ...(http.responseCode !== undefined ? { responseCode: http.responseCode } : {}) })}`
    )
    const inLit = shapeRefLiteral(o, op, "input")
    if (inLit) modelParts.push(`input:${inLit}`)
    const outLit = shapeRefLiteral(o, op, "output")
    if (outLit) modelParts.push(`output:${outLit}`)
    if (errors.length > 0) modelParts.push(`errors:[${errors.map((e) => errorShapeConst.get(e)!).join(",")}]`)
    for (const k of [
      "endpoint",
      "idempotent",
      "httpChecksumRequired",
      "httpChecksum",
      "requestcompression",
      "authtype",
      "auth",
      "unsignedPayload"
    ]) {
      const v = (o as Readonly<Record<string, unknown>>)[k]
      if (v !== undefined) modelParts.push(`${k}:${literal(v)}`)
    }
    // endpoint bindings: the model's static ones, then the overlay's (newer) over them
    const binding = overlay?.bindings?.[op]
    const statics = {
      ...(o as { readonly staticContextParams?: Binding["staticContextParams"] }).staticContextParams,
      ...binding?.staticContextParams
    }
    if (Object.keys(statics).length > 0) modelParts.push(`staticContextParams:${literal(statics)}`)
    // only what the input members' own `contextParam` does not already bind
    const inputMembers =
      o.input === undefined ? {} : (resolve(o.input, `${op}.input`, "model").json.members ?? {})
    const contextParams = Object.fromEntries(
      Object.entries(binding?.contextParams ?? {}).filter(
        ([param, member]) =>
          (inputMembers[member] as { contextParam?: { name?: string } } | undefined)?.contextParam?.name !==
          param
      )
    )
    if (Object.keys(contextParams).length > 0) modelParts.push(`contextParams:${literal(contextParams)}`)
    if (binding?.operationContextParams)
      modelParts.push(`operationContextParams:${literal(binding.operationContextParams)}`)
    const errorMap: Array<string> = []
    for (const e of errors) {
      const cls = errorClass.get(e)!
      errorMap.push(cls === e ? e : `${key(e)}:${cls}`)
      const code = (overlay!.errors[e]!.error as { code?: string } | undefined)?.code
      if (code !== undefined && code !== e) errorMap.push(`${key(code)}:${cls}`)
    }
    const spec = `{model:{${modelParts.join(",")}}${errorMap.length > 0 ? `,errors:{${errorMap.join(",")}}` : ""}}`
    const call = `Client.operation(${service.className}, ${spec})`
    const name = opValueNames.get(op)!
    const pag = paginatorOf.get(op)
    if (pag !== undefined) {
      const tokens = (v: string | ReadonlyArray<string> | undefined) =>
        v === undefined ? [] : typeof v === "string" ? [v] : [...v]
      const inputToken = tokens(pag.input_token)
      const outputToken = tokens(pag.output_token)
      const resultKey = tokens(pag.result_key)
      const needsSearch = [...outputToken, ...resultKey, pag.more_results ?? ""].some(
        (e) => !/^[\w.]*$/.test(e)
      )
      if (needsSearch) searchUsed = true
      const pspec: Record<string, unknown> = { inputToken, outputToken }
      if (pag.limit_key) pspec.limitKey = pag.limit_key
      if (pag.more_results) pspec.moreResults = pag.more_results
      if (resultKey.length > 0) pspec.resultKey = resultKey
      const itemType = resultKey.length > 0 ? itemTypeOf(o, resultKey[0]!) : "never"
      opLines.push(
        `export const ${name}: Paginate.Paginated<${inType}, ${outType}, ${union}, ${r}, ${itemType}> = /*#__PURE__*/ Paginate.paginated(/*#__PURE__*/ ${call}, ${literal(pspec).slice(0, -1)}${needsSearch ? ",search" : ""}})\n`
      )
    } else {
      opLines.push(
        `export const ${name}: Client.Operation<${inType}, ${outType}, ${union}, ${r}> = /*#__PURE__*/ ${call}\n`
      )
    }
  }

  function itemTypeOf(o: MinOperation & { name: string }, path: string): string {
    if (!/^[\w.]+$/.test(path) || o.output === undefined) return "unknown"
    let ref: MinShape = o.output
    let inline = `${o.name}.output`
    for (const seg of path.split(".")) {
      const { id, json } = resolve(ref, inline, "model")
      const m = json.members?.[seg]
      if (json.type !== "structure" || m === undefined) return "unknown"
      ref = m
      inline = `${id}.${seg}`
    }
    const { id, json } = resolve(ref, inline, "model")
    if (json.type !== "list") return tsType(ref, inline, "model", "out")
    const t = tsType(json.member ?? {}, `${id}.member`, "model", "out")
    return t
  }

  // ---- waiters
  const waiterLines: Array<string> = []
  const waiters = Object.entries(service.waiters)
    .filter(([, w]) => model.operations[w.operation] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [wname, w] of waiters) {
    const acceptors = w.acceptors.map((a: AcceptorJson) => {
      const out: Record<string, unknown> = { state: a.state, matcher: a.matcher }
      if (a.argument !== undefined) out.argument = a.argument
      out.expected = a.expected
      return out
    })
    const needsSearch = acceptors.some(
      (a) => a.matcher === "path" || a.matcher === "pathAll" || a.matcher === "pathAny"
    )
    if (needsSearch) searchUsed = true
    const o = { ...model.operations[w.operation]!, name: w.operation }
    const name = values.claim(`waitUntil${pascal(wname)}`)
    const spec = literal({
      delay: w.delay,
      maxAttempts: w.maxAttempts,
      acceptors: acceptors as unknown as WaiterJson
    }).slice(0, -1)
    waiterLines.push(
      `export const ${name}: Waiter.Waiter<${ioType(o, "input")}, ${errorUnionNames.get(w.operation)!}, ${service.className}> = /*#__PURE__*/ Waiter.make(${opValueNames.get(w.operation)!}, ${spec}${needsSearch ? ",search" : ""}})\n`
    )
  }

  // ---- error classes and their shapes
  const errorLines: Array<string> = []
  for (const e of errorNames) {
    const json = overlay!.errors[e]!
    const node = nodes.get(`!error.${e}`)!
    emitNode(node)
    const members = Object.entries(json.members ?? {}).filter(([m]) => !errorFieldNames.has(m))
    const fields = members.map(
      ([m, mref]) => `readonly ${key(m)}?: ${tsType(mref, `!error.${e}.${m}`, "overlay", "out")}`
    )
    const cls = errorClass.get(e)!
    errorLines.push(
      `export class ${cls} extends /*#__PURE__*/ ServiceError(${JSON.stringify(e)})${fields.length > 0 ? `<{ ${fields.join("; ")} }>` : ""} {}\n`
    )
  }

  // ---- types (after consts so every node's names are final)
  const structLines: Array<string> = []
  for (const node of order) {
    if (node.type !== "structure" || (node.ns === "overlay" && node.id.startsWith("!error."))) continue
    if (node.inputType) structLines.push(structType(node.inputType, node, "in"))
    if (node.outputType) structLines.push(structType(node.outputType, node, "out"))
  }
  const enumLines: Array<string> = []
  for (const [e, t] of [...enumTypes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const vals = overlay!.enums[e]!
    enumLines.push(`export type ${t} = ${vals.map((v) => JSON.stringify(v)).join(" | ")} | (string & {})\n`)
  }
  for (const n of order) emitNode(n)

  // ---- endpoint rules and the definition
  const md = model.metadata
  const metadata: Record<string, unknown> = {}
  for (const k of [
    "protocol",
    "apiVersion",
    "jsonVersion",
    "targetPrefix",
    "xmlNamespace",
    "awsQueryCompatible",
    "endpointPrefix",
    "signingName",
    "signatureVersion",
    "serviceId",
    "serviceFullName",
    "globalEndpoint",
    "uid"
  ]) {
    const v = md[k]
    if (v !== undefined)
      metadata[k] = k === "xmlNamespace" && typeof v !== "string" ? (v as { uri: string }).uri : v
  }
  const factory =
    protocol === "rest-xml"
      ? ["makeRestXml", "RestXml"]
      : protocol === "rest-json"
        ? ["makeRestJson", "RestJson"]
        : protocol === "json"
          ? ["makeJsonRpc", "JsonRpc"]
          : protocol === "ec2"
            ? ["makeEc2", "Query"]
            : ["makeQuery", "Query"]
  const rules = overlay?.endpoints !== undefined ? "overlay" : "fallback"
  const fallback: Record<string, unknown> = { endpointPrefix: md.endpointPrefix }
  if (md.globalEndpoint)
    fallback.global = { aws: { hostname: md.globalEndpoint, signingRegion: "us-east-1" } }
  if (md.signingName && md.signingName !== md.endpointPrefix) fallback.signingName = md.signingName

  const head: Array<string> = [
    "// generated by codegen, do not edit",
    `/**`,
    ` * ${(md.serviceFullName as string | undefined) ?? service.className}: the \`${service.className}\` client (\`effect-aws-sdk/${service.id}\`).`,
    ` * Models: aws-sdk ${service.file}${overlay ? `, ${overlay.package}` : ""}.`,
    ` */`,
    `import * as Context from "effect/Context"`
  ]
  if (scopeUsed) head.push(`import type * as Scope from "effect/Scope"`)
  if (usesStream) head.push(`import type * as Stream from "effect/Stream"`)
  if (rules === "fallback") head.push(`import { standardRuleSet } from "../../Endpoints/Fallback.js"`)
  if (rules === "overlay") head.push(`import { unpack } from "../../Endpoints/Packed.js"`)
  head.push(`import { ${factory[0]} } from "../../Protocols/${factory[1]}.js"`)
  head.push(`import type * as S from "../../Protocols/Shape.js"`)
  head.push(`import * as Client from "../../Request/Client.js"`)
  head.push(`import type * as Errors from "../../Request/Errors.js"`)
  if (errorNames.length > 0) head.push(`import { ServiceError } from "../../Request/Errors.js"`)
  if (paginators.length > 0) head.push(`import * as Paginate from "../../Request/Paginate.js"`)
  if (searchUsed) head.push(`import { search } from "../../Waiters/Jmespath.js"`)
  if (waiters.length > 0) head.push(`import * as Waiter from "../../Waiters/Waiter.js"`)
  if (options.customizations) head.push(`import { customizations } from "./Customizations.js"`)

  const body: Array<string> = [head.join("\n"), ""]
  body.push(
    `/** The ${service.className} client: provide it with \`layer\`. */`,
    `export class ${service.className} extends Context.Tag("effect-aws-sdk/${service.className}")<${service.className}, Client.ServiceClient>() {}`,
    ""
  )
  const endpointRules =
    rules === "overlay" ? `() => unpack(rules)` : `() => standardRuleSet(${literal(fallback)})`
  if (rules === "overlay")
    // packed: shared subtrees written once, the diagram's nodes as digits (`Endpoints/Packed.ts`)
    body.push(`const rules = ${JSON.stringify(pack(overlay!.endpoints))}`, "")
  body.push(
    `const definition: Client.ServiceDefinition = {metadata:${literal(metadata)},protocol:${factory[0]},endpointRules:${endpointRules}${options.customizations ? ",customizations" : ""}}`,
    "",
    `/** A layer of the ${service.className} client, made from the \`Session\` (with optional overrides). */`,
    `export const layer = /*#__PURE__*/ Client.layer(${service.className}, definition)`,
    ""
  )
  body.push(...scalarOrder.map((s) => `const ${s.constName}: S.Shape = ${s.literal}`), "")
  body.push(...constLines, "")
  body.push(...enumLines)
  body.push(...structLines)
  body.push(...errorLines)
  body.push(...typeLines)
  body.push(...opLines)
  body.push(...waiterLines)
  return {
    code: `${body
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd()}\n`,
    operations: operations.length,
    paginators: paginators.length,
    waiters: waiters.length,
    errors: errorNames.length,
    rules,
    names: { mapped: mappedNames, derived: derivedNames }
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

/** Fields every service error has; modeled members of the same name are left to them. */
const errorFieldNames = new Set([
  "message",
  "code",
  "statusCode",
  "requestId",
  "extendedRequestId",
  "service",
  "operation",
  "classification",
  "name",
  "stack",
  "cause",
  "_tag"
])
