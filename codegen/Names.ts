/**
 * The names pass: every name the module declares, claimed in one place so that nothing shadows a
 * global, an import or another declaration. Error classes are named first (users catch them by
 * name), then the structure types, the operations' error unions and `CommonError`; enum types as
 * the type pass first meets them (`enumType`). Values: operations, then waiters. Shape constants
 * have a namespace of their own.
 */
import type { ShapeGraph } from "./ShapeGraph.js"
import { errorNode } from "./ShapeGraph.js"
import type { Source } from "./Source.js"
import { byName, pascal } from "./Syntax.js"

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

/** `GetObject` -> `getObject`, `DescribeDBInstances` -> `describeDBInstances`, `Delete` -> `delete_`. */
export const operationName = (op: string): string => {
  const camel = op.charAt(0).toLowerCase() + op.slice(1)
  return jsReserved.has(camel) || reservedValues.has(camel) ? `${camel}_` : camel
}

/** One namespace of the module. */
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

export interface Names {
  /** Error shape name -> its class. */
  readonly errorClass: ReadonlyMap<string, string>
  /** Operation -> its value (`getObject`). */
  readonly operation: ReadonlyMap<string, string>
  /** Operation -> its error union type (`GetObjectError`). */
  readonly errorUnion: ReadonlyMap<string, string>
  /** The service's union of common errors. */
  readonly commonError: string
  /** Waiter -> its value (`waitUntilBucketExists`). */
  readonly waiter: ReadonlyMap<string, string>
  /** The type of an enum of the overlay, claimed on first use. */
  readonly enumType: (enumName: string) => string
  /** The enums named so far, sorted by enum name. */
  readonly enumTypes: () => ReadonlyArray<readonly [string, string]>
}

/**
 * Claims the module's names, and sets each node's type and constant names (`Node.inputType`,
 * `outputType`, `constName`).
 */
export const assignNames = (source: Source, graph: ShapeGraph): Names => {
  const className = source.service.className
  const types = new Registry([...reservedTypes, className])
  const values = new Registry([...jsReserved, ...reservedValues, className])

  const errorClass = new Map<string, string>()
  for (const e of source.errorNames) errorClass.set(e, types.claim(pascal(e)))
  for (const node of graph.order) {
    if (node.type !== "structure" || node.json.document || node.json.eventstream) continue
    if (node.usedIn) node.inputType = types.claim(node.name)
    if (node.usedOut) node.outputType = types.claim(node.usedIn ? `${node.name}Output` : node.name)
  }

  const constNames = new Registry([...jsReserved, ...reservedValues, ...reservedTypes])
  for (const node of graph.order) node.constName = constNames.claim(`${node.name}$`)
  // scalar constants keep their names by type (`string$1`): reserved before the errors' are claimed
  for (const s of graph.scalars) constNames.claim(s.constName)
  for (const e of source.errorNames) errorNode(graph, e).constName = constNames.claim(`${pascal(e)}$`)

  const operation = new Map<string, string>()
  for (const op of source.operations) operation.set(op, values.claim(operationName(op)))
  const errorUnion = new Map<string, string>()
  for (const op of source.operations) errorUnion.set(op, types.claim(`${op}Error`))
  const commonError = types.claim("CommonError")
  const waiter = new Map<string, string>()
  for (const [name] of source.waiters) waiter.set(name, values.claim(`waitUntil${pascal(name)}`))

  const enums = new Map<string, string>()
  return {
    errorClass,
    operation,
    errorUnion,
    commonError,
    waiter,
    enumType: (enumName) => {
      let t = enums.get(enumName)
      if (t === undefined) {
        t = types.claim(pascal(enumName))
        enums.set(enumName, t)
      }
      return t
    },
    enumTypes: () => byName([...enums.entries()])
  }
}
