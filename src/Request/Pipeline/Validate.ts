/**
 * The validate stage: input validation against the model, before anything is sent: required
 * members, lengths, ranges, types (for untyped callers), nested in lists and maps. Every problem is
 * collected, with its path (`Delete.Objects[2].Key`), as the Go SDK's `Validate` does. Validators
 * are compiled once per shape and cached.
 *
 * @since 0.1.0
 */
import type { MemberRef, OperationModel, Shape, StructureShape } from "../../Protocols/Shape.js"
import type { ServiceClient } from "../Client.js"
import { InvalidParams, type ParamProblem } from "../Errors.js"

type Validator = (value: unknown, path: string, problems: Array<ParamProblem>) => void

const cache = new WeakMap<Shape, Validator>()

/**
 * Inputs nested deeper than this are refused: validation recurses with the input, so a cyclic
 * input (or an absurdly deep one) would otherwise overflow the stack and die instead of failing.
 * Far above what services accept (DynamoDB allows 32 levels).
 */
export const MAX_DEPTH = 256

/** Containers entered so far in the current validation (validation is synchronous). */
let depth = 0

/** A container's validator, counting its level and refusing to go deeper than {@link MAX_DEPTH}. */
const nested =
  (check: Validator): Validator =>
  (value, path, problems) => {
    if (depth >= MAX_DEPTH) {
      problems.push({ path, message: `nested more than ${MAX_DEPTH} levels deep (is there a cycle?)` })
      return
    }
    depth++
    try {
      check(value, path, problems)
    } finally {
      depth--
    }
  }

const describe = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : v instanceof Uint8Array ? "bytes" : typeof v

const join = (path: string, member: string): string => (path === "" ? member : `${path}.${member}`)

const checkRange = (
  kind: "length" | "size" | "value",
  n: number,
  shape: { readonly min?: number; readonly max?: number },
  path: string,
  problems: Array<ParamProblem>
): void => {
  if (shape.min !== undefined && n < shape.min) {
    problems.push({ path, message: `minimum ${kind} is ${shape.min}, got ${n}` })
  }
  if (shape.max !== undefined && n > shape.max) {
    problems.push({ path, message: `maximum ${kind} is ${shape.max}, got ${n}` })
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const typeProblem = (path: string, expected: string, value: unknown): ParamProblem => ({
  path,
  message: `expected ${expected}, got ${describe(value)}`
})

const isStreamLike = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v)

const compileStructure = (shape: StructureShape): Validator => {
  const members = Object.entries(shape.members).map(([name, ref]) => [name, memberValidator(ref)] as const)
  const required = shape.required ?? []
  const union = shape.union === true ? oneOf(members.map(([name]) => name)) : undefined
  return (value, path, problems) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(typeProblem(path === "" ? shape.name : path, "an object", value))
      return
    }
    const record = value as Record<string, unknown>
    for (const name of required) {
      if (record[name] === undefined || record[name] === null) {
        problems.push({ path: join(path, name), message: "required" })
      }
    }
    let set = 0
    for (const [name, check] of members) {
      const v = record[name]
      if (v === undefined || v === null) continue
      set++
      check(v, join(path, name), problems)
    }
    if (union !== undefined && set !== 1) {
      problems.push({
        path: path === "" ? shape.name : path,
        message: `a union takes exactly one member, got ${set === 0 ? "none" : set} (${
          set === 0 ? union : setMembers(record, members)
        })`
      })
    }
  }
}

