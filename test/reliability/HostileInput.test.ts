/**
 * Hostile input, property-based (fast-check, seeded; run counts printed): the XML reader, the
 * shape-directed XML and JSON decoders, every protocol's output and error decoding, and the shared
 * config parser. Whatever arrives, they end in a value or their own typed error (`XmlParseError`,
 * `ProtocolError`, `ConfigFileError`): never a `TypeError`, a `RangeError` or a hang, and nothing
 * they read can reach `Object.prototype`. Plus a differential test of the XML reader against
 * fast-xml-parser on generated well-formed documents.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { XMLParser } from "fast-xml-parser"
import { linkOperation, linkShapes } from "../../src/Protocols/Api2.js"
import { codecFor } from "../../src/Protocols/index.js"
import { jsonReader, parseJsonBody } from "../../src/Protocols/JsonDecoder.js"
import { readJsonError } from "../../src/Protocols/JsonError.js"
import { type ProtocolCodec, ProtocolError, type ResponseParts } from "../../src/Protocols/Protocol.js"
import type { OperationModel, ServiceMetadata, StructureShape } from "../../src/Protocols/Shape.js"
import { parseXml, type XmlElement, XmlParseError } from "../../src/Protocols/Xml.js"
import { parseXmlBody, xmlReader } from "../../src/Protocols/XmlDecoder.js"
import { readXmlError } from "../../src/Protocols/XmlError.js"
import * as ConfigFile from "../../src/Session/ConfigFile.js"
import * as ProfileSettings from "../../src/Session/ProfileSettings.js"

const SEED = 20_240_909
const runs: Array<{ property: string; runs: number; seed: number }> = []

/** Runs a property with the suite's seed and records how many runs it made. */
const check = <T>(
  property: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (t: T) => void,
  numRuns: number
) => {
  fc.assert(fc.property(arbitrary, predicate), { seed: SEED, numRuns })
  runs.push({ property, runs: numRuns, seed: SEED })
}

const encoder = new TextEncoder()
const bytesOf = (s: string): Uint8Array => encoder.encode(s)

/** Lets through only the error types a parser is allowed to throw. */
const only =
  (...allowed: ReadonlyArray<new (...args: never) => Error>) =>
  (f: () => unknown): unknown => {
    try {
      return f()
    } catch (e) {
      if (allowed.some((cls) => e instanceof cls)) return undefined
      throw e
    }
  }
const onlyProtocolErrors = only(ProtocolError)

// ---------------------------------------------------------------------------------------------
// Prototype pollution: what Object.prototype looks like before anything runs.

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort()
const assertPrototypeUntouched = () => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys)
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
}

/** Every object in a decoded value still has a plain prototype (no `__proto__` was assigned). */
const assertPlainPrototypes = (value: unknown, depth = 0): void => {
  if (depth > 200 || typeof value !== "object" || value === null) return
  if (value instanceof Date || value instanceof Uint8Array) return
  if (Array.isArray(value)) {
    expect(Object.getPrototypeOf(value)).toBe(Array.prototype)
  } else {
    const proto = Object.getPrototypeOf(value)
    expect(proto === Object.prototype || proto === null).toBe(true)
  }
  for (const key of Object.keys(value)) {
    assertPlainPrototypes((value as Record<string, unknown>)[key], depth + 1)
  }
}

// ---------------------------------------------------------------------------------------------
// A model with every kind of member the decoders know, recursive shapes included.

