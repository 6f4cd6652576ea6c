/**
 * The JSON decoder's fast path (a shape-driven parser over the body's bytes) against the reference
 * (`JSON.parse`, then the shape's reader): for any body, `readJsonBody` returns the same value (same
 * keys in the same order, same types, same prototypes) or throws the same error. Bodies are
 * generated from the shapes, clean or with noise (whitespace, escapes, non-ASCII and astral text,
 * nulls, duplicate and unknown keys, wrong types, `__proto__` keys, cut or inserted bytes, invalid
 * UTF-8), and the fast path must actually decode the clean ones.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { linkShapes } from "../../../src/Protocols/Api2.js"
import {
  jsonReader,
  parseJsonBody,
  readJsonBody,
  readJsonBodyFast
} from "../../../src/Protocols/JsonDecoder.js"
import { ProtocolError } from "../../../src/Protocols/Protocol.js"
import type { Shape } from "../../../src/Protocols/Shape.js"
import * as DynamoDB from "../../../src/Services/DynamoDB/index.js"
import { seeded } from "../../support/Random.js"

const SEED = 20261126

const shapes = linkShapes({
  Out: {
    type: "structure",
    members: {
      Str: { shape: "Str" },
      Int: { shape: "Int" },
      Long: { shape: "Long" },
      Dbl: { shape: "Dbl" },
      Flt: { shape: "Flt" },
      Bool: { shape: "Bool" },
      Time: { shape: "Time" },
      Iso: { shape: "Time", timestampFormat: "iso8601" },
      Bytes: { shape: "Blob" },
      Json: { shape: "Str", jsonvalue: true },
      Renamed: { shape: "Str", locationName: "wire_name" },
      List: { shape: "StrList" },
      Map: { shape: "StrMap" },
      Nested: { shape: "Node" },
      Choice: { shape: "Choice" },
      Doc: { shape: "Doc" }
    }
  },
  Node: {
    type: "structure",
    members: {
      Name: { shape: "Str" },
      Child: { shape: "Node" },
      Children: { shape: "NodeList" },
      ByKey: { shape: "NodeMap" }
    }
  },
  NodeList: { type: "list", member: { shape: "Node" } },
  NodeMap: { type: "map", key: { shape: "Str" }, value: { shape: "Node" } },
  Choice: {
    type: "structure",
    union: true,
    members: { A: { shape: "Str" }, B: { shape: "Int" }, C: { shape: "Node" }, D: { shape: "Blob" } }
  },
  Doc: { type: "structure", document: true, members: {} },
  StrList: { type: "list", member: { shape: "Str" } },
  StrMap: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
  Str: { type: "string" },
  Int: { type: "integer" },
  Long: { type: "long" },
  Dbl: { type: "double" },
  Flt: { type: "float" },
  Bool: { type: "boolean" },
  Time: { type: "timestamp" },
  Blob: { type: "blob" }
})
const Out = shapes.get("Out")!
const Query = DynamoDB.query.model.output!.shape
const GetItem = DynamoDB.getItem.model.output!.shape

// -- generating bodies --------------------------------------------------------------------------

type Rnd = () => number
const pick = <A>(rnd: Rnd, xs: ReadonlyArray<A>): A => xs[Math.floor(rnd() * xs.length)]!
const chance = (rnd: Rnd, p: number) => rnd() < p

const texts = [
  "plain",
  "",
  "Zo\u00eb M\u00fcller",
  "\u{1F600} astral \u{1F4A9}",
  'tab\tquote"back\\slash/',
  "line\nbreak\r\u2028\u2029",
  "caf\u00e9 <draft> & 'x'",
  "a string longer than twelve characters",
  "__proto__",
  "constructor",
  "0",
  "12",
  "\u0000\u001f controls",
  "\ud800 lone surrogate",
  "\u4e2d\u6587/\u6587\u4ef6"
]
const keys = [
  "k",
  "pk",
  "sk",
  "name",
  "__proto__",
  "constructor",
  "prototype",
  "0",
  "12",
  "Zo\u00eb",
  "\u{1F600}",
  ""
]

/** JSON string text, some characters escaped as \uXXXX or `\/` with noise. */
const quote = (rnd: Rnd, s: string, noise: number): string => {
  const json = JSON.stringify(s)
  if (!chance(rnd, noise)) return json
  let out = '"'
  for (const ch of json.slice(1, -1)) {
    if (ch === "/" && chance(rnd, 0.5)) out += "\\/"
    else if (ch !== "\\" && ch.length === 1 && chance(rnd, 0.3))
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`
    else out += ch
  }
  return `${out}"`
}

const space = (rnd: Rnd, noise: number): string =>
  chance(rnd, noise) ? pick(rnd, [" ", "\n", "\t", "\r\n  ", "  "]) : ""

const anyJson = (rnd: Rnd, depth: number, noise: number): string => {
  switch (Math.floor(rnd() * (depth > 3 ? 5 : 7))) {
    case 0:
      return "null"
    case 1:
      return pick(rnd, ["true", "false"])
    case 2:
      return pick(rnd, ["0", "-0", "-1", "1.5", "1e308", "-1E-7", "9007199254740993", "123456789", "0.1e+2"])
    case 3:
    case 4:
      return quote(rnd, pick(rnd, texts), noise)
    case 5: {
      const n = Math.floor(rnd() * 4)
      return `[${Array.from({ length: n }, () => anyJson(rnd, depth + 1, noise)).join(",")}]`
    }
    default: {
      const n = Math.floor(rnd() * 4)
      const entries = Array.from(
        { length: n },
        () => `${quote(rnd, pick(rnd, keys), noise)}:${space(rnd, noise)}${anyJson(rnd, depth + 1, noise)}`
      )
      return `{${entries.join(",")}}`
    }
  }
}

const base64 = (rnd: Rnd): string => {
  const bytes = Uint8Array.from({ length: Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256))
  return btoa(String.fromCharCode(...bytes))
}

/** A value for `shape` as its JSON text: valid, except (with noise) where it is not. */
const wireValue = (rnd: Rnd, shape: Shape, depth: number, noise: number): string => {
  if (chance(rnd, noise * 0.05)) return anyJson(rnd, depth, noise)
  switch (shape.type) {
    case "string":
      return quote(rnd, shape.jsonvalue ? anyJson(rnd, 2, 0) : pick(rnd, texts), noise)
    case "character":
      return quote(rnd, "c", noise)
    case "boolean":
      return pick(rnd, ["true", "false"])
    case "integer":
    case "short":
    case "byte":
    case "long":
    case "biginteger":
      return pick(rnd, ["0", "-0", "7", "-123", "2147483647", "123456789012", "9007199254740993"])
    case "float":
    case "double":
    case "bigdecimal":
      return pick(rnd, ["1.5", "-0.25", "1e3", "2", '"NaN"', '"Infinity"', '"-Infinity"', "1E-7"])
    case "timestamp":
      return pick(rnd, ["1700000000", "1700000000.123", '"2024-03-01T10:00:00Z"', "0"])
    case "blob":
      return quote(rnd, base64(rnd), noise)
    case "list": {
      const n = depth > 4 ? 0 : Math.floor(rnd() * 4)
      const items = Array.from({ length: n }, () =>
        chance(rnd, noise * 0.2) ? "null" : wireValue(rnd, shape.member.shape, depth + 1, noise)
      )
      return `[${space(rnd, noise)}${items.join(`,${space(rnd, noise)}`)}]`
    }
    case "map": {
      const n = depth > 4 ? 0 : Math.floor(rnd() * 4)
      const entries = Array.from({ length: n }, () => {
        const value = chance(rnd, noise * 0.2) ? "null" : wireValue(rnd, shape.value.shape, depth + 1, noise)
        return `${quote(rnd, pick(rnd, keys), noise)}${space(rnd, noise)}:${value}`
      })
      return `{${entries.join(",")}}`
    }
    case "structure": {
      if (shape.document) return anyJson(rnd, depth, noise)
      const members = Object.entries(shape.members)
      const chosen = shape.union
        ? depth > 4
          ? []
          : [pick(rnd, members)]
        : members
            .filter(([, ref]) => depth < 4 || ref.shape.type !== "structure")
            .filter(() => chance(rnd, 0.6))
      if (shape.union && chance(rnd, noise * 0.3)) chosen.push(pick(rnd, members))
      const entries = chosen.map(
        ([name, ref]) =>
          `${quote(rnd, ref.locationName ?? name, noise)}:${space(rnd, noise)}${
            chance(rnd, noise * 0.1) ? "null" : wireValue(rnd, ref.shape, depth + 1, noise)
          }`
      )
      if (chance(rnd, noise * 0.3)) entries.push(`"Unknown":${anyJson(rnd, depth + 1, noise)}`)
      if (chance(rnd, noise * 0.2)) entries.push(`"__type":${quote(rnd, "com.example#T", noise)}`)
      if (chance(rnd, noise * 0.2) && entries.length > 0) entries.push(pick(rnd, entries))
      if (chance(rnd, noise * 0.2) && entries.length > 0)
        entries.push(`${entries[0]!.slice(0, entries[0]!.indexOf(":"))}:null`)
      for (let i = entries.length - 1; i > 0 && chance(rnd, noise); i--) {
        const j = Math.floor(rnd() * (i + 1))
        ;[entries[i], entries[j]] = [entries[j]!, entries[i]!]
      }
      return `{${space(rnd, noise)}${entries.join(`${space(rnd, noise)},`)}${space(rnd, noise)}}`
    }
  }
}

const encoder = new TextEncoder()

/** Bytes of `text`, with noise cut, doubled or broken (bytes inserted, invalid UTF-8, a BOM). */
const bytesOf = (rnd: Rnd, text: string, noise: number): Uint8Array => {
  let bytes = encoder.encode(`${space(rnd, noise)}${text}${space(rnd, noise)}`)
  if (chance(rnd, noise * 0.5)) {
    const i = Math.floor(rnd() * (bytes.length + 1))
    const inserted = pick(rnd, [
      [0xff],
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0x80],
      [0x00],
      [0x22],
      [0x5c],
      [0x2c],
      [0x7d],
      [0xed, 0xa0, 0x80]
    ])
    bytes = Uint8Array.from([...bytes.subarray(0, i), ...inserted, ...bytes.subarray(i)])
  }
  if (chance(rnd, noise * 0.2) && bytes.length > 0) {
    const i = Math.floor(rnd() * bytes.length)
    bytes = Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + 1 + Math.floor(rnd() * 3))])
  }
  if (chance(rnd, noise * 0.05)) bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes])
  return bytes
}

