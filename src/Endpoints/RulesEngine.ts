/**
 * The Smithy endpoint rules engine, as a compiler: a rule set (the `endpoint-rule-set-1.json` tree,
 * or the decision-diagram form `@aws-sdk/client-*` packages ship) is compiled once into a flat
 * program of condition instructions (the common `isSet` / `booleanEquals` / `stringEquals` / `not`
 * forms as opcodes on a slot array, the rest as closures) plus closures that build the results.
 *
 * Why our own and not `@smithy/core/endpoints` (`resolveEndpoint` for the tree, `decideEndpoint`
 * for the diagram) with `@aws-sdk/core`'s AWS functions; measured here (Node 20, 2 cores, S3 rule
 * set, `bench/endpoints.ts`, uncached on both sides):
 * - per call: 0.75-2.4 µs ours (tree or diagram: virtual host 0.9, path style 1.1, FIPS +
 *   dual-stack 0.9, access point ARN 2.4 / 1.9, custom endpoint 1.4) against 12-38 µs for the v3
 *   tree interpreter and 7-15 µs for its diagram walker, which re-parse every template, copy the
 *   reference record at each tree level and build a WHATWG `URL` per result (v3 hides this behind
 *   a 50-entry cache per client);
 * - size (esbuild, minified, `effect` excluded as it is shared by the whole SDK): engine +
 *   functions + partition table 17.5 KB (6.2 KB gzip) against 26.4 KB (9.8 KB gzip) for
 *   `resolveEndpoint` + `awsEndpointFunctions`; the S3 rules add 107 KB as a tree (5.0 KB gzip)
 *   or 17.7 KB as a diagram (5.5 KB gzip);
 * - state: v3 keeps its partition table and AWS functions in module state
 *   (`setPartitionInfo`, `customEndpointFunctions.aws = ...`); here they are values given to
 *   `compile`, and the little memoisation there is lives in the compiled resolver.
 * Compiling the 900 KB S3 tree takes 2-3 ms warm, 4-8 ms cold (the S3 diagram 2.6 ms cold): once
 * per client.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { EndpointError } from "./EndpointError.js"
import {
  type AttrStep,
  type EndpointFunction,
  getAttrSteps,
  makeFunctions,
  parseAttrPath
} from "./Functions.js"
import { defaultPartitions, type PartitionTable } from "./Partitions.js"
import type {
  Condition,
  DecisionDiagram,
  EndpointParams,
  Expression,
  ParameterDefinition,
  PropertyValue,
  Rule,
  RuleSet,
  Value
} from "./RuleSet.js"

/** A resolved endpoint: the URL, properties (`authSchemes`, ...) and headers to add. */
export interface ResolvedEndpoint {
  readonly url: string
  /** For example `{ authSchemes: [{ name: "sigv4", signingName: "s3", signingRegion: "us-west-2" }] }`. */
  readonly properties: { readonly [key: string]: unknown }
  readonly headers: { readonly [name: string]: ReadonlyArray<string> }
}

/** A compiled rule set. Holds no mutable state: share it across calls and fibers. */
export interface EndpointResolver {
  /** The rule set's parameter declarations. */
  readonly parameters: { readonly [name: string]: ParameterDefinition }
  /** Built-in name (`AWS::Region`) to the parameter it fills (`Region`). */
  readonly builtIns: { readonly [builtIn: string]: string }
  /**
   * Resolves an endpoint. Defaults are applied, required and mistyped parameters rejected, then
   * the rules run. The `Either` is also an `Effect`: `yield* resolver.resolve(params)`.
   */
  readonly resolve: (params: EndpointParams) => Either.Either<ResolvedEndpoint, EndpointError>
}

/** Options of `compile`. */
export interface CompileOptions {
  /** The partition table behind `aws.partition` (default: the generated one). */
  readonly partitions?: PartitionTable
  /** Extra or replacement functions of the rules language, by name. */
  readonly functions?: { readonly [name: string]: EndpointFunction }
}

type Env = Array<Value>
type Compiled = (env: Env) => Value
type Test = (env: Env) => boolean

