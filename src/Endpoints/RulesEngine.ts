/**
 * The Smithy endpoint rules engine, as a compiler: a rule set (the `endpoint-rule-set-1.json` tree,
 * or the decision-diagram form `@aws-sdk/client-*` packages ship) is compiled once into a flat
 * program of condition instructions (the common `isSet` / `booleanEquals` / `stringEquals` / `not`
 * forms as opcodes on a slot array, the rest as closures) plus closures that build the results.
 *
 * Why our own and not `@smithy/core/endpoints` with `@aws-sdk/core`'s AWS functions: it is several
 * times faster per call and smaller, and keeps no module state (the partition table and functions
 * are values given to `compile`); the figures are in `bench/README.md` ("Figures behind the code").
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { EndpointError } from "./EndpointError.js"
import { type EndpointFunction, makeFunctions } from "./Functions.js"
import { defaultPartitions, type PartitionTable } from "./Partitions.js"
import type {
  DecisionDiagram,
  EndpointParams,
  Expression,
  ParameterDefinition,
  PropertyValue,
  RuleSet,
  Value
} from "./RuleSet.js"
import { Compiler } from "./RulesCompiler.js"
import {
  type Env,
  Failure,
  holds,
  InvalidRuleSet,
  invalid,
  NO_MATCH,
  Op,
  type Outcome,
  type ResolvedEndpoint,
  Slots
} from "./RulesProgram.js"

export type { ResolvedEndpoint } from "./RulesProgram.js"

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
