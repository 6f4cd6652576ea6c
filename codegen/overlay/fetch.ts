/**
 * One-time, developer-run (never in CI): fetches the `@aws-sdk/client-*` package of every service
 * with `npm pack` into `codegen/.cache/` (gitignored; resumable) and condenses what the generator
 * needs and the `.min.json` models strip into `codegen/overlay/<key>.json` (committed, compact,
 * deterministic):
 *
 * - `endpoints`: the service's endpoint rules as a decision diagram (`dist-es/endpoint/bdd.js`)
 *   with its parameter declarations (`EndpointParameters`), or a rule set for older packages;
 * - `operations`: per operation the modeled errors (the `@throws` tags of the command's `.d.ts`),
 *   as indexes into the sorted names of `errors`;
 * - `errors`: per error its api-2 structure (members, `error.code` / HTTP status / fault) from
 *   `dist-es/schemas/*.js`, and `shapes` the structures those members reach;
 * - `names`: the real shape names, mapped onto the `.min.json` model by walking each operation's
 *   input and output in both models side by side (keys are shape paths, see `shapePath`);
 * - `enums`: enum values by enum name (from `models/*.d.ts`), and `enumAt`: shape path -> enum;
 * - `bindings`: per operation the endpoint parameters bound from its input (`contextParams`,
 *   `operationContextParams` as JMESPath) or fixed (`staticContextParams`), from the package's
 *   command builder: newer than the `.min.json` models (DynamoDB's `ResourceArn`, for one).
 *
 * Documentation is left out: it would multiply the overlay's size.
 *
 *   npx tsx codegen/overlay/fetch.ts                  pack what packages.json pins, then condense
 *   npx tsx codegen/overlay/fetch.ts --discover       also pin (latest) services not pinned yet
 *   npx tsx codegen/overlay/fetch.ts --only sqs,s3    limit to some services
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import ts from "typescript"
import { type Binding, loadServices, type MinShape, type ServiceModel, v3PackageName } from "../Models.js"
import { evaluateModule } from "./Eval.js"

const run = promisify(execFile)
const here = path.dirname(fileURLToPath(import.meta.url))
const cacheDir = path.join(here, "..", ".cache")
const pinsFile = path.join(here, "packages.json")

type Pins = Record<string, string | null>

// ---------------------------------------------------------------------------------------------
// Fetching.

const packageDir = (pkg: string, version: string) =>
  path.join(cacheDir, `${pkg.replace("@aws-sdk/", "")}-${version}`)

/** `npm pack name[@version]` into the cache and extracts it; returns the version, or null if npm has no such package. */
const fetchPackage = async (pkg: string, version: string | undefined): Promise<string | null> => {
  if (
    version !== undefined &&
    fs.existsSync(path.join(packageDir(pkg, version), "package", "package.json"))
  ) {
    return version
  }
  const tmp = fs.mkdtempSync(path.join(cacheDir, ".pack-"))
  try {
    const spec = version === undefined ? pkg : `${pkg}@${version}`
    let stdout: string
    try {
      ;({ stdout } = await run("npm", ["pack", spec, "--pack-destination", tmp], { maxBuffer: 1 << 24 }))
    } catch (e) {
      const text = String((e as { stderr?: string }).stderr ?? e)
      if (/E404|404 Not Found/.test(text)) return null
      console.error(`npm pack ${spec} failed: ${text.slice(0, 500)}`)
      return version ?? null
    }
    const tgz = stdout.trim().split("\n").pop()!.trim()
    const got = /-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(tgz)?.[1]
    if (got === undefined) throw new Error(`npm pack ${spec}: unexpected output ${stdout}`)
    const dir = packageDir(pkg, got)
    fs.mkdirSync(dir, { recursive: true })
    await run("tar", [
      "xzf",
      path.join(tmp, tgz),
      "-C",
      dir,
      "--exclude=package/dist-cjs",
      "--exclude=package/dist-types/ts3.4"
    ])
    return got
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

const pool = async <A>(items: ReadonlyArray<A>, size: number, f: (a: A) => Promise<void>) => {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!
      await f(item)
    }
  }
  await Promise.all(Array.from({ length: size }, worker))
}

// ---------------------------------------------------------------------------------------------
// Smithy schemas (`@smithy/core/schema` tuples) as the packages ship them.

/** `[kind, namespace, name, traits, ...]`: 0 simple, 1 list, 2 map, 3 structure, -3 error, 4 union, 9 operation. */
type Tuple = ReadonlyArray<unknown>

const isTuple = (r: unknown): r is Tuple => Array.isArray(r) && r.length >= 4 && typeof r[0] === "number"

