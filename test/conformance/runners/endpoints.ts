/**
 * `npm run conformance -- endpoints RULESET TESTS [--model API2]` (or `endpoints DIR`, a folder
 * holding `endpoint-rule-set-1.json` and `endpoint-tests-1.json`): compiles the rule set and runs
 * every test case of `endpoint-tests-1.json`.
 *
 * - group `params`: the case's `params` straight into the resolver; expected url, properties and
 *   headers, or the error text.
 * - group `operationInputs`: each `{operationName, builtInParams, operationParams}` bound to the
 *   rule set's parameters: built-ins through each parameter's `builtIn`, and operation input
 *   members through the api-2 model's `contextParam` members and per-operation
 *   `staticContextParams` (the model given with `--model`, else the aws-sdk v2 model named like the
 *   rule set's folder, when installed), with the newer bindings of the codegen overlay named like
 *   the folder over them (`contextParams`, `staticContextParams`, `operationContextParams` paths),
 *   as the client generator merges them; `--no-model` turns both off; without either, by
 *   parameter name (as S3's `Bucket`/`Key` context params are).
 *
 * Skips come only from `test/conformance/endpoint-skips.json`, each with a reason.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import type { Binding } from "../../../codegen/Models.js"
import * as ContextPath from "../../../src/Endpoints/ContextPath.js"
import type { EndpointParams, ParameterValue, RuleSet } from "../../../src/Endpoints/RuleSet.js"
import { compileRuleSet, type EndpointResolver } from "../../../src/Endpoints/RulesEngine.js"
import { findSkip, jsonEqual, loadSkips } from "../EndpointSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

interface Expect {
  readonly endpoint?: {
    readonly url: string
    readonly properties?: Readonly<Record<string, unknown>>
    readonly headers?: Readonly<Record<string, ReadonlyArray<string>>>
  }
  readonly error?: string
}

interface OperationInput {
  readonly operationName: string
  readonly builtInParams?: Readonly<Record<string, ParameterValue>>
  readonly clientParams?: Readonly<Record<string, ParameterValue>>
  readonly operationParams?: Readonly<Record<string, unknown>>
}

interface TestCase {
  readonly documentation?: string
  readonly params?: EndpointParams
  readonly expect: Expect
  readonly operationInputs?: ReadonlyArray<OperationInput>
}

/** What an api-2 model says about endpoint binding, per operation. */
interface ModelBinding {
  /** operation -> parameter -> input member */
  readonly contextParams: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** operation -> parameter -> value */
  readonly staticContextParams: Readonly<Record<string, Readonly<Record<string, ParameterValue>>>>
  /** operation -> parameter -> JMESPath over the input */
  readonly operationContextParams: Readonly<Record<string, Readonly<Record<string, string>>>>
}

const readModel = (file: string): ModelBinding => {
  const model = JSON.parse(fs.readFileSync(file, "utf8")) as {
    operations?: Record<
      string,
      {
        input?: {
          shape?: string
          members?: Record<string, { contextParam?: { name: string }; shape?: string }>
        }
        staticContextParams?: Record<string, { value: ParameterValue }>
      }
    >
    shapes?: Record<string, { members?: Record<string, { contextParam?: { name: string } }> }>
  }
  const contextParams: Record<string, Record<string, string>> = {}
  const staticContextParams: Record<string, Record<string, ParameterValue>> = {}
  for (const [name, op] of Object.entries(model.operations ?? {})) {
    const members =
      op.input?.members ?? (op.input?.shape ? model.shapes?.[op.input.shape]?.members : undefined) ?? {}
    const bound: Record<string, string> = {}
    for (const [member, m] of Object.entries(members)) if (m.contextParam) bound[m.contextParam.name] = member
    contextParams[name] = bound
    const statics: Record<string, ParameterValue> = {}
    for (const [param, v] of Object.entries(op.staticContextParams ?? {})) statics[param] = v.value
    staticContextParams[name] = statics
  }
  return { contextParams, staticContextParams, operationContextParams: {} }
}

