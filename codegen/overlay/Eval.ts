/**
 * Evaluates one ES module of a `@aws-sdk/client-*` package (its schema or endpoint data, which are
 * plain data built by top-level statements) without loading its imports: the import declarations
 * are cut out with the TypeScript parser, every imported binding becomes an inert stub (or the
 * value the caller supplies), `export` keywords are dropped and the exported bindings returned.
 */
import ts from "typescript"

/** A stub that can be called, constructed and read from, always giving itself back. */
const inert: unknown = new Proxy(function inert() {}, {
  get: (_target, key) => (key === Symbol.toPrimitive ? undefined : inert),
  apply: () => inert,
  construct: () => inert as object
})

const isIdentifier = (s: string) => /^[A-Za-z_$][\w$]*$/.test(s)

/** Runs the module's top-level code and returns its exported bindings by name. */
export const evaluateModule = (
  source: string,
  fileName: string,
  provided: Readonly<Record<string, unknown>> = {}
): Record<string, unknown> => {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)
  const imported: Array<string> = []
  const exported: Array<string> = []
  const cuts: Array<readonly [number, number, string]> = []
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause
      if (clause?.name) imported.push(clause.name.text)
      const bindings = clause?.namedBindings
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements) imported.push(el.name.text)
      if (bindings && ts.isNamespaceImport(bindings)) imported.push(bindings.name.text)
      cuts.push([statement.getStart(file), statement.getEnd(), ""])
      continue
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined
    const exportKeyword = modifiers?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    if (exportKeyword === undefined) continue
    cuts.push([exportKeyword.getStart(file), exportKeyword.getEnd(), ""])
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) exported.push(d.name.text)
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      exported.push(statement.name.text)
    }
  }
  let code = source
  for (const [start, end, text] of cuts.sort((a, b) => b[0] - a[0])) {
    code = code.slice(0, start) + text + code.slice(end)
  }
  const names = imported.filter(isIdentifier)
  const run = new Function(
    "__provided",
    "__inert",
    `${names.map((n) => `const ${n} = ${JSON.stringify(n)} in __provided ? __provided[${JSON.stringify(n)}] : __inert;`).join("\n")}
${code}
return { ${exported.join(", ")} };`
  ) as (provided: Readonly<Record<string, unknown>>, stub: unknown) => Record<string, unknown>
  return run(provided, inert)
}