const shapes = linkShapes({
  Out: {
    type: "structure",
    members: {
      Str: { shape: "Str" },
      Int: { shape: "Int" },
      Long: { shape: "Long" },
      Dbl: { shape: "Dbl" },
      Bool: { shape: "Bool" },
      Time: { shape: "Time" },
      Epoch: { shape: "Time", timestampFormat: "unixTimestamp" },
      HttpDate: { shape: "Time", timestampFormat: "rfc822" },
      Bytes: { shape: "Blob" },
      List: { shape: "StrList" },
      Flat: { shape: "StrList", flattened: true },
      Map: { shape: "StrMap" },
      FlatMap: { shape: "StrMap", flattened: true },
      Nested: { shape: "Node" },
      Choice: { shape: "Choice" },
      Attr: { shape: "Str", xmlAttribute: true, locationName: "attr" },
      Json: { shape: "Str", jsonvalue: true },
      Header: { shape: "Str", location: "header", locationName: "x-h" },
      HeaderInt: { shape: "Int", location: "header", locationName: "x-i" },
      HeaderTime: { shape: "Time", location: "header", locationName: "x-t" },
      HeaderList: { shape: "StrList", location: "header", locationName: "x-l" },
      Meta: { shape: "StrMap", location: "headers", locationName: "x-meta-" },
      Status: { shape: "Int", location: "statusCode" }
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
  Choice: { type: "structure", union: true, members: { A: { shape: "Str" }, B: { shape: "Int" } } },
  StrList: { type: "list", member: { shape: "Str" } },
  StrMap: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
  Str: { type: "string" },
  Int: { type: "integer" },
  Long: { type: "long" },
  Dbl: { type: "double" },
  Bool: { type: "boolean" },
  Time: { type: "timestamp" },
  Blob: { type: "blob" },
  Failure: {
    type: "structure",
    exception: true,
    members: { Message: { shape: "Str" }, Detail: { shape: "Node" }, Items: { shape: "StrMap" } }
  }
})
const Out = shapes.get("Out") as StructureShape
const Node = shapes.get("Node") as StructureShape
const operation: OperationModel = linkOperation(shapes, {
  name: "Op",
  http: { method: "POST", requestUri: "/" },
  output: { shape: "Out" },
  errors: [{ shape: "Failure" }]
})

const metadataOf = (protocol: ServiceMetadata["protocol"]): ServiceMetadata => ({
  protocol,
  apiVersion: "2020-01-01",
  jsonVersion: "1.1",
  targetPrefix: "Fuzz",
  endpointPrefix: "fuzz",
  serviceId: "Fuzz"
})
const protocols = ["rest-xml", "query", "ec2", "json", "rest-json"] as const
const codecs: ReadonlyArray<readonly [string, ProtocolCodec, "xml" | "json"]> = protocols.map(
  (p) => [p, codecFor(metadataOf(p)), p === "json" || p === "rest-json" ? "json" : "xml"] as const
)

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const hostileNames = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "polluted"]
const memberNames = [
  ...Object.keys(Out.members),
  ...Object.keys(Node.members),
  "attr",
  "member",
  "entry",
  "key",
  "value",
  "Error",
  "Errors",
  "Code",
  "Message",
  "RequestId",
  "OpResult",
  "A",
  "B",
  "x-h"
]
const names = fc.constantFrom(...memberNames, ...hostileNames, "s3:Key", "a:Str")

/** Texts that scalar readers choke on, as well as plain ones. */
const scalarText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "9".repeat(400),
    "9007199254740993",
    "true",
    "false",
    "TRUE",
    "2020-01-01T00:00:00Z",
    "2020-13-45T99:99:99Z",
    "Mon, 16 Dec 2019 23:48:18 GMT",
    "Foo, 99 Bar 0000 99:99:99 GMT",
    "1576540098",
    "-99999999999999999",
    "aGVsbG8=",
    "###",
    '{"a":1}',
    "{not json",
    "\u0000",
    "\uFFFD",
    "😀"
  ),
  fc.string({ maxLength: 40 })
)

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)

interface Tree {
  readonly name: string
  readonly attributes: ReadonlyArray<readonly [string, string]>
  readonly text: string
  readonly children: ReadonlyArray<Tree>
}

/** Element trees named after the model's members (and hostile names), with hostile texts. */
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.record({
    name: names,
    attributes: fc.uniqueArray(fc.tuple(names, scalarText), {
      maxLength: 2,
      selector: ([k]) => k
    }),
    text: scalarText,
    children: fc.oneof(
      { maxDepth: 6, depthIdentifier: "tree" },
      fc.constant([]),
      fc.array(tie("tree"), { maxLength: 4 })
    )
  })
}))

const renderTree = (t: Tree): string =>
  `<${t.name}${t.attributes.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join("")}>${escapeXml(t.text)}${t.children
    .map(renderTree)
    .join("")}</${t.name}>`