// -- comparing ----------------------------------------------------------------------------------

/** A value with its types, key order, property kinds and prototypes spelled out. */
const canon = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return ["bytes", [...v]]
  if (v instanceof Date) return ["date", v.getTime()]
  if (typeof v === "number") return ["number", Object.is(v, -0) ? "-0" : String(v)]
  if (Array.isArray(v)) return ["array", Object.getPrototypeOf(v) === Array.prototype, v.map(canon)]
  if (v !== null && typeof v === "object")
    return [
      "object",
      Object.getPrototypeOf(v) === Object.prototype,
      Reflect.ownKeys(v).map((k) => {
        const d = Object.getOwnPropertyDescriptor(v, k)!
        return [String(k), d.enumerable, d.writable, canon(d.value)]
      })
    ]
  return [typeof v, v]
}

const outcome = (decode: () => unknown): unknown => {
  try {
    return { value: canon(decode()) }
  } catch (e) {
    return e instanceof ProtocolError
      ? { error: ["ProtocolError", e.message, e.path] }
      : { error: [e instanceof Error ? e.name : typeof e, String(e)] }
  }
}

const reference = (shape: Shape, body: Uint8Array): unknown => {
  const parsed = parseJsonBody(body)
  return parsed === undefined ? undefined : jsonReader(shape)(parsed)
}