/** An error outcome inside the engine (the public `EndpointError` is made once, at the end). */
class Failure {
  constructor(readonly message: string) {}
}
type Outcome = ResolvedEndpoint | Failure

/** Opcodes of the rule program (instructions are `[op, a, b, jump-if-false]`). */
const Op = {
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
const holds = (
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

const NO_MATCH = "No endpoint rule matched the parameters"
const EMPTY: { readonly [key: string]: never } = Object.freeze({})

const truthy = (v: Value): boolean => v !== undefined && v !== null && v !== false

const toText = (v: Value): string =>
  typeof v === "string"
    ? v
    : v === undefined || v === null
      ? ""
      : typeof v === "object"
        ? JSON.stringify(v)
        : String(v)

/** Where names live: parameters first, then each distinct `assign`ed name. */
class Slots {
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
class InvalidRuleSet extends Error {}

const invalid = (message: string): Error => new InvalidRuleSet(`invalid rule set: ${message}`)

const isReference = (e: Expression): e is { readonly ref: string } =>
  typeof e === "object" && e !== null && !Array.isArray(e) && typeof (e as { ref?: unknown }).ref === "string"

const isCall = (e: Expression): e is { readonly fn: string; readonly argv: ReadonlyArray<Expression> } =>
  typeof e === "object" && e !== null && !Array.isArray(e) && typeof (e as { fn?: unknown }).fn === "string"

class Compiler {
  constructor(
    readonly slots: Slots,
    readonly functions: Readonly<Record<string, EndpointFunction>>
  ) {}

  ref(name: string, scope: ReadonlySet<string>): number {
    if (this.slots.checkScope && !scope.has(name)) throw invalid(`'${name}' is not in scope`)
    return this.slots.slot(name)
  }

  /** `"https://{Region}.{PartitionResult#dnsSuffix}"`, with `{{` / `}}` for literal braces. */
  template(text: string, scope: ReadonlySet<string>): (env: Env) => string {
    const parts: Array<string | ((env: Env) => string)> = []
    let literal = ""
    let i = 0
    while (i < text.length) {
      const c = text[i]!
      if ((c === "{" || c === "}") && text[i + 1] === c) {
        literal += c
        i += 2
        continue
      }
      if (c === "}") throw invalid(`unbalanced '}' in template '${text}'`)
      if (c !== "{") {
        literal += c
        i++
        continue
      }
      const close = text.indexOf("}", i)
      if (close === -1) throw invalid(`unclosed '{' in template '${text}'`)
      const inner = text.slice(i + 1, close)
      if (literal !== "") parts.push(literal)
      literal = ""
      const hash = inner.indexOf("#")
      if (hash === -1) {
        const slot = this.ref(inner, scope)
        parts.push((env) => toText(env[slot]))
      } else {
        const slot = this.ref(inner.slice(0, hash), scope)
        const steps = parseAttrPath(inner.slice(hash + 1))
        parts.push((env) => toText(getAttrSteps(env[slot], steps)))
      }
      i = close + 1
    }
    if (literal !== "") parts.push(literal)
    if (parts.length === 0) return () => ""
    if (parts.length === 1) {
      const only = parts[0]!
      return typeof only === "string" ? () => only : only
    }
    if (parts.length === 2) {
      const [a, b] = parts as [string | ((env: Env) => string), string | ((env: Env) => string)]
      if (typeof a === "string" && typeof b !== "string") return (env) => a + b(env)
      if (typeof a !== "string" && typeof b === "string") return (env) => a(env) + b
    }
    const pieces = parts.map((p) => (typeof p === "string" ? () => p : p))
    const n = pieces.length
    return (env) => {
      let s = ""
      for (let k = 0; k < n; k++) s += pieces[k]!(env)
      return s
    }
  }

  expression(e: Expression, scope: ReadonlySet<string>): Compiled {
    if (typeof e === "string") return this.template(e, scope)
    if (typeof e === "boolean" || typeof e === "number") return () => e
    if (Array.isArray(e)) {
      const items = (e as ReadonlyArray<Expression>).map((x) => this.expression(x, scope))
      return (env) => items.map((f) => f(env))
    }
    if (isReference(e)) {
      const slot = this.ref(e.ref, scope)
      return (env) => env[slot]
    }
    if (isCall(e)) return this.call(e.fn, e.argv, scope)
    throw invalid(`not an expression: ${JSON.stringify(e)}`)
  }

  call(fn: string, argv: ReadonlyArray<Expression>, scope: ReadonlySet<string>): Compiled {
    const a0 = argv[0]
    const a1 = argv[1]
    // The calls that make up most conditions, specialised to skip the generic dispatch.
    if (!Object.hasOwn(this.overrides, fn)) {
      if (fn === "isSet" && argv.length === 1) {
        if (isReference(a0!)) {
          const slot = this.ref(a0.ref, scope)
          return (env) => env[slot] !== undefined && env[slot] !== null
        }
        const x = this.expression(a0!, scope)
        return (env) => {
          const v = x(env)
          return v !== undefined && v !== null
        }
      }
      if (fn === "not" && argv.length === 1) {
        const x = this.expression(a0!, scope)
        return (env) => x(env) !== true
      }
      if ((fn === "booleanEquals" || fn === "stringEquals") && argv.length === 2) {
        const kind = fn === "booleanEquals" ? "boolean" : "string"
        const literal = typeof a1 === kind ? a1 : typeof a0 === kind ? a0 : undefined
        const other = literal === a1 ? a0! : a1!
        if (literal !== undefined && (kind === "boolean" || !(literal as string).includes("{"))) {
          if (isReference(other)) {
            const slot = this.ref(other.ref, scope)
            return (env) => env[slot] === literal
          }
          const x = this.expression(other, scope)
          return (env) => x(env) === literal
        }
        const x = this.expression(a0!, scope)
        const y = this.expression(a1!, scope)
        return (env) => {
          const v = x(env)
          return typeof v === kind && v === y(env)
        }
      }
      if (fn === "getAttr" && argv.length === 2 && typeof a1 === "string") {
        const steps: ReadonlyArray<AttrStep> = parseAttrPath(a1)
        const x = this.expression(a0!, scope)
        if (steps.length === 1 && typeof steps[0] === "string") {
          const key = steps[0]
          return (env) => {
            const v = x(env)
            return typeof v === "object" && v !== null && !Array.isArray(v) && Object.hasOwn(v, key)
              ? (v as { readonly [k: string]: Value })[key]
              : undefined
          }
        }
        return (env) => getAttrSteps(x(env), steps)
      }
    }
    const impl = this.functions[fn]
    if (impl === undefined) throw invalid(`unknown function '${fn}'`)
    if (fn === "getAttr" && typeof a1 === "string") parseAttrPath(a1) // validate now
    const args = argv.map((x) => this.expression(x, scope))
    switch (args.length) {
      case 0:
        return () => impl()
      case 1: {
        const [x] = args as [Compiled]
        return (env) => impl(x(env))
      }
      case 2: {
        const [x, y] = args as [Compiled, Compiled]
        return (env) => impl(x(env), y(env))
      }
      case 3: {
        const [x, y, z] = args as [Compiled, Compiled, Compiled]
        return (env) => impl(x(env), y(env), z(env))
      }
      default:
        return (env) => impl(...args.map((f) => f(env)))
    }
  }

  overrides: Readonly<Record<string, EndpointFunction>> = EMPTY

  /** A condition: truthy result (an assigned name binds the value, set means true). */
  condition(c: Condition, scope: Set<string>): Test {
    if (!isCall(c)) throw invalid(`not a condition: ${JSON.stringify(c)}`)
    const f = this.call(c.fn, c.argv, scope)
    if (c.assign === undefined) return (env) => truthy(f(env))
    if (this.slots.checkScope && scope.has(c.assign)) throw invalid(`'${c.assign}' is assigned twice`)
    const slot = this.slots.slot(c.assign)
    scope.add(c.assign)
    return (env) => {
      const v = f(env)
      env[slot] = v
      return truthy(v)
    }
  }

  property(
    p: PropertyValue,
    scope: ReadonlySet<string>
  ): { readonly constant: boolean; readonly f: Compiled } {
    if (typeof p === "string") {
      if (!p.includes("{") && !p.includes("}")) return { constant: true, f: () => p }
      return { constant: false, f: this.template(p, scope) }
    }
    if (typeof p === "boolean" || typeof p === "number") return { constant: true, f: () => p }
    if (Array.isArray(p)) {
      const items = (p as ReadonlyArray<PropertyValue>).map((x) => this.property(x, scope))
      if (items.every((x) => x.constant)) {
        const value = Object.freeze(items.map((x) => x.f([])))
        return { constant: true, f: () => value }
      }
      const fs = items.map((x) => x.f)
      return { constant: false, f: (env) => fs.map((f) => f(env)) }
    }
    if (typeof p === "object" && p !== null) {
      if (isReference(p as Expression) || isCall(p as Expression)) {
        return { constant: false, f: this.expression(p as Expression, scope) }
      }
      const entries = Object.entries(p).map(([k, v]) => [k, this.property(v, scope)] as const)
      if (entries.every(([, x]) => x.constant)) {
        const value = Object.freeze(Object.fromEntries(entries.map(([k, x]) => [k, x.f([])])))
        return { constant: true, f: () => value }
      }
      const keys = entries.map(([k]) => k)
      const fs = entries.map(([, x]) => x.f)
      const n = keys.length
      return {
        constant: false,
        f: (env) => {
          const o: Record<string, Value> = {}
          for (let k = 0; k < n; k++) o[keys[k]!] = fs[k]!(env)
          return o
        }
      }
    }
    throw invalid(`not a property value: ${JSON.stringify(p)}`)
  }

  endpoint(
    urlExpr: Expression,
    properties: { readonly [key: string]: PropertyValue } | undefined,
    headers: { readonly [name: string]: ReadonlyArray<Expression> } | undefined,
    scope: ReadonlySet<string>
  ): (env: Env) => Outcome {
    const url = this.expression(urlExpr, scope)
    const props =
      properties === undefined || Object.keys(properties).length === 0
        ? { constant: true, f: () => EMPTY }
        : this.property(properties, scope)
    const propsOf = props.f as (env: Env) => { readonly [key: string]: unknown }
    let headersOf: (env: Env) => { readonly [name: string]: ReadonlyArray<string> } = () => EMPTY
    if (headers !== undefined && Object.keys(headers).length > 0) {
      const names = Object.keys(headers)
      const values = names.map((n) => headers[n]!.map((e) => this.expression(e, scope)))
      headersOf = (env) => {
        const h: Record<string, ReadonlyArray<string>> = {}
        for (let k = 0; k < names.length; k++) h[names[k]!] = values[k]!.map((f) => toText(f(env)))
        return h
      }
    }
    return (env) => {
      const u = url(env)
      if (typeof u !== "string")
        return new Failure(`The endpoint URL did not evaluate to a string (${toText(u)})`)
      return { url: u, properties: propsOf(env), headers: headersOf(env) }
    }
  }

  error(e: Expression, scope: ReadonlySet<string>): (env: Env) => Failure {
    const message = this.expression(e, scope)
    return (env) => new Failure(toText(message(env)))
  }

  /**
   * A condition as one instruction of the rule program: the common forms (`isSet(x)`,
   * `booleanEquals(x, true)`, `stringEquals(x, "lit")`, and their `not`) become opcodes on a slot,
   * the rest a call of a compiled test.
   */
  instruction(c: Condition, scope: Set<string>): readonly [op: number, a: number, b: number] {
    if (c.assign === undefined && isCall(c)) {
      let negate = false
      let call: { readonly fn: string; readonly argv: ReadonlyArray<Expression> } = c
      const inner = call.argv[0]
      if (call.fn === "not" && call.argv.length === 1 && inner !== undefined && isCall(inner)) {
        negate = true
        call = inner
      }
      const [x, y] = call.argv
      if (!Object.hasOwn(this.overrides, call.fn) && !Object.hasOwn(this.overrides, "not")) {
        if (call.fn === "isSet" && call.argv.length === 1 && isReference(x!)) {
          return [negate ? Op.NotSet : Op.IsSet, this.ref(x.ref, scope), 0]
        }
        if (call.fn === "booleanEquals" && call.argv.length === 2) {
          const [r, lit] =
            typeof y === "boolean" ? [x!, y] : typeof x === "boolean" ? [y!, x] : [undefined, undefined]
          if (r !== undefined && isReference(r)) {
            return [negate ? Op.BoolNe : Op.BoolEq, this.ref(r.ref, scope), lit ? 1 : 0]
          }
        }
        if (call.fn === "stringEquals" && call.argv.length === 2) {
          const [r, lit] =
            typeof y === "string" && !/[{}]/.test(y)
              ? [x!, y]
              : typeof x === "string" && !/[{}]/.test(x)
                ? [y!, x]
                : [undefined, undefined]
          if (r !== undefined && lit !== undefined && isReference(r)) {
            let k = this.strings.indexOf(lit)
            if (k === -1) k = this.strings.push(lit) - 1
            return [negate ? Op.StrNe : Op.StrEq, this.ref(r.ref, scope), k]
          }
        }
      }
    }
    return [Op.Test, this.tests.push(this.condition(c, scope)) - 1, 0]
  }

  /** Rules become a flat program: each condition jumps to the next rule when it fails. */
  emit(rules: ReadonlyArray<Rule>, outer: ReadonlySet<string>, code: Array<number>): void {
    for (const rule of rules) {
      const scope = new Set(outer)
      const jumps: Array<number> = []
      for (const c of rule.conditions ?? []) {
        const [op, a, b] = this.instruction(c, scope)
        jumps.push(code.length + 3)
        code.push(op, a, b, -1)
      }
      switch (rule.type) {
        case "endpoint": {
          const e = rule.endpoint
          code.push(
            Op.Result,
            this.results.push(this.endpoint(e.url, e.properties, e.headers, scope)) - 1,
            0,
            0
          )
          break
        }
        case "error":
          code.push(Op.Result, this.results.push(this.error(rule.error, scope)) - 1, 0, 0)
          break
        case "tree":
          this.emit(rule.rules, scope, code)
          // A tree whose conditions hold is final: if none of its rules match, resolution fails.
          code.push(Op.NoMatch, 0, 0, 0)
          break
        default:
          throw invalid(`unknown rule type '${(rule as { type?: unknown }).type}'`)
      }
      for (const at of jumps) code[at] = code.length
    }
  }

  readonly tests: Array<Test> = []
  readonly strings: Array<string> = []
  readonly results: Array<(env: Env) => Outcome> = []
}

type Kind = "string" | "boolean" | "stringArray"

const kindOf = (name: string, p: ParameterDefinition): Kind => {
  const t = String(p.type).toLowerCase()
  if (t === "string") return "string"
  if (t === "boolean") return "boolean"
  if (t === "stringarray") return "stringArray"
  throw invalid(`parameter '${name}' has unknown type '${p.type}'`)
}

const hasKind = (kind: Kind, v: unknown): boolean =>
  kind === "stringArray" ? Array.isArray(v) && v.every((x) => typeof x === "string") : typeof v === kind

interface Prepared {
  readonly slots: Slots
  readonly compiler: Compiler
  readonly names: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<Kind>
  readonly defaults: ReadonlyArray<Value>
  readonly required: ReadonlyArray<boolean>
  readonly builtIns: { readonly [builtIn: string]: string }
}

const prepare = (
  parameters: { readonly [name: string]: ParameterDefinition },
  checkScope: boolean,
  options: CompileOptions | undefined
): Prepared => {
  const slots = new Slots(checkScope)
  const names = Object.keys(parameters)
  const kinds: Array<Kind> = []
  const defaults: Array<Value> = []
  const required: Array<boolean> = []
  const builtIns: Record<string, string> = {}
  for (const name of names) {
    const p = parameters[name]!
    slots.slot(name)
    const kind = kindOf(name, p)
    kinds.push(kind)
    if (p.default !== undefined && !hasKind(kind, p.default)) {
      throw invalid(`default of parameter '${name}' is not a ${kind}`)
    }
    defaults.push(p.default as Value)
    required.push(p.required === true)
    if (p.builtIn !== undefined) builtIns[p.builtIn] = name
  }
  const functions = {
    ...makeFunctions(options?.partitions ?? defaultPartitions),
    ...(options?.functions ?? {})
  }
  const compiler = new Compiler(slots, functions)
  if (options?.functions) compiler.overrides = options.functions
  return { slots, compiler, names, kinds, defaults, required, builtIns: Object.freeze(builtIns) }
}

const makeResolver = (
  parameters: { readonly [name: string]: ParameterDefinition },
  prepared: Prepared,
  run: (env: Env) => Outcome | undefined
): EndpointResolver => {
  const { names, kinds, defaults, required, slots } = prepared
  const count = names.length
  const size = () => slots.index.size
  const fail = (message: string, parameter?: string) =>
    Either.left(new EndpointError(parameter === undefined ? { message } : { message, parameter }))
  const resolve = (params: EndpointParams): Either.Either<ResolvedEndpoint, EndpointError> => {
    const env: Env = new Array(size())
    for (let i = 0; i < count; i++) {
      const name = names[i]!
      const v = params[name]
      if (v === undefined || v === null) {
        const d = defaults[i]
        if (d === undefined && required[i]) return fail(`Missing required parameter: '${name}'`, name)
        env[i] = d
      } else if (typeof v === kinds[i] || hasKind(kinds[i]!, v)) {
        env[i] = v
      } else {
        return fail(`Invalid value for parameter '${name}': expected a ${kinds[i]}`, name)
      }
    }
    const out = run(env)
    if (out === undefined) return fail(NO_MATCH)
    if (out instanceof Failure) return fail(out.message)
    return Either.right(out)
  }
  return { parameters, builtIns: prepared.builtIns, resolve }
}

/**
 * Compiles an `endpoint-rule-set-1.json` rule set. Throws when the rule set itself is malformed
 * (an unknown function or rule type, a name used out of scope): rule sets ship with the code, so
 * that is a bug, not a runtime condition. Compile once per client; the resolver is cheap to call.
 *
 * @example
 * ```ts
 * const resolver = Endpoints.compile(s3RuleSet)
 * const endpoint = yield* resolver.resolve({ Region: "us-west-2", Bucket: "my-bucket" })
 * endpoint.url // "https://my-bucket.s3.us-west-2.amazonaws.com"
 * ```
 */
export const compileRuleSet = (ruleSet: RuleSet, options?: CompileOptions): EndpointResolver => {
  if (typeof ruleSet !== "object" || ruleSet === null || !Array.isArray(ruleSet.rules)) {
    throw invalid("no rules")
  }
  const parameters = ruleSet.parameters ?? {}
  const prepared = prepare(parameters, true, options)
  const scope = new Set(prepared.names)
  const { compiler } = prepared
  const program: Array<number> = []
  compiler.emit(ruleSet.rules, scope, program)
  program.push(Op.NoMatch, 0, 0, 0)
  const code = Int32Array.from(program)
  const { tests, strings, results } = compiler
  const run = (env: Env): Outcome | undefined => {
    let pc = 0
    for (;;) {
      const op = code[pc]!
      if (op === Op.Result) return results[code[pc + 1]!]!(env)
      if (op === Op.NoMatch) return undefined
      pc = holds(op, code[pc + 1]!, code[pc + 2]!, env, tests, strings) ? pc + 4 : code[pc + 3]!
    }
  }
  return makeResolver(parameters, prepared, run)
}

const RESULT = 100_000_000

/** An instruction not compiled yet (`compileDecisionDiagram` compiles a condition when first reached). */
const UNCOMPILED = -1

/**
 * Compiles the decision-diagram form (what `@aws-sdk/client-*` ship as `endpoint/bdd.js`), given
 * its parameter declarations. Same resolver, same results as the tree form it was made from.
 *
 * Conditions and results compile when a resolution first reaches them: a resolution visits a few
 * of a diagram's conditions and one of its results (S3 has 75 and 116), and compiling them all up
 * front was most of the endpoint work of a cold start. The nodes are checked here; a malformed
 * condition or result (an unknown function, a bad template) fails the resolutions that reach it,
 * with an `EndpointError` naming the problem.
 */
export const compileDecisionDiagram = (bdd: DecisionDiagram, options?: CompileOptions): EndpointResolver => {
  const prepared = prepare(bdd.parameters, false, options)
  const { compiler } = prepared
  const scope = new Set<string>()
  const conditionCount = bdd.conditions.length
  const instructions = new Int32Array(3 * conditionCount).fill(UNCOMPILED)
  const compileCondition = (k: number): void => {
    const [fn, argv, assign] = bdd.conditions[k / 3]!
    const [op, a, b] = compiler.instruction(assign === undefined ? { fn, argv } : { fn, argv, assign }, scope)
    instructions[k + 1] = a
    instructions[k + 2] = b
    instructions[k] = op
  }
  const { tests, strings } = compiler
  const compileResult = (r: DecisionDiagram["results"][number]): ((env: Env) => Outcome) => {
    if (r[0] === -1) {
      if (r.length < 2) return () => new Failure(NO_MATCH)
      return compiler.error(r[1] as Expression, scope)
    }
    const [url, properties, headers] = r as readonly [
      Expression,
      { readonly [key: string]: PropertyValue },
      { readonly [name: string]: ReadonlyArray<Expression> }?
    ]
    return compiler.endpoint(url, properties, headers, scope)
  }
  const results = bdd.results.map((r): ((env: Env) => Outcome) => {
    let compiled: ((env: Env) => Outcome) | undefined
    return (env) => {
      if (compiled === undefined) compiled = compileResult(r)
      return compiled(env)
    }
  })
  const nodes = Int32Array.from(bdd.nodes)
  const nodeCount = nodes.length / 3
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]!
    if (i % 3 === 0) {
      if (i > 0 && (v < 0 || v >= conditionCount)) throw invalid(`node ${i / 3} names condition ${v}`)
    } else if (v >= RESULT ? v - RESULT >= results.length : Math.abs(v) > nodeCount) {
      throw invalid(`node ${(i - (i % 3)) / 3} points to ${v}`)
    }
  }
  const root = bdd.root
  const walk = (env: Env): Outcome | undefined => {
    let ref = root
    while (ref !== 1 && ref !== -1 && ref < RESULT) {
      const at = 3 * (ref < 0 ? -ref - 1 : ref - 1)
      const k = 3 * nodes[at]!
      if (instructions[k] === UNCOMPILED) compileCondition(k)
      const ok = holds(instructions[k]!, instructions[k + 1]!, instructions[k + 2]!, env, tests, strings)
      ref = ok === ref > 0 ? nodes[at + 1]! : nodes[at + 2]!
    }
    return ref >= RESULT ? results[ref - RESULT]!(env) : undefined
  }
  const run = (env: Env): Outcome | undefined => {
    try {
      return walk(env)
    } catch (e) {
      if (e instanceof InvalidRuleSet) return new Failure(e.message)
      throw e
    }
  }
  return makeResolver(bdd.parameters, prepared, run)
}

/**
 * Compiles either form of rule set: a tree (`{ parameters, rules }`) or a decision diagram
 * (`{ parameters, conditions, results, nodes, root }`).
 */
export const compile = (ruleSet: RuleSet | DecisionDiagram, options?: CompileOptions): EndpointResolver =>
  "rules" in ruleSet ? compileRuleSet(ruleSet, options) : compileDecisionDiagram(ruleSet, options)