const xmlTokens = [
  "<",
  ">",
  "</",
  "/>",
  "<a>",
  "</a>",
  "<Out>",
  "</Out>",
  "<Str>",
  "</Str>",
  "<entry><key>__proto__</key><value>x</value></entry>",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  "<?xml version='1.0'?>",
  "<?",
  "?>",
  "<!DOCTYPE a [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
  "<!ENTITY",
  "&",
  "&amp;",
  "&lt;",
  "&e;",
  "&#",
  "&#x",
  "&#0;",
  "&#x0;",
  "&#65;",
  "&#x1F600;",
  "&#xD800;",
  "&#x110000;",
  "&#99999999999;",
  "&#xFFFFFFFFFFFFFFFF;",
  ";",
  '"',
  "'",
  "=",
  " ",
  "\n",
  "\u0000",
  "\uFFFD",
  "😀",
  "attr",
  'attr="1"',
  "xmlns:a='u'"
]
const xmlSoup = fc.array(fc.constantFrom(...xmlTokens), { maxLength: 120 }).map((t) => t.join(""))

/** A document with a random cut, insertion or duplication (well-formed ones break in odd places). */
const mutated = (doc: fc.Arbitrary<string>) =>
  fc
    .tuple(doc, fc.nat(), fc.nat(), fc.constantFrom(...xmlTokens, "{", "}", "[", "]", ",", ":", '"'))
    .map(([d, a, b, token]) => {
      const i = d.length === 0 ? 0 : a % d.length
      const j = d.length === 0 ? 0 : b % d.length
      switch ((a + b) % 3) {
        case 0:
          return d.slice(0, Math.min(i, j)) + d.slice(Math.max(i, j))
        case 1:
          return d.slice(0, i) + token + d.slice(i)
        default:
          return d.slice(0, i) + d.slice(j)
      }
    })

/** JSON text (objects written by hand, so `__proto__` keys really appear in the text). */
type Json =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<Json>
  | { readonly entries: ReadonlyArray<readonly [string, Json]> }
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 6, depthIdentifier: "json", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 123456789012345),
    scalarText,
    fc.array(tie("json"), { maxLength: 4 }),
    fc.record({ entries: fc.array(fc.tuple(names, tie("json")), { maxLength: 5 }) })
  )
}))
const renderJson = (j: Json): string => {
  if (j === null || typeof j !== "object") return JSON.stringify(j)
  if (Array.isArray(j)) return `[${(j as ReadonlyArray<Json>).map(renderJson).join(",")}]`
  const { entries } = j as { readonly entries: ReadonlyArray<readonly [string, Json]> }
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${renderJson(v)}`).join(",")}}`
}
const jsonText = json.map(renderJson)

const headerValue = fc.oneof(scalarText, fc.string({ unit: "binary", maxLength: 30 }))
const headers = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom(
        "x-h",
        "x-i",
        "x-t",
        "x-l",
        "x-meta-__proto__",
        "x-meta-constructor",
        "x-meta-a",
        "x-amzn-errortype",
        "x-amzn-query-error",
        "x-amzn-requestid",
        "content-type",
        "__proto__"
      ),
      headerValue
    ),
    { maxLength: 6, selector: ([k]) => k }
  )
  .map((pairs) => {
    const out: Record<string, string> = Object.create(null)
    for (const [k, v] of pairs) out[k] = v
    return { ...out }
  })

/** A body for a codec: random bytes (invalid UTF-8 included), soup, or mangled documents. */
const bodyFor = (format: "xml" | "json"): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc.string({ unit: "binary", maxLength: 400 }).map(bytesOf),
    format === "xml" ? xmlSoup.map(bytesOf) : jsonText.map(bytesOf),
    format === "xml"
      ? tree.map((t) => bytesOf(renderTree({ ...t, name: "Out" })))
      : jsonText.map((t) => bytesOf(`{"Nested":${t},"Map":${t},"Choice":${t}}`)),
    mutated(format === "xml" ? tree.map(renderTree) : jsonText).map(bytesOf)
  )

const response = (format: "xml" | "json", status: fc.Arbitrary<number>): fc.Arbitrary<ResponseParts> =>
  fc.record({ status, headers, body: bodyFor(format) })

// ---------------------------------------------------------------------------------------------

