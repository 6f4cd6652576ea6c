/**
 * The rules compiler: rules, conditions and expressions of a rule set (either form) compiled into
 * the program `RulesEngine` runs (`RulesProgram`): the common `isSet` / `booleanEquals` /
 * `stringEquals` / `not` forms as opcodes on slots, the rest as closures, templates parsed once,
 * results built by closures.
 *
 * @since 0.1.0
 */
import { type AttrStep, type EndpointFunction, getAttrSteps, parseAttrPath } from "./Functions.js"
import type { Condition, Expression, PropertyValue, Rule, Value } from "./RuleSet.js"
import {
  type Compiled,
  EMPTY,
  type Env,
  Failure,
  invalid,
  Op,
  type Outcome,
  type Slots,
  type Test,
  toText,
  truthy
} from "./RulesProgram.js"

const isReference = (e: Expression): e is { readonly ref: string } =>
  typeof e === "object" && e !== null && !Array.isArray(e) && typeof (e as { ref?: unknown }).ref === "string"

const isCall = (e: Expression): e is { readonly fn: string; readonly argv: ReadonlyArray<Expression> } =>
  typeof e === "object" && e !== null && !Array.isArray(e) && typeof (e as { fn?: unknown }).fn === "string"

export class Compiler {
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