/** "A, B or C". */
const oneOf = (names: ReadonlyArray<string>): string =>
  names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`

/** The names of the members set in a union value, for its problem. */
const setMembers = (
  record: Readonly<Record<string, unknown>>,
  members: ReadonlyArray<readonly [string, Validator]>
): string =>
  members
    .filter(([name]) => record[name] !== undefined && record[name] !== null)
    .map(([name]) => name)
    .join(", ")

const memberValidator = (ref: MemberRef): Validator => {
  if (ref.shape.type === "blob" && (ref.streaming || ref.shape.streaming)) {
    return (value, path, problems) => {
      if (!(value instanceof Uint8Array) && typeof value !== "string" && !isStreamLike(value)) {
        problems.push(typeProblem(path, "bytes, a string or a stream", value))
      }
    }
  }
  if (ref.jsonvalue === true || (ref.shape.type === "string" && ref.shape.jsonvalue === true)) {
    return () => {}
  }
  return validatorFor(ref.shape)
}

const compile = (shape: Shape): Validator => {
  switch (shape.type) {
    case "structure":
      if (shape.document === true) return () => {}
      return nested(compileStructure(shape))
    case "list": {
      const item = memberValidator(shape.member)
      return nested((value, path, problems) => {
        if (!Array.isArray(value)) return void problems.push(typeProblem(path, "an array", value))
        checkRange("size", value.length, shape, path, problems)
        value.forEach((v, i) => {
          if (v === undefined || v === null) return
          item(v, `${path}[${i}]`, problems)
        })
      })
    }
    case "map": {
      const item = memberValidator(shape.value)
      return nested((value, path, problems) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          return void problems.push(typeProblem(path, "an object (map)", value))
        }
        const entries = Object.entries(value)
        checkRange("size", entries.length, shape, path, problems)
        for (const [k, v] of entries) {
          if (v === undefined || v === null) continue
          item(v, `${path}[${JSON.stringify(k)}]`, problems)
        }
      })
    }
    case "string":
      return (value, path, problems) => {
        if (typeof value !== "string") return void problems.push(typeProblem(path, "a string", value))
        if (LONE_SURROGATE.test(value))
          problems.push({ path, message: "not well-formed UTF-16 (lone surrogate)" })
        checkRange("length", value.length, shape, path, problems)
      }
    case "character":
      return (value, path, problems) => {
        if (typeof value !== "string" || value.length !== 1)
          problems.push(typeProblem(path, "one character", value))
      }
    case "boolean":
      return (value, path, problems) => {
        if (typeof value !== "boolean") problems.push(typeProblem(path, "a boolean", value))
      }
    case "timestamp":
      return (value, path, problems) => {
        if (value instanceof Date) {
          if (Number.isNaN(value.getTime())) problems.push({ path, message: "invalid Date" })
        } else if (typeof value !== "number" || !Number.isFinite(value)) {
          problems.push(typeProblem(path, "a Date", value))
        }
      }
    case "blob":
      return (value, path, problems) => {
        if (value instanceof Uint8Array) checkRange("length", value.length, shape, path, problems)
        else if (typeof value === "string") checkRange("length", value.length, shape, path, problems)
        else problems.push(typeProblem(path, "bytes or a string", value))
      }
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
      return (value, path, problems) => {
        if (typeof value === "bigint" && (shape.type === "long" || shape.type === "biginteger")) {
          checkRange("value", Number(value), shape, path, problems)
          return
        }
        if (typeof value !== "number" || !Number.isInteger(value)) {
          return void problems.push(typeProblem(path, "an integer", value))
        }
        if (!Number.isSafeInteger(value)) {
          problems.push({ path, message: `${value} is beyond 2^53; pass a bigint to send it exactly` })
        }
        checkRange("value", value, shape, path, problems)
      }
    case "float":
    case "double":
    case "bigdecimal":
      return (value, path, problems) => {
        if (typeof value !== "number") return void problems.push(typeProblem(path, "a number", value))
        if (!Number.isNaN(value)) checkRange("value", value, shape, path, problems)
      }
  }
}

/** The validator of a shape (compiled on first use). Recursive shapes are fine. */
export const validatorFor = (shape: Shape): Validator => {
  const cached = cache.get(shape)
  if (cached) return cached
  let compiled: Validator | undefined
  // Registered before compiling so recursive references find it.
  const lazy: Validator = (value, path, problems) => {
    compiled ??= compile(shape)
    compiled(value, path, problems)
  }
  cache.set(shape, lazy)
  return lazy
}

/** Every problem with `input` as the operation's input; empty when it is valid. */
export const validate = (shape: StructureShape, input: unknown): ReadonlyArray<ParamProblem> => {
  const problems: Array<ParamProblem> = []
  depth = 0
  validatorFor(shape)(input, "", problems)
  return problems
}

/**
 * The stage: the input as the service completes it (`Customizations.prepareInput`, e.g. S3's SSE-C
 * key MD5), or `InvalidParams` with every problem it has.
 */
export const validateInput = (
  client: ServiceClient,
  model: OperationModel,
  rawInput: Readonly<Record<string, unknown>>
): Readonly<Record<string, unknown>> | InvalidParams => {
  const prepareInput = client.definition.customizations?.prepareInput
  const input = prepareInput ? prepareInput(model, rawInput ?? {}, client.config) : (rawInput ?? {})
  if (model.input) {
    const problems = validate(model.input.shape, input)
    if (problems.length > 0) return new InvalidParams({ operation: model.name, problems })
  }
  return input
}