/** Strips member wrappers and thunks: a simple type code, or a shape tuple. */
const deref = (
  ref: unknown
): { readonly target: number | Tuple; readonly traits: Record<string, unknown> } => {
  let traits: Record<string, unknown> = {}
  let r: unknown = ref
  for (let i = 0; i < 10; i++) {
    if (typeof r === "function") r = (r as () => unknown)()
    else if (Array.isArray(r) && r.length === 2 && !isTuple(r)) {
      traits = { ...translateTraits(r[1]), ...traits }
      r = r[0]
    } else break
  }
  if (typeof r === "number" || isTuple(r)) return { target: r, traits }
  throw new Error(`unexpected schema reference ${String(r)}`)
}

const traitBits = [
  "httpLabel",
  "idempotent",
  "idempotencyToken",
  "sensitive",
  "httpPayload",
  "httpResponseCode",
  "httpQueryParams"
]
const translateTraits = (t: unknown): Record<string, unknown> => {
  if (typeof t === "object" && t !== null) return t as Record<string, unknown>
  const n = typeof t === "number" ? t : 0
  const out: Record<string, unknown> = {}
  traitBits.forEach((name, i) => {
    if ((n >> i) & 1) out[name] = 1
  })
  return out
}

/** api-2 member traits from Smithy traits. */
const memberTraits = (traits: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (typeof traits.httpHeader === "string")
    Object.assign(out, { location: "header", locationName: traits.httpHeader })
  if (typeof traits.httpPrefixHeaders === "string")
    Object.assign(out, { location: "headers", locationName: traits.httpPrefixHeaders })
  if (traits.httpResponseCode) out.location = "statusCode"
  if (typeof traits.jsonName === "string") out.locationName = traits.jsonName
  if (typeof traits.xmlName === "string") out.locationName = traits.xmlName
  if (traits.xmlAttribute !== undefined) out.xmlAttribute = true
  if (traits.xmlFlattened !== undefined) out.flattened = true
  return out
}

const simple = (code: number): MinShape => {
  switch (code & 0b0011_1111) {
    case 0:
      return {}
    case 1:
      return { type: "double" }
    case 2:
      return { type: "boolean" }
    case 4:
      return { type: "timestamp" }
    case 5:
      return { type: "timestamp", timestampFormat: "iso8601" }
    case 6:
      return { type: "timestamp", timestampFormat: "rfc822" }
    case 7:
      return { type: "timestamp", timestampFormat: "unixTimestamp" }
    case 15:
      return { type: "structure", members: {}, document: true }
    case 17:
      return { type: "long" }
    case 19:
      return { type: "double" }
    case 21:
      return { type: "blob" }
    case 42:
      return { type: "blob", streaming: true }
    default:
      return {}
  }
}

/** Converts a schema into the `.min.json` form; named structures go into `shapes` and are referenced. */
const toMin = (ref: unknown, shapes: Record<string, MinShape>): MinShape => {
  const { target, traits } = deref(ref)
  const extra = memberTraits(traits)
  if (typeof target === "number") {
    if (target & 0b0100_0000 && target !== 0b0100_0000 + 0)
      return { type: "list", member: simple(target & 0b0011_1111), ...extra }
    if (target === 0b0100_0000) return { type: "list", member: {}, ...extra }
    if (target & 0b1000_0000) return { type: "map", key: {}, value: simple(target & 0b0011_1111), ...extra }
    return { ...simple(target), ...extra }
  }
  const kind = target[0] as number
  const name = target[2] as string
  const own = memberTraits(translateTraits(target[3]))
  switch (kind) {
    case 0:
      return { ...toMin(target[4], shapes), ...own, ...extra }
    case 1:
      return { type: "list", member: toMin(target[4], shapes), ...own, ...extra }
    case 2:
      return { type: "map", key: toMin(target[4], shapes), value: toMin(target[5], shapes), ...own, ...extra }
    default: {
      if (!(name in shapes)) {
        shapes[name] = { type: "structure", members: {} }
        shapes[name] = structureOf(target, shapes)
      }
      return { shape: name, ...extra }
    }
  }
}

const structureOf = (tuple: Tuple, shapes: Record<string, MinShape>): MinShape => {
  const names = (tuple[4] ?? []) as ReadonlyArray<string>
  const schemas = (tuple[5] ?? []) as ReadonlyArray<unknown>
  const members: Record<string, MinShape> = {}
  let payload: string | undefined
  names.forEach((m, i) => {
    const member = schemas[i]
    const { traits } = deref(member)
    if (traits.httpPayload) payload = m
    members[m] = toMin(member, shapes)
  })
  return {
    type: "structure",
    members,
    ...(payload === undefined ? {} : { payload }),
    ...(tuple[0] === 4 ? { union: true } : {})
  }
}

// ---------------------------------------------------------------------------------------------
// Declarations (`.d.ts`) through the TypeScript parser.

const parseDts = (file: string) =>
  ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)

