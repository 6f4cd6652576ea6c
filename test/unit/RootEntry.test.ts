import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"

// The root entry point stays light: no service client is loaded by importing `effect-aws-sdk`
// (the STS, SSO and SSO OIDC clients the credential providers call are imported when first
// needed). Walks the static, value-level import graph from src/index.ts.
const src = path.resolve(import.meta.dirname, "../../src")

const staticImports = (file: string, text = fs.readFileSync(file, "utf8")): Array<string> => {
  const found: Array<string> = []
  const pattern = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s+"([^"]+)"/gms
  for (const match of text.matchAll(pattern)) {
    if (match[2] !== undefined) continue // `import type` / `export type`: erased
    const specifier = match[4]!
    if (!specifier.startsWith(".")) continue
    found.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts")))
  }
  for (const match of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) {
    if (match[1]!.startsWith("."))
      found.push(path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, ".ts")))
  }
  return found
}

const reachable = (entry: string): Set<string> => {
  const seen = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    queue.push(...staticImports(file))
  }
  return seen
}

describe("root entry point", () => {
  it("loads no service client, and finds the modules it does load", () => {
    const modules = [...reachable(path.join(src, "index.ts"))].map((f) => path.relative(src, f))
    expect(modules).toContain("Credentials/ServiceCalls.ts")
    expect(modules).toContain("Credentials/AssumeRole.ts")
    expect(modules.filter((m) => m.startsWith("Services/"))).toEqual([])
  })

  it("sees a value import of a client where one is written (the walk is not blind)", () => {
    const file = path.join(src, "Credentials", "ServiceCalls.ts")
    const text = fs.readFileSync(file, "utf8")
    expect(text).toContain('import("../Services/STS/index.js")')
    // The same file with its type import made a value import is caught.
    const valueImport = text.replace("import type * as STS from", "import * as STS from")
    expect(
      staticImports(file, valueImport).some((m) => m.endsWith(path.join("Services", "STS", "index.ts")))
    ).toBe(true)
    expect(staticImports(file).some((m) => m.includes(`${path.sep}Services${path.sep}`))).toBe(false)
  })
})
