/**
 * The compact text form in which generated clients carry their endpoint rules: a JSON document in
 * which an object, array or string that occurs more than once is written once (a rule set repeats the
 * same `authSchemes`, conditions and arguments many times), and a decision diagram's `nodes` are
 * a string of fixed-width digits instead of a list of numbers. S3's rules are 31 KB as plain JSON,
 * about 19 KB packed; `unpack` gives back the very document that was packed (shared objects are
 * shared, never mutated by the engine).
 *
 * Form: `[table, value, names]`. `{"$": i}` anywhere stands for `table[i]` (an entry only refers
 * to entries before it); the table holds the objects, arrays and strings that are shorter so.
 * `names` maps the short names given to repeated keys (`argv`, `authSchemes`) back to them. A string `nodes` is `w` (one digit: the width of each number) followed by
 * the numbers; a number `n` is stored as the zigzag of `n`, where a result reference
 * (`100_000_000 + i`) first becomes `count + 2 + i`, `count` being the number of nodes.
 *
 * @since 0.1.0
 */
import type { DecisionDiagram, RuleSet } from "./RuleSet.js"

/** 89 characters that need no escape in a JSON string nor in any JavaScript string literal. */
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#%&()*+,-./:;<=>?@[]^_{|}~"
const BASE = DIGITS.length
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const RESULT = 100_000_000

const isRef = (u: unknown): u is { readonly $: number } =>
  typeof u === "object" && u !== null && !Array.isArray(u) && "$" in u

const packNodes = (nodes: ArrayLike<number>): string => {
  const count = nodes.length / 3
  const codes = Array.from(nodes, (n) => {
    const x = n >= RESULT ? n - RESULT + count + 2 : n
    return x >= 0 ? 2 * x : -2 * x - 1
  })
  let width = 1
  while (BASE ** width <= Math.max(0, ...codes)) width++
  if (width >= 10) throw new Error("decision diagram too large to pack")
  let out = String(width)
  for (const code of codes) {
    let digits = ""
    for (let i = 0, c = code; i < width; i++, c = Math.floor(c / BASE)) digits = DIGITS[c % BASE]! + digits
    out += digits
  }
  return out
}

const unpackNodes = (text: string): Array<number> => {
  const width = text.charCodeAt(0) - 48
  if (!(width >= 1 && width <= 9) || (text.length - 1) % (3 * width) !== 0) {
    throw new Error("invalid packed endpoint rules: nodes")
  }
  const count = (text.length - 1) / (3 * width)
  const nodes = new Array<number>(3 * count)
  for (let i = 0, at = 1; i < nodes.length; i++) {
    let code = 0
    for (const end = at + width; at < end; at++) {
      const d = DIGITS.indexOf(text[at]!)
      if (d < 0) throw new Error("invalid packed endpoint rules: nodes")
      code = code * BASE + d
    }
    const x = code % 2 === 0 ? code / 2 : -(code + 1) / 2
    nodes[i] = x >= count + 2 ? x - count - 2 + RESULT : x
  }
  return nodes
}

/**
 * Packs a rule set (tree or decision diagram) into the text `unpack` reads. Used by the
 * generator; throws on a document it cannot represent (an object with a `$` or `__proto__` key).
 */