const sameAsReference = (shape: Shape, body: Uint8Array): void => {
  expect(outcome(() => readJsonBody(shape, body))).toEqual(outcome(() => reference(shape, body)))
}

const cases = [
  ["a structure of every kind of member", Out],
  ["DynamoDB Query output", Query],
  ["DynamoDB GetItem output", GetItem]
] as const

describe("JSON decoder fast path", () => {
  for (const [name, shape] of cases) {
    it(`${name}: clean bodies are decoded by the fast path, as the reference decodes them`, () => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const rnd = seeded(seed)
          const body = bytesOf(rnd, wireValue(rnd, shape, 0, 0), 0)
          const fast = readJsonBodyFast(shape, body)
          const ref = outcome(() => reference(shape, body))
          if ("value" in (ref as object)) {
            // clean bodies may still hold a value the readers reject (a long beyond 2^53)
            expect(fast).toBeDefined()
            expect({ value: canon(fast!.value) }).toEqual(ref)
          }
          sameAsReference(shape, body)
        }),
        { seed: SEED, numRuns: 400 }
      )
    })

    it(`${name}: noisy and broken bodies decode to the reference's value or error`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.double({ min: 0.05, max: 1, noNaN: true }), (seed, noise) => {
          const rnd = seeded(seed)
          sameAsReference(shape, bytesOf(rnd, wireValue(rnd, shape, 0, noise), noise))
        }),
        { seed: SEED, numRuns: 1500 }
      )
    })
  }

  it("bodies of many windows of text (16 KiB each): clean and noisy, as the reference decodes them", () => {
    // items of every length shift the window boundaries over keys, words, numbers and strings
    const Items = (Query as { members: Record<string, { shape: Shape }> }).members.Items!.shape as {
      member: { shape: Shape }
    }
    const Item = Items.member.shape
    for (let seed = 0; seed < 12; seed++) {
      const rnd = seeded(SEED + seed)
      const noise = seed < 6 ? 0 : 0.02
      const items: Array<string> = []
      let size = 0
      while (size < 100_000) {
        const item = wireValue(rnd, Item, 1, noise)
        items.push(item)
        size += item.length
      }
      const body = bytesOf(rnd, `{"Items":[${items.join(",")}],"Count":${items.length}}`, noise)
      if (noise === 0) {
        const fast = readJsonBodyFast(Query, body)
        expect(fast).toBeDefined()
        expect(canon(fast!.value)).toEqual(
          (outcome(() => reference(Query, body)) as { value: unknown }).value
        )
      }
      sameAsReference(Query, body)
    }
  })

  it("edge cases decode to the reference's value or error", () => {
    const bodies = [
      "",
      " ",
      "null",
      "{}",
      "[]",
      '"x"',
      "{} x",
      '{"Str":"a","Str":null}',
      '{"Str":null,"Str":"a"}',
      '{"Map":{"a":"1","a":null}}',
      '{"Map":{"a":null,"b":"2","a":"1"}}',
      '{"Map":{"__proto__":"p","constructor":"c","1":"one","0":"zero"}}',
      '{"Map":{"__proto__":"p","__proto__":"q"}}',
      '{"Choice":{"A":"x","A":null}}',
      '{"Choice":{"A":null,"A":"x"}}',
      '{"Choice":{"A":"x","B":1}}',
      '{"Choice":{"Z":"x"}}',
      '{"Choice":{"__type":"t","A":"x"}}',
      '{"Choice":{"\\u005f_type":"t","A":"x"}}',
      '{"Choice":{}}',
      '{"Choice":{"A":null}}',
      '{"Doc":{"__proto__":{"x":1},"a":[1,"2",null,true,{"b":-0}]}}',
      '{"Str":"\\ud83d\\ude00\\u0000\\/"}',
      '{"Str":"\\x"}',
      '{"Str":"\\u12"}',
      '{"Int":01}',
      '{"Int":-}',
      '{"Int":1.}',
      '{"Int":1e}',
      '{"Int":+1}',
      '{"Long":12345678901234567890}',
      '{"Dbl":1e400}',
      '{"Dbl":"1.5"}',
      '{"Bytes":"not base64!"}',
      '{"Time":"2024-03-01T10:00:00Z","Iso":1700000000}',
      '{"Json":"{\\"a\\":1}"}',
      '{"Json":"{not json"}',
      '{"wire_name":"r","Renamed":"ignored"}',
      '{"Str":"a",}',
      '{,"Str":"a"}',
      '{"Str" "a"}',
      '{"Str":"a"',
      '{"Str":"a"}}',
      '{"Str":tru}',
      '{"Bool":nul}',
      "\ufeff{}",
      '{"Str":"\u00e9"}\u00a0'
    ]
    for (const text of bodies) {
      for (const [, shape] of cases) sameAsReference(shape, encoder.encode(text))
    }
    // invalid UTF-8 in and out of strings
    for (const bytes of [
      [0x7b, 0x22, 0x53, 0x74, 0x72, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d],
      [0x7b, 0x22, 0x53, 0x74, 0x72, 0x22, 0x3a, 0x22, 0xe2, 0x5c, 0x6e, 0x22, 0x7d],
      [0x7b, 0x22, 0x53, 0x74, 0x72, 0x22, 0x3a, 0x22, 0xe2, 0x0a, 0x22, 0x7d],
      [0x7b, 0xff, 0x7d],
      [0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x31, 0x7d]
    ])
      for (const [, shape] of cases) sameAsReference(shape, Uint8Array.from(bytes))
  })

  it("map keys __proto__ and constructor stay own data properties", () => {
    const out = readJsonBody(
      Out,
      encoder.encode('{"Map":{"__proto__":"p","constructor":"c"},"Doc":{"__proto__":{"polluted":1}}}')
    ) as { Map: Record<string, unknown>; Doc: Record<string, unknown> }
    expect(readJsonBodyFast(Out, encoder.encode('{"Map":{"__proto__":"p"}}'))).toBeDefined()
    expect(Object.getPrototypeOf(out.Map)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(out.Map, "__proto__")?.value).toBe("p")
    expect(Object.getOwnPropertyDescriptor(out.Doc, "__proto__")?.value).toEqual({ polluted: 1 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
