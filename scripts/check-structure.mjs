#!/usr/bin/env node
// The structure of src/, checked: no import cycle among its modules, and no file over MAX_LINES
// lines but the generated service modules (src/Services/*/index.ts) and the allowlist below.
//
//   node scripts/check-structure.mjs
//
// Imports are read with the TypeScript compiler API (already a dev dependency). An import that
// is erased from the JavaScript (`import type ...`, `export type ... from`) is no edge of the
// graph: only what runs at load time can make a cycle. `import { type A } from` is an edge, as
// `verbatimModuleSyntax` keeps it as `import {} from`. Dynamic `import()` is no edge (it runs
// after every module has loaded). Exit code 0 when both hold; else every cycle and every long
// file is named, with what to do about it.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const src = path.join(root, "src")

/** The most lines a hand-written source file has. */
const MAX_LINES = 400

/**
 * Files allowed over MAX_LINES for now, each with why. Paths are relative to the repository.
 * An entry whose file is back within MAX_LINES is reported, so the list only shrinks.
 */
const ALLOWED_LONG = {}

/** Generated code: one module per service, as long as its API. */
const isGenerated = (rel) => /^src\/Services\/[^/]+\/index\.ts$/.test(rel)

const rel = (file) => path.relative(root, file).split(path.sep).join("/")

const sourceFiles = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : []
  })

/** The module a relative specifier names (`./Client.js` is `./Client.ts`), if it is one of ours. */
const resolve = (from, specifier) => {
  if (!specifier.startsWith(".")) return undefined
  const base = path.resolve(path.dirname(from), specifier)
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, path.join(base, "index.ts")]
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile())
}

/** The specifiers of the imports and re-exports of a file that remain in its JavaScript. */
const runtimeImports = (file, text) => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const out = []
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      if (statement.importClause?.isTypeOnly) continue
      out.push(statement.moduleSpecifier.text)
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
      if (statement.isTypeOnly) continue
      out.push(statement.moduleSpecifier.text)
    } else if (ts.isImportEqualsDeclaration(statement) && !statement.isTypeOnly) {
      const ref = statement.moduleReference
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression))
        out.push(ref.expression.text)
    }
  }
  return out
}

const files = sourceFiles(src).sort()
const graph = new Map()
const problems = []
const stale = []

for (const file of files) {
  const text = fs.readFileSync(file, "utf8")
  const name = rel(file)
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0)
  if (!isGenerated(name)) {
    const allowed = ALLOWED_LONG[name]
    if (lines > MAX_LINES && allowed === undefined) {
      problems.push(
        `${name} has ${lines} lines, more than ${MAX_LINES}: split it along its concerns (or, if it must ` +
          `stay whole, add it to ALLOWED_LONG in scripts/check-structure.mjs with the reason)`
      )
    } else if (lines <= MAX_LINES && allowed !== undefined) {
      stale.push(`${name} has ${lines} lines now: remove it from ALLOWED_LONG ("${allowed}")`)
    }
  }
  const edges = new Set()
  for (const specifier of runtimeImports(file, text)) {
    const target = resolve(file, specifier)
    if (target?.startsWith(src + path.sep)) edges.add(target)
  }
  graph.set(file, [...edges].sort())
}

// Strongly connected components (Tarjan): each with more than one module, or a module importing
// itself, holds a cycle.
const index = new Map()
const low = new Map()
const onStack = new Set()
const stack = []
const components = []
let counter = 0
const visit = (v) => {
  index.set(v, counter)
  low.set(v, counter)
  counter++
  stack.push(v)
  onStack.add(v)
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w)
      low.set(v, Math.min(low.get(v), low.get(w)))
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
  }
  if (low.get(v) === index.get(v)) {
    const component = []
    let w
    do {
      w = stack.pop()
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component)
  }
}
for (const file of files) if (!index.has(file)) visit(file)

/** One cycle through the component, from its first module back to it (breadth-first: a shortest one). */
const cycleIn = (component) => {
  const members = new Set(component)
  const start = [...component].sort()[0]
  const previous = new Map([[start, undefined]])
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift()
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue
      if (w === start) {
        const path = [start]
        for (let u = v; u !== start; u = previous.get(u)) path.splice(1, 0, u)
        return [...path, start]
      }
      if (!previous.has(w)) {
        previous.set(w, v)
        queue.push(w)
      }
    }
  }
  return [start, start]
}

for (const component of components) {
  problems.push(
    `import cycle: ${cycleIn(component).map(rel).join(" -> ")}` +
      (component.length > 2 ? ` (${component.length} modules are in this cycle's component)` : "") +
      `; an implementation module imports a public one as types only (\`import type\`), and a value ` +
      `both need moves to the module that owns it`
  )
}

for (const note of stale) console.log(`note: ${note}`)
if (problems.length > 0) {
  for (const problem of problems) console.error(`check-structure: ${problem}`)
  console.error(`check-structure: ${problems.length} problem${problems.length === 1 ? "" : "s"} in src/`)
  process.exit(1)
}
console.log(
  `check-structure: ${files.length} modules in src/, no import cycle, none over ${MAX_LINES} lines ` +
    `but the generated services and ${Object.keys(ALLOWED_LONG).length - stale.length} allowed`
)