export const pack = (ruleSet: unknown): string => {
  const document =
    typeof ruleSet === "object" && ruleSet !== null && "nodes" in ruleSet && Array.isArray(ruleSet.nodes)
      ? { ...ruleSet, nodes: packNodes(ruleSet.nodes as Array<number>) }
      : ruleSet
  const counts = new Map<string, number>()
  const count = (u: unknown): void => {
    if (typeof u === "string") counts.set(JSON.stringify(u), (counts.get(JSON.stringify(u)) ?? 0) + 1)
    if (typeof u !== "object" || u === null) return
    if (!Array.isArray(u) && ("$" in u || Object.hasOwn(u, "__proto__"))) {
      throw new Error("cannot pack an object with a `$` or `__proto__` key")
    }
    const key = JSON.stringify(u)
    const seen = counts.get(key) ?? 0
    counts.set(key, seen + 1)
    // what a repeated value holds is written once, with it
    if (seen === 0) for (const v of Object.values(u)) count(v)
  }
  count(document)
  const table: Array<unknown> = []
  const index = new Map<string, number>()
  const copy = (u: object): unknown =>
    Array.isArray(u)
      ? u.map((v) => share(v))
      : Object.fromEntries(Object.entries(u).map(([k, v]) => [k, share(v)]))
  const share = (u: unknown): unknown => {
    if ((typeof u !== "object" || u === null) && typeof u !== "string") return u
    const key = JSON.stringify(u)
    const n = counts.get(key)!
    // shared when writing it once plus a reference each time is shorter
    if (n < 2 || (n - 1) * key.length <= n * `{"$":${table.length}}`.length + 1) {
      return typeof u === "string" ? u : copy(u as object)
    }
    let i = index.get(key)
    if (i === undefined) {
      const entry = typeof u === "string" ? u : copy(u as object)
      i = table.push(entry) - 1
      index.set(key, i)
    }
    return { $: i }
  }
  const value = typeof document === "object" && document !== null ? copy(document) : document
  // keys that repeat get short names (never one the document uses): `{ short: long }`
  const uses = new Map<string, number>()
  const tally = (u: unknown): void => {
    if (typeof u !== "object" || u === null) return
    if (!Array.isArray(u)) for (const k of Object.keys(u)) uses.set(k, (uses.get(k) ?? 0) + 1)
    for (const v of Object.values(u)) tally(v)
  }
  tally([table, value])
  uses.delete("$")
  const names: Record<string, string> = {}
  const rename = new Map<string, string>()
  let next = 0
  const shortName = (): string => {
    for (;;) {
      let name = ""
      for (let n = next++; ; n = Math.floor(n / 52) - 1) {
        name = LETTERS[n % 52]! + name
        if (n < 52) break
      }
      if (!uses.has(name) && name !== "$") return name
    }
  }
  for (const [key, n] of [...uses].sort((a, b) => b[1] * b[0].length - a[1] * a[0].length)) {
    const short = shortName()
    // written once in the names, `n` times shorter
    if (n * (key.length - short.length) <= key.length + short.length + 6) {
      next--
      continue
    }
    names[short] = key
    rename.set(key, short)
  }
  const renamed = (u: unknown): unknown =>
    typeof u !== "object" || u === null
      ? u
      : Array.isArray(u)
        ? u.map(renamed)
        : Object.fromEntries(Object.entries(u).map(([k, v]) => [rename.get(k) ?? k, renamed(v)]))
  return JSON.stringify([renamed(table), renamed(value), names])
}

/** Reads the text `pack` wrote back into the rule set. */
export const unpack = (text: string): RuleSet | DecisionDiagram => {
  const [table, value, names = {}] = JSON.parse(text) as [Array<unknown>, unknown, Record<string, string>?]
  const resolve = (u: unknown, limit: number): unknown => {
    if (typeof u !== "object" || u === null) return u
    if (isRef(u)) {
      const i = u.$
      if (!(Number.isInteger(i) && i >= 0 && i < limit))
        throw new Error("invalid packed endpoint rules: reference")
      return table[i]
    }
    if (Array.isArray(u)) {
      for (let i = 0; i < u.length; i++) u[i] = resolve(u[i], limit)
      return u
    }
    const o = u as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const k in o) out[Object.hasOwn(names, k) ? names[k]! : k] = resolve(o[k], limit)
    return out
  }
  for (let i = 0; i < table.length; i++) table[i] = resolve(table[i], i)
  const document = resolve(value, table.length) as Record<string, unknown>
  if (typeof document?.nodes === "string") document.nodes = unpackNodes(document.nodes)
  return document as unknown as RuleSet | DecisionDiagram
}