/**
 * The model's bindings with the overlay's over them (`codegen/overlay/<service>.json`, condensed
 * from the service's current `@aws-sdk/client-*` package), as the client generator merges them.
 */
const withOverlay = (model: ModelBinding | undefined, overlayFile: string): ModelBinding | undefined => {
  if (!fs.existsSync(overlayFile)) return model
  const bindings = (
    JSON.parse(fs.readFileSync(overlayFile, "utf8")) as { bindings?: Record<string, Binding> }
  ).bindings
  if (bindings === undefined) return model
  const contextParams: Record<string, Record<string, string>> = { ...model?.contextParams }
  const staticContextParams: Record<string, Record<string, ParameterValue>> = {
    ...model?.staticContextParams
  }
  const operationContextParams: Record<string, Record<string, string>> = {}
  for (const [op, b] of Object.entries(bindings)) {
    contextParams[op] = { ...contextParams[op], ...b.contextParams }
    const statics: Record<string, ParameterValue> = { ...staticContextParams[op] }
    for (const [param, { value }] of Object.entries(b.staticContextParams ?? {})) statics[param] = value
    staticContextParams[op] = statics
    const paths: Record<string, string> = {}
    for (const [param, { path }] of Object.entries(b.operationContextParams ?? {})) paths[param] = path
    operationContextParams[op] = paths
  }
  return { contextParams, staticContextParams, operationContextParams }
}

const isParameterValue = (v: unknown): v is ParameterValue =>
  typeof v === "string" ||
  typeof v === "boolean" ||
  (Array.isArray(v) && v.every((x) => typeof x === "string"))

/** Binds one operation input to the rule set's parameters (see the module comment). */
export const bindOperationInput = (
  resolver: EndpointResolver,
  input: OperationInput,
  model?: ModelBinding
): EndpointParams => {
  const params: Record<string, ParameterValue> = {}
  for (const [builtIn, value] of Object.entries(input.builtInParams ?? {})) {
    const name = resolver.builtIns[builtIn]
    if (name !== undefined) params[name] = value
  }
  for (const [name, value] of Object.entries(input.clientParams ?? {})) {
    if (name in resolver.parameters) params[name] = value
  }
  const operationParams = input.operationParams ?? {}
  const modelBound = model?.contextParams[input.operationName]
  if (modelBound !== undefined) {
    for (const [param, member] of Object.entries(modelBound)) {
      const v = operationParams[member]
      if (isParameterValue(v)) params[param] = v
    }
  } else {
    for (const [member, v] of Object.entries(operationParams)) {
      const p = resolver.parameters[member]
      if (p !== undefined && p.builtIn === undefined && isParameterValue(v)) params[member] = v
    }
  }
  for (const [param, p] of Object.entries(model?.operationContextParams[input.operationName] ?? {})) {
    const v = ContextPath.evaluate(ContextPath.parse(p), operationParams)
    if (isParameterValue(v)) params[param] = v
  }
  for (const [param, v] of Object.entries(model?.staticContextParams[input.operationName] ?? {})) {
    params[param] = v
  }
  return params
}

/** The aws-sdk v2 api-2 model of a service (`apis/s3-2006-03-01.min.json`), if installed. */
export const v2ModelOf = (service: string): string | undefined => {
  try {
    const apis = path.join(
      path.dirname(createRequire(import.meta.url).resolve("aws-sdk/package.json")),
      "apis"
    )
    const files = fs.readdirSync(apis).filter((f) => f.startsWith(`${service}-`) && f.endsWith(".min.json"))
    const newest = files.sort().at(-1)
    return newest === undefined ? undefined : path.join(apis, newest)
  } catch {
    return undefined
  }
}

/** The codegen overlay of a service (`s3`, `dynamodb`), whose `bindings` are newer than its model. */
const overlayOf = (service: string): string =>
  path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    "..",
    "..",
    "..",
    "codegen",
    "overlay",
    `${service}.json`
  )