describe("hostile input", () => {
  afterAll(() => {
    console.log("\nfuzzed inputs\n")
    console.table(runs)
    console.log(`total runs: ${runs.reduce((n, r) => n + r.runs, 0)}`)
  })

  describe("XML reader", () => {
    it("arbitrary text: a tree or an XmlParseError", () => {
      check(
        "parseXml: binary strings",
        fc.string({ unit: "binary", maxLength: 500 }),
        (s) => void only(XmlParseError)(() => parseXml(s)),
        2_000
      )
      check("parseXml: XML token soup", xmlSoup, (s) => void only(XmlParseError)(() => parseXml(s)), 3_000)
      check(
        "parseXml: mutated well-formed documents",
        mutated(tree.map(renderTree)),
        (s) => void only(XmlParseError)(() => parseXml(s)),
        2_000
      )
      check(
        "parseXmlBody: random bytes (invalid UTF-8 included)",
        fc.uint8Array({ maxLength: 500 }),
        (b) => void onlyProtocolErrors(() => parseXmlBody(b)),
        2_000
      )
      assertPrototypeUntouched()
    })

    it("rejects entity declarations and expansion, at any place", () => {
      const laughs = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE lolz [<!ENTITY lol "lol">',
        ...Array.from(
          { length: 9 },
          (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`
        ),
        "]>",
        "<lolz>&lol9;</lolz>"
      ].join("\n")
      const documents = [
        laughs,
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd"><r/>',
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        "<r><!DOCTYPE r></r>",
        "<r>&lol;</r>",
        "<r a='&x;'/>",
        "<r><!ENTITY x 'y'></r>",
        "<r><!ELEMENT r ANY></r>"
      ]
      for (const doc of documents) {
        expect(() => parseXml(doc)).toThrow(XmlParseError)
        expect(() => parseXmlBody(bytesOf(doc))).toThrow(ProtocolError)
      }
    })

    it("huge and invalid numeric character references are typed errors", () => {
      for (const ref of [
        "&#99999999999;",
        "&#x110000;",
        "&#xFFFFFFFFFFFFFFFFFFFF;",
        `&#${"9".repeat(400)};`,
        "&#xD800;",
        "&#xDFFF;",
        "&#;",
        "&#x;",
        "&#-1;",
        "&#x-1;",
        "&#1e5;",
        "&amp",
        `&${"a".repeat(10_000)};`
      ]) {
        expect(() => parseXml(`<r>${ref}</r>`), ref).toThrow(XmlParseError)
        expect(() => parseXml(`<r a="${ref}"/>`), ref).toThrow(XmlParseError)
      }
      expect(parseXml("<r>&#x10FFFF;&#x1F600;&#128512;</r>").text).toBe("\u{10FFFF}😀😀")
    })

    it("deep nesting parses without recursion, and decodes to a typed error or a value", () => {
      const depth = 100_000
      const nested = `<Nested>${"<Child>".repeat(depth)}${"</Child>".repeat(depth)}</Nested>`
      const deep = `<Out>${nested}</Out>`
      expect(parseXml(deep).name).toBe("Out")
      for (const [name, codec, format] of codecs) {
        if (format !== "xml") continue
        const body = bytesOf(
          name === "query" ? `<OpResponse><OpResult>${nested}</OpResult></OpResponse>` : deep
        )
        expect(() => codec.deserialize(operation, { status: 200, headers: {}, body }), name).toThrow(
          ProtocolError
        )
        const error = `<Error><Code>Failure</Code><Detail>${"<Child>".repeat(depth)}${"</Child>".repeat(depth)}</Detail></Error>`
        expect(
          () => codec.deserializeError(operation, { status: 400, headers: {}, body: bytesOf(error) }),
          name
        ).toThrow(ProtocolError)
      }
      // unclosed: ends in an error, not a hang or an overflow
      expect(() => parseXml("<a>".repeat(depth))).toThrow(XmlParseError)
    })

    it("map keys, element and attribute names of __proto__ and friends stay plain data", () => {
      const doc = [
        '<Out __proto__="x" constructor="y" attr="a">',
        "<Map>",
        "<entry><key>__proto__</key><value>p</value></entry>",
        "<entry><key>constructor</key><value>c</value></entry>",
        "<entry><key>prototype</key><value>q</value></entry>",
        "</Map>",
        "<FlatMap><key>__proto__</key><value>f</value></FlatMap>",
        "<__proto__><polluted>yes</polluted></__proto__>",
        "<constructor><prototype><polluted>yes</polluted></prototype></constructor>",
        "<Nested><ByKey><entry><key>__proto__</key><value><Name>n</Name></value></entry></ByKey></Nested>",
        "</Out>"
      ].join("")
      const root = parseXml(doc)
      expect(Object.getPrototypeOf(root.attributes)).toBe(null)
      expect(Object.getOwnPropertyDescriptor(root.attributes, "__proto__")?.value).toBe("x")
      const out = xmlReader(Out)(root) as Record<string, Record<string, unknown>>
      assertPlainPrototypes(out)
      const map = out.Map!
      expect(Object.keys(map)).toEqual(["__proto__", "constructor", "prototype"])
      expect(Object.getOwnPropertyDescriptor(map, "__proto__")?.value).toBe("p")
      expect(Object.getOwnPropertyDescriptor(map, "constructor")?.value).toBe("c")
      expect(Object.getOwnPropertyDescriptor(out.FlatMap!, "__proto__")?.value).toBe("f")
      const byKey = (out.Nested as Record<string, Record<string, unknown>>).ByKey!
      expect(Object.getOwnPropertyDescriptor(byKey, "__proto__")?.value).toEqual({ Name: "n" })
      expect(out.Attr).toBe("a")
      assertPrototypeUntouched()
    })

    it("differential: the same tree, text and attributes as fast-xml-parser", () => {
      const reference = new XMLParser({
        preserveOrder: true,
        ignoreAttributes: false,
        attributeNamePrefix: "",
        parseTagValue: false,
        parseAttributeValue: false,
        trimValues: false,
        processEntities: true,
        htmlEntities: true,
        ignoreDeclaration: true,
        ignorePiTags: true
      })
      interface Plain {
        readonly name: string
        readonly attributes: Readonly<Record<string, string>>
        readonly text: string
        readonly children: ReadonlyArray<Plain>
      }
      const ours = (el: XmlElement): Plain => ({
        name: el.name,
        attributes: { ...el.attributes },
        text: el.text,
        children: el.children.map(ours)
      })
      type FxpNode = Record<string, unknown>
      const theirs = (node: FxpNode): Plain => {
        const name = Object.keys(node).find((k) => k !== ":@" && k !== "#text")!
        const content = node[name] as ReadonlyArray<FxpNode>
        const attributes = (node[":@"] ?? {}) as Record<string, string>
        let text = ""
        const children: Array<Plain> = []
        for (const c of content) {
          if ("#text" in c) text += String(c["#text"])
          else children.push(theirs(c))
        }
        return { name, attributes, text, children }
      }

      const nameArb = fc
        .tuple(fc.constantFrom("", "s3:", "a:"), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/))
        .map(([prefix, local]) => prefix + local)
      /** Characters as they appear in text, and how each may be written in a document. */
      // one code point each, from the characters XML allows (CR aside: XML normalises line ends)
      const char = fc.oneof(
        fc.constantFrom(
          "a",
          "Z",
          "0",
          " ",
          "\t",
          "\n",
          "é",
          "中",
          "😀",
          "\u{10FFFF}",
          "&",
          "<",
          ">",
          '"',
          "'",
          "]"
        ),
        fc
          .oneof(
            fc.integer({ min: 0x20, max: 0xd7ff }),
            fc.integer({ min: 0xe000, max: 0xfffd }),
            fc.integer({ min: 0x10000, max: 0x10ffff })
          )
          .map((code) => String.fromCodePoint(code))
      )
      const written = (c: string, inAttribute: boolean) =>
        fc.constantFrom<"plain" | "named" | "dec" | "hex">("plain", "named", "dec", "hex").map((how) => {
          const code = c.codePointAt(0)!
          const mustEscape = c === "&" || c === "<" || (inAttribute && c === '"') || c === "]"
          if (how === "dec") return `&#${code};`
          if (how === "hex") return `&#x${code.toString(16).toUpperCase()};`
          if (how === "named" || mustEscape) {
            const named = ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" } as const)[
              c as "&"
            ]
            return named ?? (mustEscape ? `&#${code};` : c)
          }
          return inAttribute && (c === "\t" || c === "\n") ? `&#${code};` : c
        })
      const textArb = (inAttribute: boolean) =>
        fc
          .array(
            char.chain((c) => written(c, inAttribute).map((w) => [c, w] as const)),
            { maxLength: 12 }
          )
          .map((parts) => ({
            value: parts.map(([c]) => c).join(""),
            written: parts.map(([, w]) => w).join("")
          }))
      interface Doc {
        readonly name: string
        readonly attributes: ReadonlyArray<readonly [string, { value: string; written: string }]>
        readonly pieces: ReadonlyArray<
          | { readonly kind: "text"; readonly value: string; readonly written: string }
          | { readonly kind: "cdata"; readonly value: string }
          | { readonly kind: "comment" }
          | { readonly kind: "child"; readonly doc: Doc }
        >
      }
      const { doc } = fc.letrec<{ doc: Doc }>((tie) => ({
        doc: fc.record({
          name: nameArb,
          attributes: fc.uniqueArray(fc.tuple(nameArb, textArb(true)), {
            maxLength: 3,
            selector: ([k]) => k
          }),
          pieces: fc.array(
            fc.oneof(
              { maxDepth: 5, depthIdentifier: "doc" },
              textArb(false).map((t) => ({ kind: "text" as const, ...t })),
              fc
                .string({ maxLength: 10 })
                .filter((s) => !s.includes("]]>") && !s.includes("\r"))
                .map((value) => ({ kind: "cdata" as const, value })),
              fc.constant({ kind: "comment" as const }),
              tie("doc").map((d) => ({ kind: "child" as const, doc: d }))
            ),
            { maxLength: 5 }
          )
        })
      }))
      const render = (d: Doc): string =>
        `<${d.name}${d.attributes.map(([k, v]) => ` ${k}="${v.written}"`).join("")}>${d.pieces
          .map((p) =>
            p.kind === "text"
              ? p.written
              : p.kind === "cdata"
                ? `<![CDATA[${p.value}]]>`
                : p.kind === "comment"
                  ? "<!-- a comment -->"
                  : render(p.doc)
          )
          .join("")}</${d.name}>`
      const expected = (d: Doc): Plain => ({
        name: d.name,
        attributes: Object.fromEntries(d.attributes.map(([k, v]) => [k, v.value])),
        text: d.pieces.map((p) => (p.kind === "text" || p.kind === "cdata" ? p.value : "")).join(""),
        children: d.pieces.flatMap((p) => (p.kind === "child" ? [expected(p.doc)] : []))
      })
      check(
        "parseXml vs fast-xml-parser: generated well-formed documents",
        doc,
        (d) => {
          const text = `<?xml version="1.0" encoding="UTF-8"?>\n${render(d)}`
          const mine = ours(parseXml(text))
          expect(mine).toEqual(expected(d))
          const fxp = reference.parse(text) as ReadonlyArray<FxpNode>
          expect(mine).toEqual(theirs(fxp.find((n) => !("#text" in n))!))
        },
        1_500
      )
    })
  })

  describe("XML and JSON decoders", () => {
    it("the XML decoder on hostile trees: a value or a ProtocolError", () => {
      check(
        "xmlReader(Out): generated element trees",
        tree,
        (t) => {
          const decoded = onlyProtocolErrors(() =>
            xmlReader(Out)(parseXml(renderTree({ ...t, name: "Out" })))
          )
          assertPlainPrototypes(decoded)
        },
        3_000
      )
      assertPrototypeUntouched()
    })

    it("the JSON decoder on hostile values: a value or a ProtocolError", () => {
      check(
        "jsonReader(Out): generated JSON",
        jsonText,
        (text) => {
          const parsed = JSON.parse(text) as unknown
          for (const input of [
            parsed,
            { Nested: parsed, Map: parsed, Choice: parsed, List: parsed, Json: text }
          ]) {
            const decoded = onlyProtocolErrors(() => jsonReader(Out)(input))
            assertPlainPrototypes(decoded)
          }
        },
        3_000
      )
      check(
        "parseJsonBody: random bytes (invalid UTF-8 included)",
        fc.uint8Array({ maxLength: 500 }),
        (b) => void onlyProtocolErrors(() => parseJsonBody(b)),
        2_000
      )
      assertPrototypeUntouched()
    })

    it("JSON map keys __proto__, constructor and prototype stay own data properties", () => {
      const text =
        '{"Map":{"__proto__":"p","constructor":"c","prototype":"q"},"List":["__proto__"],' +
        '"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},' +
        '"Nested":{"ByKey":{"__proto__":{"Name":"n"}}}}'
      for (const [, codec, format] of codecs) {
        if (format !== "json") continue
        const out = codec.deserialize(operation, { status: 200, headers: {}, body: bytesOf(text) }) as Record<
          string,
          Record<string, unknown>
        >
        assertPlainPrototypes(out)
        expect(Object.keys(out.Map!)).toEqual(["__proto__", "constructor", "prototype"])
        expect(Object.getOwnPropertyDescriptor(out.Map!, "__proto__")?.value).toBe("p")
        const byKey = (out.Nested as Record<string, Record<string, unknown>>).ByKey!
        expect(Object.getOwnPropertyDescriptor(byKey, "__proto__")?.value).toEqual({ Name: "n" })
      }
      const map = jsonReader(shapes.get("StrMap")!)(
        JSON.parse('{"__proto__":"p","constructor":"c","prototype":"q"}')
      ) as Record<string, unknown>
      expect(Object.keys(map)).toEqual(["__proto__", "constructor", "prototype"])
      expect(Object.getOwnPropertyDescriptor(map, "__proto__")?.value).toBe("p")
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype)
      const nested = jsonReader(Node)(JSON.parse('{"ByKey":{"__proto__":{"Name":"n"}}}')) as Record<
        string,
        Record<string, unknown>
      >
      expect(Object.getOwnPropertyDescriptor(nested.ByKey!, "__proto__")?.value).toEqual({ Name: "n" })
      assertPrototypeUntouched()
    })

    it("deep JSON nesting decodes to a typed error or a value", () => {
      const depth = 100_000
      const deep = `{"Nested":${'{"Child":'.repeat(depth)}{}${"}".repeat(depth)}}`
      const lists = `{"Nested":{"Children":${'[{"Children":'.repeat(depth)}[]${"}]".repeat(depth)}}}`
      const maps = `{"Nested":{"ByKey":${'{"k":{"ByKey":'.repeat(depth)}{}${"}}".repeat(depth)}}}`
      for (const [name, codec, format] of codecs) {
        if (format !== "json") continue
        for (const body of [deep, lists, maps]) {
          expect(
            () => codec.deserialize(operation, { status: 200, headers: {}, body: bytesOf(body) }),
            name
          ).toThrow(ProtocolError)
        }
        expect(
          () =>
            codec.deserializeError(operation, {
              status: 400,
              headers: { "x-amzn-errortype": "Failure" },
              body: bytesOf(`{"Detail":${deep.slice('{"Nested":'.length)}`)
            }),
          name
        ).toThrow(ProtocolError)
      }
      // shallow enough documents still decode
      const fine = `{"Nested":${'{"Child":'.repeat(100)}{"Name":"leaf"}${"}".repeat(100)}}`
      expect(
        codecs[3]![1].deserialize(operation, { status: 200, headers: {}, body: bytesOf(fine) })
      ).toHaveProperty("Nested.Child.Child.Child")
    })
  })

  describe("protocol codecs", () => {
    for (const [name, codec, format] of codecs) {
      it(`${name}: outputs and error responses decode to values or ProtocolErrors`, () => {
        check(
          `${name} deserialize: hostile 200 responses`,
          response(format, fc.constant(200)),
          (r) => {
            const body =
              name === "query" && r.body.length > 0
                ? bytesOf(`<OpResponse><OpResult>${new TextDecoder().decode(r.body)}</OpResult></OpResponse>`)
                : r.body
            const decoded = onlyProtocolErrors(() => codec.deserialize(operation, { ...r, body }))
            assertPlainPrototypes(decoded)
          },
          1_500
        )
        check(
          `${name} deserializeError: hostile error responses`,
          response(format, fc.integer({ min: 300, max: 599 })),
          (r) => {
            const parsed = onlyProtocolErrors(() => codec.deserializeError(operation, r)) as
              | { code: unknown; members: unknown }
              | undefined
            if (parsed !== undefined) {
              expect(typeof parsed.code).toBe("string")
              assertPlainPrototypes(parsed.members)
            }
          },
          1_500
        )
        assertPrototypeUntouched()
      })
    }

    it("the error readers on their own", () => {
      check(
        "readXmlError: random bodies",
        bodyFor("xml"),
        (b) => void onlyProtocolErrors(() => readXmlError(b)),
        1_500
      )
      check(
        "readJsonError: random bodies and headers",
        fc.tuple(bodyFor("json"), headers, fc.boolean()),
        ([body, h, queryCompatible]) =>
          void onlyProtocolErrors(() => readJsonError({ status: 400, headers: h, body }, queryCompatible)),
        1_500
      )
    })
  })

  describe("shared config parser", () => {
    const lineArb = fc.oneof(
      fc.constantFrom(
        "[default]",
        "[profile dev]",
        "[profile __proto__]",
        "[__proto__]",
        "[constructor]",
        "[profile prototype]",
        "[sso-session __proto__]",
        "[services constructor]",
        "[profile",
        "]",
        "[ profile x ]",
        "[profile x] # comment",
        "__proto__ = polluted",
        "constructor = c",
        "prototype = p",
        "region = us-east-1",
        "max_attempts = 99999999999999999999",
        "max_attempts = -1",
        "use_fips_endpoint = maybe",
        "aws_secret_access_key = SECRETSECRET",
        "s3 =",
        "  addressing_style = path",
        "  __proto__ = x",
        "  no equals",
        "\tcontinued",
        "=",
        "= value",
        "key =",
        "key = value ; comment",
        "key = value;not",
        "# comment",
        "; comment",
        "",
        "   ",
        "\uFEFF[default]",
        "key\u0000 = v",
        "😀 = 😀"
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 })
    )
    const fileArb = fc
      .tuple(fc.array(lineArb, { maxLength: 30 }), fc.constantFrom("\n", "\r\n", "\r"))
      .map(([lines, eol]) => lines.join(eol))

    it("arbitrary files: a profile set or a ConfigFileError on a line of the file", () => {
      check(
        "ConfigFile.parse + ProfileSettings.readAll: generated files",
        fc.tuple(fileArb, fileArb),
        ([config, credentials]) => {
          const result = ConfigFile.parse({
            config: { path: "/c", contents: config },
            credentials: { path: "/k", contents: credentials }
          })
          if (Either.isLeft(result)) {
            const error = result.left
            expect(error).toBeInstanceOf(ConfigFile.ConfigFileError)
            const lines = (error.path === "/c" ? config : credentials).split("\n").length
            expect(error.line).toBeGreaterThanOrEqual(1)
            expect(error.line).toBeLessThanOrEqual(lines)
            expect(error.message).not.toContain("SECRETSECRET")
            return
          }
          for (const section of [
            ...result.right.profiles.values(),
            ...result.right.ssoSessions.values(),
            ...result.right.services.values()
          ]) {
            const settings = ProfileSettings.readAll(section)
            if (Either.isLeft(settings)) expect(settings.left.message).not.toContain("SECRETSECRET")
            expect(JSON.stringify(section)).not.toContain("SECRETSECRET")
            expect(String(section)).not.toContain("SECRETSECRET")
            assertPlainPrototypes(section.toJSON())
          }
        },
        3_000
      )
      assertPrototypeUntouched()
    })

    it("profiles and keys named __proto__, constructor, prototype are plain entries", () => {
      const result = ConfigFile.parse({
        config: {
          path: "/c",
          contents: [
            "[profile __proto__]",
            "__proto__ = polluted",
            "constructor = c",
            "region = eu-west-1",
            "[profile constructor]",
            "prototype = p",
            "[sso-session __proto__]",
            "sso_region = us-east-1",
            "[services prototype]",
            "s3 =",
            "  __proto__ = x"
          ].join("\n")
        },
        credentials: { path: "/k", contents: "[__proto__]\naws_secret_access_key = SECRETSECRET" }
      })
      expect(Either.isRight(result)).toBe(true)
      if (Either.isLeft(result)) return
      const set = result.right
      const proto = set.profiles.get("__proto__")!
      expect(proto.get("__proto__")).toBe("polluted")
      expect(proto.get("constructor")).toBe("c")
      expect(proto.get("region")).toBe("eu-west-1")
      expect(set.profiles.get("constructor")?.get("prototype")).toBe("p")
      expect(set.ssoSessions.get("__proto__")?.get("sso_region")).toBe("us-east-1")
      expect(set.services.get("prototype")?.subProperty("s3", "__proto__")).toBe("x")
      const json = proto.toJSON() as { properties: Record<string, string> }
      expect(Object.getOwnPropertyDescriptor(json.properties, "__proto__")?.value).toBe("polluted")
      expect(Object.getPrototypeOf(json.properties)).toBe(Object.prototype)
      expect(JSON.stringify(proto)).not.toContain("SECRETSECRET")
      const settings = ProfileSettings.readAll(proto)
      expect(Either.isRight(settings)).toBe(true)
      assertPrototypeUntouched()
    })
  })
})
