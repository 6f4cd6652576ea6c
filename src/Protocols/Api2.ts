/**
 * Links an api-2 JSON model (shapes referenced by name) into the object model of `Shape.ts`.
 * Used by the conformance runner and by tools that load models at run time; generated clients do
 * not need it (the generator emits the linked form directly).
 *
 * @since 0.1.0
 */
import type { MemberRef, OperationModel, OperationShapeRef, Shape, StructureShape } from "./Shape.js"

/** An api-2 shape or member as found in the JSON. */
export type Api2Json = Readonly<Record<string, unknown>>

const memberKeys = new Set(["member", "key", "value"])

/** Some models write `xmlNamespace` as the bare URI; the object form is `{ uri, prefix? }`. */
const namespace = (value: unknown): unknown => (typeof value === "string" ? { uri: value } : value)

/** Links every shape of an api-2 `shapes` map; unknown shape names throw. */
export const linkShapes = (shapes: Readonly<Record<string, Api2Json>>): ReadonlyMap<string, Shape> => {
  const linked = new Map<string, Record<string, unknown>>()
  for (const [name, json] of Object.entries(shapes)) {
    const shape: Record<string, unknown> = { name, ...json }
    if (shape.xmlNamespace !== undefined) shape.xmlNamespace = namespace(shape.xmlNamespace)
    linked.set(name, shape)
  }
  const resolve = (ref: unknown, where: string): MemberRef => {
    const json = ref as Api2Json
    const target = linked.get(json.shape as string)
    if (target === undefined)
      throw new Error(`api-2 model: ${where} refers to unknown shape ${String(json.shape)}`)
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(json)) {
      if (k === "shape" || k === "documentation") continue
      // a few suites spell traits with a capital letter
      out[k === "LocationName" ? "locationName" : k] = k === "xmlNamespace" ? namespace(v) : v
    }
    out.shape = target
    return out as unknown as MemberRef
  }
  for (const [name, shape] of linked) {
    delete shape.documentation
    if (shape.type === "structure") {
      const members: Record<string, MemberRef> = {}
      for (const [m, ref] of Object.entries((shape.members ?? {}) as Record<string, unknown>)) {
        members[m] = resolve(ref, `${name}.${m}`)
      }
      shape.members = members
    }
    for (const key of memberKeys) {
      if (shape[key] !== undefined && (shape.type === "list" || shape.type === "map")) {
        shape[key] = resolve(shape[key], `${name}.${key}`)
      }
    }
  }
  return linked as unknown as ReadonlyMap<string, Shape>
}

const structureOf = (shapes: ReadonlyMap<string, Shape>, name: string, where: string): StructureShape => {
  const shape = shapes.get(name)
  if (shape === undefined || shape.type !== "structure") {
    throw new Error(`api-2 model: ${where} must refer to a structure, got ${name}`)
  }
  return shape
}

/** Links one api-2 operation against already linked shapes. */
export const linkOperation = (shapes: ReadonlyMap<string, Shape>, json: Api2Json): OperationModel => {
  const name = json.name as string
  const ref = (r: unknown, where: string): OperationShapeRef | undefined => {
    if (r === undefined) return undefined
    const { shape, xmlNamespace, ...traits } = r as Record<string, unknown>
    const linked: Record<string, unknown> = {
      ...traits,
      shape: structureOf(shapes, shape as string, `${name}.${where}`)
    }
    if (xmlNamespace !== undefined) linked.xmlNamespace = namespace(xmlNamespace)
    return linked as unknown as OperationShapeRef
  }
  const { input, output, errors, documentation: _doc, ...rest } = json as Record<string, unknown>
  const op: Record<string, unknown> = { ...rest, name }
  // api-2's defaults for what a model leaves out: POST to "/"
  op.http = { method: "POST", requestUri: "/", ...(op.http as Record<string, unknown> | undefined) }
  const inRef = ref(input, "input")
  const outRef = ref(output, "output")
  if (inRef) op.input = inRef
  if (outRef) op.output = outRef
  if (Array.isArray(errors)) {
    op.errors = errors.map((e: { shape: string }) => structureOf(shapes, e.shape, `${name}.errors`))
  }
  return op as unknown as OperationModel
}
