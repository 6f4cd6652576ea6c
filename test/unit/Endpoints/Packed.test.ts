import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { pack, unpack } from "../../../src/Endpoints/Packed.js"

const overlayDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "codegen",
  "overlay"
)
const overlays = fs
  .readdirSync(overlayDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [
    f,
    (JSON.parse(fs.readFileSync(path.join(overlayDir, f), "utf8")) as { endpoints?: unknown }).endpoints
  ])
  .filter((e): e is [string, object] => e[1] !== undefined)

describe("Packed endpoint rules", () => {
  it("gives back every overlay's rule set as it was, smaller", () => {
    expect(overlays.length).toBeGreaterThan(300)
    let plain = 0
    let packed = 0
    for (const [file, rules] of overlays) {
      const text = pack(rules)
      expect(JSON.stringify(unpack(text)), file).toBe(JSON.stringify(rules))
      plain += JSON.stringify(rules).length
      packed += text.length
    }
    expect(packed).toBeLessThan(plain * 0.9)
  })

  it("keeps result references, complemented nodes and wide diagrams", () => {
    const count = 5000
    const nodes = [-1, 1, -1]
    for (let i = 1; i < count; i++) nodes.push(i % 7, i % 2 === 0 ? -(i + 2) : i + 2, 100_000_000 + (i % 300))
    const bdd = { parameters: {}, conditions: [], results: [[-1]], nodes, root: 2 }
    expect(unpack(pack(bdd))).toEqual(bdd)
  })

  it("shares what repeats and keeps trees as they are", () => {
    const shared = { fn: "booleanEquals", argv: [{ ref: "UseFIPS" }, true] }
    const tree = {
      version: "1.0",
      parameters: {},
      rules: [shared, shared, "a long string here", "a long string here"]
    }
    const text = pack(tree)
    expect(text.split("booleanEquals").length).toBe(2)
    expect(text.split("a long string here").length).toBe(2)
    expect(unpack(text)).toEqual(tree)
  })

  it("refuses what it cannot represent or read", () => {
    expect(() => pack({ rules: [{ $: 1 }] })).toThrow(/\$/)
    expect(() => unpack('[[],{"a":{"$":0}}]')).toThrow(/reference/)
    expect(() => unpack('[[{"$":0}],{}]')).toThrow(/reference/)
    expect(() => unpack('[[],{"nodes":"2abc"}]')).toThrow(/nodes/)
    expect(() => unpack('[[],{"nodes":"1\\"\\"\\""}]')).toThrow(/nodes/)
  })
})
