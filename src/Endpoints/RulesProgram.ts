/**
 * The rules engine's compiled program, what the compiler (`RulesCompiler`) makes and the
 * resolvers (`RulesEngine`) run: the slot array of values (`Env`), condition instructions as
 * opcodes (`Op`, evaluated by `holds`) with the rarer conditions as closures, and the outcome of a
 * resolution (an endpoint, or a `Failure` made into the public `EndpointError` once, at the end).
 *
 * @since 0.1.0
 */
import type { Value } from "./RuleSet.js"

/** A resolved endpoint: the URL, properties (`authSchemes`, ...) and headers to add. */
export interface ResolvedEndpoint {
  readonly url: string
  /** For example `{ authSchemes: [{ name: "sigv4", signingName: "s3", signingRegion: "us-west-2" }] }`. */
  readonly properties: { readonly [key: string]: unknown }
  readonly headers: { readonly [name: string]: ReadonlyArray<string> }
}

export type Env = Array<Value>
export type Compiled = (env: Env) => Value
export type Test = (env: Env) => boolean

/** An error outcome inside the engine (the public `EndpointError` is made once, at the end). */
export class Failure {
  constructor(readonly message: string) {}
}
export type Outcome = ResolvedEndpoint | Failure

/** Opcodes of the rule program (instructions are `[op, a, b, jump-if-false]`). */
export const Op = {
  IsSet: 0,
  NotSet: 1,
  BoolEq: 2,
  BoolNe: 3,
  StrEq: 4,
  StrNe: 5,
  Test: 6,
  Result: 7,
  NoMatch: 8
} as const

/** Evaluates one condition instruction; small and monomorphic, so V8 inlines it. */
export const holds = (
  op: number,
  a: number,
  b: number,
  env: Env,
  tests: ReadonlyArray<Test>,
  strings: ReadonlyArray<string>
): boolean => {
  switch (op) {
    case Op.IsSet:
      return env[a] !== undefined
    case Op.NotSet:
      return env[a] === undefined
    case Op.BoolEq:
      return env[a] === (b === 1)
    case Op.BoolNe:
      return env[a] !== (b === 1)
    case Op.StrEq:
      return env[a] === strings[b]
    case Op.StrNe:
      return env[a] !== strings[b]
    default:
      return tests[a]!(env)
  }
}

export const NO_MATCH = "No endpoint rule matched the parameters"
export const EMPTY: { readonly [key: string]: never } = Object.freeze({})

export const truthy = (v: Value): boolean => v !== undefined && v !== null && v !== false

export const toText = (v: Value): string =>
  typeof v === "string"
    ? v
    : v === undefined || v === null
      ? ""
      : typeof v === "object"
        ? JSON.stringify(v)
        : String(v)

/** Where names live: parameters first, then each distinct `assign`ed name. */
export class Slots {
  readonly index = new Map<string, number>()
  constructor(readonly checkScope: boolean) {}
  slot(name: string): number {
    let i = this.index.get(name)
    if (i === undefined) {
      i = this.index.size
      this.index.set(name, i)
    }
    return i
  }
}

/** A rule set that cannot be compiled (thrown by the compilers; a resolution that meets one lazily fails). */
export class InvalidRuleSet extends Error {}

export const invalid = (message: string): Error => new InvalidRuleSet(`invalid rule set: ${message}`)