/** Error names in the `@throws {@link X}` tags of a command class. */
const thrownErrors = (file: string): ReadonlyArray<string> => {
  const source = parseDts(file)
  const out: Array<string> = []
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node)) {
      const tags = ts.getJSDocTags(node)
      tags.forEach((tag, i) => {
        if (tag.tagName.text !== "throws") return
        const parts: Array<string> = []
        // `@throws {@link X}` parses as a `throws` tag followed by a `link` tag whose text starts `X}`
        const next = tags[i + 1]
        if (next?.tagName.text === "link" && next.comment !== undefined)
          parts.push(`@link ${ts.getTextOfJSDocComment(next.comment) ?? ""}`)
        const throwsTag = tag as ts.JSDocThrowsTag
        if (throwsTag.typeExpression) parts.push(throwsTag.typeExpression.getText(source))
        if (tag.comment !== undefined) {
          if (typeof tag.comment === "string") parts.push(tag.comment)
          else
            for (const c of tag.comment) {
              if (ts.isJSDocLink(c) && c.name) parts.push(`@link ${c.name.getText(source)}`)
              else parts.push(c.text)
            }
        }
        const name = /@link\s+([A-Za-z_$][\w$]*)/.exec(parts.join(" "))?.[1]
        if (name !== undefined && !out.includes(name)) out.push(name)
      })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

interface EnumHint {
  readonly self?: string
  readonly member?: string
  readonly key?: string
  readonly value?: string
}

interface Declarations {
  /** enum name -> values */
  readonly enums: Map<string, ReadonlyArray<string>>
  /** interface -> member -> enum hint */
  readonly members: Map<string, Map<string, EnumHint>>
  /** interface -> member -> the interface its type refers to (directly, as array element or record value) */
  readonly refs: Map<string, Map<string, string>>
  /** Error classes (`class X extends __BaseException`), for packages that ship no schemas. */
  readonly errors: Record<string, MinShape>
}

const readDeclarations = (dir: string): Declarations => {
  const enums = new Map<string, ReadonlyArray<string>>()
  const memberTypes = new Map<string, Map<string, ts.TypeNode>>()
  const errorClasses: Array<ts.ClassDeclaration> = []
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".d.ts"))
        .sort()
    : []
  for (const f of files) {
    const source = parseDts(path.join(dir, f))
    for (const st of source.statements) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          if (!ts.isIdentifier(d.name) || d.type === undefined || !ts.isTypeLiteralNode(d.type)) continue
          const values: Array<string> = []
          for (const m of d.type.members) {
            if (
              ts.isPropertySignature(m) &&
              m.type &&
              ts.isLiteralTypeNode(m.type) &&
              ts.isStringLiteral(m.type.literal)
            )
              values.push(m.type.literal.text)
          }
          if (values.length > 0) enums.set(d.name.text, values)
        }
      } else if (ts.isEnumDeclaration(st)) {
        const values: Array<string> = []
        for (const m of st.members)
          if (m.initializer && ts.isStringLiteral(m.initializer)) values.push(m.initializer.text)
        if (values.length > 0) enums.set(st.name.text, values)
      } else if (ts.isClassDeclaration(st) && st.name && st.heritageClauses !== undefined) {
        errorClasses.push(st)
      } else if (ts.isInterfaceDeclaration(st)) {
        const members = new Map<string, ts.TypeNode>()
        for (const m of st.members) {
          if (ts.isPropertySignature(m) && m.type && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)))
            members.set(m.name.text, m.type)
        }
        memberTypes.set(st.name.text, members)
      }
    }
  }
  const refName = (t: ts.TypeNode | undefined): string | undefined => {
    if (t === undefined) return undefined
    if (ts.isUnionTypeNode(t)) {
      const rest = t.types.filter(
        (x) =>
          x.kind !== ts.SyntaxKind.UndefinedKeyword &&
          x.kind !== ts.SyntaxKind.StringKeyword && // older packages write `EnumName | string`
          !(ts.isLiteralTypeNode(x) && x.literal.kind === ts.SyntaxKind.NullKeyword)
      )
      return rest.length === 1 ? refName(rest[0]) : undefined
    }
    if (ts.isParenthesizedTypeNode(t)) return refName(t.type)
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && enums.has(t.typeName.text))
      return t.typeName.text
    return undefined
  }
  const hintOf = (t: ts.TypeNode): EnumHint => {
    let type = t
    if (ts.isUnionTypeNode(type)) {
      const rest = type.types.filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword)
      if (rest.length === 1) type = rest[0]!
    }
    const self = refName(type)
    if (self) return { self }
    if (ts.isArrayTypeNode(type)) {
      const member = refName(type.elementType)
      return member ? { member } : {}
    }
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const args = type.typeArguments ?? []
      if (type.typeName.text === "Partial" && args[0]) return hintOf(args[0])
      if (type.typeName.text === "Record" && args.length === 2) {
        const key = refName(args[0])
        const value = refName(args[1])
        return { ...(key ? { key } : {}), ...(value ? { value } : {}) }
      }
    }
    return {}
  }
  const members = new Map<string, Map<string, EnumHint>>()
  const refs = new Map<string, Map<string, string>>()
  const unwrap = (t: ts.TypeNode): ts.TypeNode => {
    if (ts.isParenthesizedTypeNode(t)) return unwrap(t.type)
    if (ts.isUnionTypeNode(t)) {
      const rest = t.types.filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword)
      if (rest.length === 1) return unwrap(rest[0]!)
    }
    return t
  }
  const interfaceRef = (t: ts.TypeNode): string | undefined => {
    const type = unwrap(t)
    if (ts.isArrayTypeNode(type)) return interfaceRef(type.elementType)
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const args = type.typeArguments ?? []
      if ((type.typeName.text === "Record" || type.typeName.text === "Partial") && args.length > 0)
        return interfaceRef(args[args.length - 1]!)
      if (memberTypes.has(type.typeName.text)) return type.typeName.text
    }
    return undefined
  }
  for (const [iface, ms] of memberTypes) {
    const hints = new Map<string, EnumHint>()
    const r = new Map<string, string>()
    for (const [m, t] of ms) {
      const h = hintOf(t)
      if (Object.keys(h).length > 0) hints.set(m, h)
      const target = interfaceRef(t)
      if (target !== undefined) r.set(m, target)
    }
    if (hints.size > 0) members.set(iface, hints)
    if (r.size > 0) refs.set(iface, r)
  }
  // error classes: `readonly name: "X"; readonly $fault: "client"` and scalar members
  const scalarOf = (t: ts.TypeNode): MinShape | undefined => {
    const type = unwrap(t)
    switch (type.kind) {
      case ts.SyntaxKind.StringKeyword:
        return {}
      case ts.SyntaxKind.NumberKeyword:
        return { type: "double" }
      case ts.SyntaxKind.BooleanKeyword:
        return { type: "boolean" }
    }
    if (ts.isArrayTypeNode(type)) {
      const member = scalarOf(type.elementType)
      return member === undefined ? undefined : { type: "list", member }
    }
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const n = type.typeName.text
      if (n === "Date") return { type: "timestamp" }
      if (n === "Uint8Array") return { type: "blob" }
      if (enums.has(n)) return {}
    }
    return undefined
  }
  const errors: Record<string, MinShape> = {}
  for (const cls of errorClasses) {
    let name: string | undefined
    let fault: string | undefined
    const ms: Record<string, MinShape> = {}
    for (const m of cls.members) {
      if (!ts.isPropertyDeclaration(m) || !m.type || !(ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)))
        continue
      const literal =
        ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal) ? m.type.literal.text : undefined
      if (m.name.text === "name") name = literal
      else if (m.name.text === "$fault") fault = literal
      else if (!m.name.text.startsWith("$")) {
        const shape = scalarOf(m.type)
        if (shape !== undefined) ms[m.name.text] = shape
      }
    }
    if (name === undefined || fault === undefined) continue
    errors[name] = {
      type: "structure",
      members: ms,
      exception: true,
      ...(fault === "server" ? { fault: true } : {}),
      error: { senderFault: fault !== "server" }
    }
  }
  return { enums, members, refs, errors }
}