/** Runs one resolution and compares it with the expectation; returns the mismatch, if any. */
export const check = (
  resolver: EndpointResolver,
  params: EndpointParams,
  expect: Expect
): { readonly expected: unknown; readonly actual: unknown } | undefined => {
  const result = resolver.resolve(params)
  if (expect.error !== undefined) {
    if (Either.isLeft(result) && result.left.message === expect.error) return undefined
    return {
      expected: { error: expect.error },
      actual: Either.isLeft(result) ? { error: result.left.message } : result.right
    }
  }
  const e = expect.endpoint
  if (e === undefined) return { expected: expect, actual: "a test case with neither endpoint nor error" }
  if (Either.isLeft(result)) return { expected: e, actual: { error: result.left.message } }
  const actual = result.right
  const ok =
    actual.url === e.url &&
    jsonEqual(actual.properties, e.properties ?? {}) &&
    jsonEqual(actual.headers, e.headers ?? {})
  return ok ? undefined : { expected: e, actual }
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const positional: Array<string> = []
  let modelFile: string | undefined
  let useModel = true
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--model") modelFile = args[++i]
    else if (args[i] === "--no-model") useModel = false
    else positional.push(args[i]!)
  }
  let [ruleSetFile, testsFile] = positional
  if (ruleSetFile === undefined) ruleSetFile = dataPath("endpoints/services/s3")
  if (testsFile === undefined && fs.statSync(ruleSetFile).isDirectory()) {
    testsFile = path.join(ruleSetFile, "endpoint-tests-1.json")
    ruleSetFile = path.join(ruleSetFile, "endpoint-rule-set-1.json")
  }
  if (testsFile === undefined)
    throw new Error("usage: endpoints RULESET TESTS [--model API2] | endpoints DIR")
  const suite = path.basename(path.dirname(path.resolve(ruleSetFile)))
  const ruleSet = JSON.parse(fs.readFileSync(ruleSetFile, "utf8")) as RuleSet
  const { testCases } = JSON.parse(fs.readFileSync(testsFile, "utf8")) as {
    testCases: ReadonlyArray<TestCase>
  }
  if (modelFile === undefined && useModel) modelFile = v2ModelOf(suite)
  const model = !useModel
    ? undefined
    : withOverlay(modelFile === undefined ? undefined : readModel(modelFile), overlayOf(suite))
  const skips = loadSkips()
  const resolver = compileRuleSet(ruleSet)
  const tally = new Tally()
  const one = (
    group: string,
    doc: string,
    operation: string | undefined,
    where: string,
    params: EndpointParams,
    expect: Expect
  ) => {
    let mismatch: ReturnType<typeof check>
    try {
      mismatch = check(resolver, params, expect)
    } catch (e) {
      mismatch = { expected: expect, actual: { thrown: String(e) } }
    }
    const skip = findSkip(skips, {
      suite,
      group,
      documentation: doc,
      ...(operation === undefined ? {} : { operation })
    })
    if (skip) {
      // A skipped case that passes means the skip entry is stale: say so.
      if (mismatch === undefined) {
        tally.fail({ where, expected: "a failure", actual: "passes", note: "stale skip entry" }, group)
      } else tally.skip(group)
      return
    }
    if (mismatch === undefined) tally.pass(group)
    else
      tally.fail(
        { where, expected: mismatch.expected, actual: mismatch.actual, note: JSON.stringify(params) },
        group
      )
  }
  testCases.forEach((c, i) => {
    const doc = c.documentation ?? `#${i}`
    one("params", doc, undefined, `${suite} params #${i} ${doc}`, c.params ?? {}, c.expect)
    for (const input of c.operationInputs ?? []) {
      const params = bindOperationInput(resolver, input, model)
      one(
        "operationInputs",
        doc,
        input.operationName,
        `${suite} ${input.operationName} #${i} ${doc}`,
        params,
        c.expect
      )
    }
  })
  return tally.result()
}