/** The request / response interfaces a command's input and output extend. */
const commandIo = (file: string): { readonly input?: string; readonly output?: string } => {
  const source = parseDts(file)
  const out: { input?: string; output?: string } = {}
  for (const st of source.statements) {
    if (!ts.isInterfaceDeclaration(st)) continue
    const base = st.heritageClauses?.[0]?.types[0]?.expression
    if (base === undefined || !ts.isIdentifier(base) || base.text.startsWith("__")) continue
    if (st.name.text.endsWith("CommandInput")) out.input = base.text
    else if (st.name.text.endsWith("CommandOutput")) out.output = base.text
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Shape paths: how the generator and the overlay agree on which `.min.json` shape is meant.

/**
 * Shared shapes are named by their id (`S1r`); inline ones by the path from the operation or the
 * shared shape that holds them: `GetObject.input`, `S1r.value`, `ReceiveMessage.output.Messages.member`.
 */
export const resolveMin = (
  model: { readonly shapes: Readonly<Record<string, MinShape>> },
  ref: MinShape,
  inlinePath: string
): { readonly path: string; readonly shape: MinShape } =>
  ref.shape !== undefined
    ? { path: ref.shape, shape: model.shapes[ref.shape] ?? {} }
    : { path: inlinePath, shape: ref }

interface Overlay {
  package: string
  endpoints?: unknown
  /** Operation -> the errors it models (operations that model none are left out). */
  operations: Record<string, ReadonlyArray<string | number>>
  errors: Record<string, MinShape>
  shapes: Record<string, MinShape>
  names: Record<string, string>
  enums: Record<string, ReadonlyArray<string>>
  enumAt: Record<string, string>
  /** Operation -> its endpoint parameter bindings (operations without any are left out). */
  bindings?: Record<string, Binding>
}

const builtInOf = (service: ServiceModel, configName: string): string | undefined => {
  switch (configName) {
    case "region":
      return "AWS::Region"
    case "useFipsEndpoint":
      return "AWS::UseFIPS"
    case "useDualstackEndpoint":
      return "AWS::UseDualStack"
    case "endpoint":
      return "SDK::Endpoint"
    case "forcePathStyle":
      return "AWS::S3::ForcePathStyle"
    case "useAccelerateEndpoint":
      return "AWS::S3::Accelerate"
    case "useArnRegion":
      return service.key === "s3control" ? "AWS::S3Control::UseArnRegion" : "AWS::S3::UseArnRegion"
    case "disableMultiregionAccessPoints":
      return "AWS::S3::DisableMultiRegionAccessPoints"
    case "useGlobalEndpoint":
      return service.key === "sts" ? "AWS::STS::UseGlobalEndpoint" : "AWS::S3::UseGlobalEndpoint"
    case "accountId":
      return "AWS::Auth::AccountId"
    case "accountIdEndpointMode":
      return "AWS::Auth::AccountIdEndpointMode"
    default:
      return undefined
  }
}

const standardBuiltIns: Readonly<Record<string, string>> = {
  Region: "AWS::Region",
  UseFIPS: "AWS::UseFIPS",
  UseDualStack: "AWS::UseDualStack",
  Endpoint: "SDK::Endpoint"
}

const readEndpoints = (service: ServiceModel, root: string): unknown => {
  const dir = path.join(root, "dist-es", "endpoint")
  const paramsJs = path.join(dir, "EndpointParameters.js")
  const paramsDts = path.join(root, "dist-types", "endpoint", "EndpointParameters.d.ts")
  const parameters: Record<string, Record<string, unknown>> = {}
  if (fs.existsSync(paramsDts)) {
    const source = parseDts(paramsDts)
    for (const st of source.statements) {
      if (!ts.isInterfaceDeclaration(st) || st.name.text !== "EndpointParameters") continue
      for (const m of st.members) {
        if (!ts.isPropertySignature(m) || !m.type || !ts.isIdentifier(m.name)) continue
        const text = m.type.getText(source)
        parameters[m.name.text] = {
          type: text.includes("[]") ? "stringArray" : text.includes("boolean") ? "boolean" : "string"
        }
      }
    }
  }
  if (fs.existsSync(paramsJs)) {
    const mod = evaluateModule(fs.readFileSync(paramsJs, "utf8"), paramsJs)
    const common = (mod.commonParams ?? {}) as Record<string, { type: string; name: string }>
    const resolve = mod.resolveClientEndpointParameters as
      | ((o: Record<string, unknown>) => Record<string, unknown>)
      | undefined
    const defaults = resolve ? resolve({}) : {}
    const contextDefaults = (defaults.clientContextParams ?? {}) as Record<string, unknown>
    for (const [param, { type, name }] of Object.entries(common)) {
      const p = parameters[param] ?? { type: "string" }
      parameters[param] = p
      const builtIn = builtInOf(service, name)
      if (builtIn !== undefined) p.builtIn = builtIn
      const d = type === "clientContextParams" ? (contextDefaults[name] ?? defaults[name]) : defaults[name]
      if (typeof d === "boolean" || typeof d === "string") {
        p.default = d
        p.required = true
      }
    }
  }
  // older packages have no `commonParams`: the standard parameters go by their standard names
  for (const [name, p] of Object.entries(parameters)) {
    const builtIn = standardBuiltIns[name]
    if (p.builtIn === undefined && builtIn !== undefined) p.builtIn = builtIn
  }
  const sorted: Record<string, unknown> = {}
  for (const k of Object.keys(parameters).sort()) sorted[k] = parameters[k]
  const bddJs = path.join(dir, "bdd.js")
  if (fs.existsSync(bddJs)) {
    const mod = evaluateModule(fs.readFileSync(bddJs, "utf8"), bddJs, {
      BinaryDecisionDiagram: {
        from: (nodes: ArrayLike<number>, root: number, conditions: unknown, results: unknown) => ({
          conditions,
          results,
          nodes: Array.from(nodes),
          root
        })
      }
    })
    return { parameters: sorted, ...(mod.bdd as object) }
  }
  const rulesetJs = path.join(dir, "ruleset.js")
  if (fs.existsSync(rulesetJs)) {
    const mod = evaluateModule(fs.readFileSync(rulesetJs, "utf8"), rulesetJs)
    const ruleSet = mod.ruleSet as { parameters?: Record<string, Record<string, unknown>> }
    // the packaged rule set drops `builtIn`: put back what `EndpointParameters` says
    // (parameter objects are shared between parameters in the packaged code: copy, never mutate)
    const withBuiltIns: Record<string, Record<string, unknown>> = {}
    for (const [name, p] of Object.entries(ruleSet.parameters ?? {})) {
      const builtIn = parameters[name]?.builtIn ?? standardBuiltIns[name]
      withBuiltIns[name] = builtIn === undefined ? { ...p } : { ...p, builtIn }
    }
    return { ...ruleSet, parameters: withBuiltIns }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Endpoint bindings: which input members and fixed values feed the rule set's parameters.

/**
 * The package's getter of an `operationContextParams` binding (`(input) => input?.A?.map((obj) =>
 * obj?.B)`), back to the JMESPath the model wrote (`A[*].B`). The getters are generated from a
 * small subset of JMESPath (field paths, `[*]`, multi-select lists, `[]`, `keys()`), so only those
 * forms are read; anything else stops the condensing with the getter's text.
 */
export const getterPath = (source: string): string => {
  const file = ts.createSourceFile("getter.js", `(${source})`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)
  const statement = file.statements[0]
  const unsupported = (node: ts.Node): never => {
    throw new Error(`unsupported operationContextParams getter: ${node.getText(file)} (in ${source})`)
  }
  const unwrap = (e: ts.Expression): ts.Expression =>
    ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e
  const join = (a: string, b: string) => (a === "" ? b : `${a}.${b}`)
  const arrow = (e: ts.Expression): { readonly param: string; readonly body: ts.Expression } => {
    const f = unwrap(e)
    if (!ts.isArrowFunction(f) || f.parameters.length !== 1 || !ts.isIdentifier(f.parameters[0]!.name))
      return unsupported(f)
    if (!ts.isExpression(f.body)) return unsupported(f.body)
    return { param: f.parameters[0]!.name.text, body: f.body }
  }
  const path = (node: ts.Expression, self: string): string => {
    const e = unwrap(node)
    if (ts.isIdentifier(e) && e.text === self) return ""
    if (ts.isPropertyAccessExpression(e)) return join(path(e.expression, self), e.name.text)
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
      const callee = e.expression
      const method = callee.name.text
      const target = unwrap(callee.expression)
      // Object.keys(X ?? {})
      if (
        ts.isIdentifier(target) &&
        target.text === "Object" &&
        method === "keys" &&
        e.arguments.length === 1
      ) {
        const arg = unwrap(e.arguments[0]!)
        const of =
          ts.isBinaryExpression(arg) && arg.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken
            ? arg.left
            : arg
        return `keys(${path(of, self)})`
      }
      // X.map((obj) => Y): X[*].Y
      if (method === "map" && e.arguments.length === 1) {
        const f = arrow(e.arguments[0]!)
        const inner = path(f.body, f.param)
        return `${path(target, self)}[*]${inner === "" ? "" : `.${inner}`}`
      }
      // [A, B].filter((i) => i): the multi-select list [A, B] (a projection drops the nulls)
      if (method === "filter" && ts.isArrayLiteralExpression(target)) {
        return `[${target.elements.map((el) => path(el, self)).join(", ")}]`
      }
      // X.flat(): X[]
      if (method === "flat" && e.arguments.length === 0) return `${path(target, self)}[]`
    }
    return unsupported(e)
  }
  if (statement === undefined || !ts.isExpressionStatement(statement))
    throw new Error(`not a getter: ${source}`)
  const f = arrow(statement.expression)
  return path(f.body, f.param)
}

/**
 * Each operation's bindings from the package's `dist-es/commandBuilder.js` (the `_epN` objects)
 * and the commands that use them (`command(_ep3, _mw1, "GetItem", ...)`). Packages without a
 * command builder carry no bindings the generator needs (none of them declares any today).
 */
const readBindings = (root: string): Record<string, Binding> => {
  const builderJs = path.join(root, "dist-es", "commandBuilder.js")
  const commandsDir = path.join(root, "dist-es", "commands")
  if (!fs.existsSync(builderJs) || !fs.existsSync(commandsDir)) return {}
  const builder = evaluateModule(fs.readFileSync(builderJs, "utf8"), builderJs)
  const out: Record<string, Binding> = {}
  for (const f of fs.readdirSync(commandsDir).sort()) {
    if (!f.endsWith("Command.js")) continue
    const match = /\bcommand\(\s*(_ep\d+)\s*,\s*_mw\d+\s*,\s*"(\w+)"/.exec(
      fs.readFileSync(path.join(commandsDir, f), "utf8")
    )
    if (match === null) continue
    const params = builder[match[1]!] as
      | Record<string, { type: string; name?: string; value?: string | boolean; get?: unknown }>
      | undefined
    const contextParams: Record<string, string> = {}
    const staticContextParams: Record<string, { value: string | boolean }> = {}
    const operationContextParams: Record<string, { path: string }> = {}
    for (const name of Object.keys(params ?? {}).sort()) {
      const p = params![name]!
      if (p.type === "contextParams" && typeof p.name === "string") contextParams[name] = p.name
      else if (p.type === "staticContextParams" && p.value !== undefined)
        staticContextParams[name] = { value: p.value }
      else if (p.type === "operationContextParams" && typeof p.get === "function")
        operationContextParams[name] = { path: getterPath(String(p.get)) }
    }
    const binding: Binding = {
      ...(Object.keys(contextParams).length > 0 ? { contextParams } : {}),
      ...(Object.keys(staticContextParams).length > 0 ? { staticContextParams } : {}),
      ...(Object.keys(operationContextParams).length > 0 ? { operationContextParams } : {})
    }
    if (Object.keys(binding).length > 0) out[match[2]!] = binding
  }
  return out
}

const condense = (service: ServiceModel, pkgSpec: string, root: string): Overlay => {
  const overlay: Overlay = {
    package: pkgSpec,
    operations: {},
    errors: {},
    shapes: {},
    names: {},
    enums: {},
    enumAt: {}
  }
  const endpoints = readEndpoints(service, root)
  if (endpoints !== undefined) overlay.endpoints = endpoints
  const bindings = readBindings(root)
  if (Object.keys(bindings).length > 0) overlay.bindings = bindings

  // schemas
  const schemaDir = path.join(root, "dist-es", "schemas")
  const schema: Record<string, unknown> = {}
  if (fs.existsSync(schemaDir)) {
    for (const f of fs.readdirSync(schemaDir).sort()) {
      if (!f.endsWith(".js")) continue
      const file = path.join(schemaDir, f)
      Object.assign(schema, evaluateModule(fs.readFileSync(file, "utf8"), file))
    }
  }
  const tuples = new Map<string, Tuple>()
  for (const v of Object.values(schema)) {
    if (isTuple(v) && typeof v[2] === "string") tuples.set(`${v[0]}:${v[2]}`, v)
  }
  const declarations = readDeclarations(path.join(root, "dist-types", "models"))

  // errors
  const errorTuples = [...tuples.entries()].filter(([k]) => k.startsWith("-3:")).map(([, t]) => t)
  const errorNames = new Set<string>()
  const errorShapes: Record<string, MinShape> = {}
  for (const t of errorTuples.sort((a, b) => String(a[2]).localeCompare(String(b[2])))) {
    const name = t[2] as string
    // the package's base class is no modeled error
    if (String(t[1]).includes("synthetic")) continue
    const traits = translateTraits(t[3])
    const query = traits.awsQueryError as readonly [string, number] | undefined
    const status = (traits.httpError as number | undefined) ?? query?.[1]
    const fault = traits.error === "server"
    const structure = structureOf(t, overlay.shapes)
    const code = query?.[0]
    errorShapes[name] = {
      ...structure,
      exception: true,
      ...(fault ? { fault: true } : {}),
      error: {
        ...(code !== undefined && code !== name ? { code } : {}),
        ...(status !== undefined ? { httpStatusCode: status } : {}),
        senderFault: !fault
      }
    }
    errorNames.add(name)
  }

  if (errorTuples.length === 0) {
    // an older package without schemas: the error classes of its declarations
    for (const name of Object.keys(declarations.errors).sort()) {
      errorShapes[name] = declarations.errors[name]!
      errorNames.add(name)
    }
  }

  // operations: errors and shape names
  const commandsDir = path.join(root, "dist-types", "commands")
  const model = service.model
  const visited = new Set<string>()
  const walk = (ref: MinShape, inlinePath: string, v3: unknown, hint: EnumHint | undefined) => {
    const { path: p, shape } = resolveMin(model, ref, inlinePath)
    const type = shape.type ?? "string"
    if (type === "string") {
      if (hint?.self) {
        overlay.enumAt[p] ??= hint.self
        overlay.enums[hint.self] = declarations.enums.get(hint.self) ?? []
      }
      return
    }
    if (visited.has(p)) return
    visited.add(p)
    if (v3 === undefined) return
    let target: number | Tuple
    try {
      target = deref(v3).target
    } catch {
      return
    }
    if (typeof target === "number") return
    if (target[0] === 0) {
      walk(ref, inlinePath, target[4], hint)
      return
    }
    const name = target[2] as string
    // only structures: lists and maps are typed inline, their constants named after where they sit
    if (type === "structure") overlay.names[p] ??= name
    if (type === "structure" && (target[0] === 3 || target[0] === -3 || target[0] === 4)) {
      const names = (target[4] ?? []) as ReadonlyArray<string>
      const schemas = (target[5] ?? []) as ReadonlyArray<unknown>
      const hints = declarations.members.get(name)
      for (const [m, mref] of Object.entries(shape.members ?? {})) {
        const i = names.indexOf(m)
        walk(mref, `${p}.${m}`, i === -1 ? undefined : schemas[i], hints?.get(m))
      }
    } else if (type === "list" && target[0] === 1 && shape.member) {
      walk(shape.member, `${p}.member`, target[4], hint?.member ? { self: hint.member } : undefined)
    } else if (type === "map" && target[0] === 2) {
      if (shape.key) walk(shape.key, `${p}.key`, target[4], hint?.key ? { self: hint.key } : undefined)
      if (shape.value)
        walk(shape.value, `${p}.value`, target[5], hint?.value ? { self: hint.value } : undefined)
    }
  }
  /** The same walk over the declarations, for packages without schemas: interface names and enums. */
  const walkDts = (
    ref: MinShape,
    inlinePath: string,
    iface: string | undefined,
    hint: EnumHint | undefined
  ) => {
    const { path: p, shape } = resolveMin(model, ref, inlinePath)
    const type = shape.type ?? "string"
    if (type === "string") {
      if (hint?.self) {
        overlay.enumAt[p] ??= hint.self
        overlay.enums[hint.self] = declarations.enums.get(hint.self) ?? []
      }
      return
    }
    if (visited.has(p)) return
    visited.add(p)
    if (type === "structure" && iface !== undefined) {
      overlay.names[p] ??= iface
      const hints = declarations.members.get(iface)
      const refs = declarations.refs.get(iface)
      for (const [m, mref] of Object.entries(shape.members ?? {}))
        walkDts(mref, `${p}.${m}`, refs?.get(m), hints?.get(m))
    } else if (type === "list" && shape.member) {
      walkDts(shape.member, `${p}.member`, iface, hint?.member ? { self: hint.member } : undefined)
    } else if (type === "map") {
      if (shape.key) walkDts(shape.key, `${p}.key`, undefined, hint?.key ? { self: hint.key } : undefined)
      if (shape.value)
        walkDts(shape.value, `${p}.value`, iface, hint?.value ? { self: hint.value } : undefined)
    }
  }
  for (const opName of Object.keys(model.operations).sort()) {
    const op = model.operations[opName]!
    const dts = path.join(commandsDir, `${opName}Command.d.ts`)
    if (fs.existsSync(dts)) {
      const errors = thrownErrors(dts).filter((e) => errorNames.has(e))
      if (errors.length > 0) overlay.operations[opName] = errors
    }
    const opTuple = tuples.get(`9:${opName}`)
    if (opTuple === undefined && fs.existsSync(dts)) {
      const io = commandIo(dts)
      if (op.input && io.input) walkDts(op.input, `${opName}.input`, io.input, undefined)
      if (op.output && io.output) walkDts(op.output, `${opName}.output`, io.output, undefined)
      continue
    }
    if (op.input) walk(op.input, `${opName}.input`, opTuple?.[4], undefined)
    if (op.output) walk(op.output, `${opName}.output`, opTuple?.[5], undefined)
  }
  // only errors some operation names, sorted
  const used = new Set(Object.values(overlay.operations).flat())
  for (const name of Object.keys(errorShapes).sort())
    if (used.has(name)) overlay.errors[name] = errorShapes[name]!
  // operations refer to their errors by index into the sorted `errors` keys (a third of the size)
  const index = new Map(Object.keys(overlay.errors).map((name, i) => [name, i]))
  for (const [op, errors] of Object.entries(overlay.operations))
    overlay.operations[op] = errors.map((e) => index.get(String(e))!)
  overlay.shapes = sortKeys(overlay.shapes)
  overlay.names = sortKeys(overlay.names)
  overlay.enums = sortKeys(overlay.enums)
  overlay.enumAt = sortKeys(overlay.enumAt)
  return overlay
}

const sortKeys = <A>(o: Record<string, A>): Record<string, A> => {
  const out: Record<string, A> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]!
  return out
}

// ---------------------------------------------------------------------------------------------

const main = async () => {
  const args = process.argv.slice(2)
  const discover = args.includes("--discover")
  const onlyArg = args[args.indexOf("--only") + 1]
  const only = args.includes("--only") && onlyArg ? new Set(onlyArg.split(",")) : undefined
  fs.mkdirSync(cacheDir, { recursive: true })
  const pins: Pins = fs.existsSync(pinsFile) ? (JSON.parse(fs.readFileSync(pinsFile, "utf8")) as Pins) : {}
  const services = loadServices().filter((s) => only === undefined || only.has(s.key))
  let done = 0
  await pool(services, 3, async (service) => {
    const pkg = v3PackageName(service)
    const pinned = pins[service.key]
    if (pinned === null || (pinned === undefined && !discover)) return
    const version = await fetchPackage(pkg, pinned)
    pins[service.key] = version
    if (version === null) {
      console.log(`${service.key}: no ${pkg} on the registry`)
      return
    }
    const overlay = condense(service, `${pkg}@${version}`, path.join(packageDir(pkg, version), "package"))
    fs.writeFileSync(path.join(here, `${service.key}.json`), `${JSON.stringify(overlay)}\n`)
    done++
    if (done % 20 === 0) console.log(`${done} condensed`)
  })
  fs.writeFileSync(pinsFile, `${JSON.stringify(sortKeys(pins), null, 2)}\n`)
  console.log(`${done} overlays written`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main()
}
