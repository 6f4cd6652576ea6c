/**
 * The XML reader against fast-xml-parser (the reference parser) on the inputs that trip parsers
 * up, plus a property test over generated documents; and what the reader refuses.
 */
import * as fc from "fast-check"
import { XMLParser } from "fast-xml-parser"
import { describe, expect, it } from "vitest"
import {
  decodeEntities,
  escapeAttribute,
  escapeText,
  localName,
  parseXml,
  type XmlElement,
  XmlParseError
} from "../../../src/Protocols/Xml.js"

interface Tree {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly text: string
  readonly children: ReadonlyArray<Tree>
}

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

type FxpNode = Record<string, unknown>

/** fast-xml-parser's ordered output as a tree (text nodes concatenated, CDATA included). */
const fromReference = (node: FxpNode): Tree => {
  const name = Object.keys(node).find((k) => k !== ":@")!
  const content = node[name] as Array<FxpNode>
  return {
    name,
    attributes: (node[":@"] as Record<string, string> | undefined) ?? {},
    text: content.map((c) => (typeof c["#text"] === "string" ? c["#text"] : "")).join(""),
    children: content.filter((c) => c["#text"] === undefined).map(fromReference)
  }
}

const fromOurs = (el: XmlElement): Tree => ({
  name: el.name,
  attributes: { ...el.attributes },
  text: el.text,
  children: el.children.map(fromOurs)
})

const viaReference = (xml: string): Tree => {
  const nodes = (reference.parse(xml) as Array<FxpNode>).filter((n) => n["#text"] === undefined)
  return fromReference(nodes[0]!)
}

const tricky: ReadonlyArray<readonly [string, string]> = [
  ["predefined entities", "<a>&amp;&lt;&gt;&quot;&apos;</a>"],
  ["numeric references, astral included", "<a>&#65;&#x42;&#x1F600;&#128512;&#x4E2D;</a>"],
  ["CDATA with markup and text around it", "<a>x<![CDATA[<b>&amp;</b>]]>y</a>"],
  ["attributes in both quotes, with entities", `<a one="1 &amp; 2" two='&lt;3&gt;' xsi:type="T"/>`],
  ["whitespace kept exactly", "<r><a>  two  spaces  </a><b>\n\t</b><c>   </c></r>"],
  ["keys that look like numbers", "<r><Key>0123</Key><Key>1e3</Key><Key>true</Key><Key>-0</Key></r>"],
  [
    "declaration, comments, processing instruction",
    `<?xml version="1.0" encoding="UTF-8"?><!-- c --><a><?pi x?><b>1</b><!-- d --></a>`
  ],
  ["raw unicode", "<a>日本語 😀 é</a>"],
  ["names with dots, dashes and prefixes", "<s3:a.b-c_d><x.y>1</x.y></s3:a.b-c_d>"],
  [
    "an S3 listing",
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Contents><Key>a &amp; b/0123 .txt</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag></Contents><IsTruncated>false</IsTruncated></ListBucketResult>`
  ]
]

describe("parseXml against fast-xml-parser", () => {
  it.each(tricky)("%s", (_name, xml) => {
    expect(fromOurs(parseXml(xml))).toEqual(viaReference(xml))
  })

  it("decodes an astral reference as one code point (not U+F600)", () => {
    expect(parseXml("<a>&#x1F600;</a>").text).toBe("\u{1F600}")
  })

  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,8}$/)
  const text = fc.string({ unit: "grapheme", maxLength: 12 })
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.record({
      name,
      attributes: fc.dictionary(name, text, { maxKeys: 2 }),
      text,
      children: fc.oneof(
        { maxDepth: 3, depthIdentifier: "xml" },
        fc.constant([]),
        fc.array(tie("node"), { maxLength: 3 })
      )
    })
  })).node

  /** Text first, then children: the reader concatenates an element's character data. */
  const write = (t: Tree): string => {
    const attributes = Object.entries(t.attributes)
      .map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`)
      .join("")
    return `<${t.name}${attributes}>${escapeText(t.text)}${t.children.map(write).join("")}</${t.name}>`
  }

  it("agrees on generated documents", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const xml = write(t)
        expect(fromOurs(parseXml(xml))).toEqual(viaReference(xml))
      }),
      { numRuns: 300 }
    )
  })
})

describe("parseXml refuses", () => {
  it.each([
    ["a DOCTYPE (no entity expansion, ever)", `<!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>`],
    ["an unknown entity", "<a>&nbsp;</a>"],
    ["a mismatched end tag", "<a><b></a></b>"],
    ["text outside the root", "<a/>junk"],
    ["an unclosed element", "<a><b>"]
  ])("%s", (_name, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlParseError)
  })
})

describe("escapes: every character that needs one (issue 26)", () => {
  const inText: ReadonlyArray<readonly [string, string]> = [
    ["&", "&amp;"],
    ["<", "&lt;"],
    [">", "&gt;"],
    ["\r", "&#xD;"],
    ["\n", "&#xA;"],
    ["\u0085", "&#x85;"],
    ["\u2028", "&#x2028;"]
  ]
  const onlyInAttributes: ReadonlyArray<readonly [string, string]> = [
    ['"', "&quot;"],
    ["'", "&apos;"]
  ]

  it.each(inText)("text: %j is written as %s, between other characters too", (c, escaped) => {
    expect(escapeText(c)).toBe(escaped)
    expect(escapeText(`a${c}b${c}`)).toBe(`a${escaped}b${escaped}`)
    expect(parseXml(`<a>${escapeText(`a${c}b`)}</a>`).text).toBe(`a${c}b`)
  })

  it.each([...inText, ...onlyInAttributes])("attribute: %j is written as %s", (c, escaped) => {
    expect(escapeAttribute(c)).toBe(escaped)
    expect(escapeAttribute(`a${c}b${c}`)).toBe(`a${escaped}b${escaped}`)
    expect(parseXml(`<a v="${escapeAttribute(`a${c}b`)}"/>`).attributes).toEqual({ v: `a${c}b` })
  })

  it("leaves every other character as it is (quotes in text, tabs, U+2029, letters, astral)", () => {
    const plain = `"'\t\u2029 aZ09 é 日本 😀 ; # = / ]]`
    expect(escapeText(plain)).toBe(plain)
    expect(escapeAttribute(plain.replace(/["']/g, ""))).toBe(plain.replace(/["']/g, ""))
  })

  it("a DeleteObjects key with \\r is sent as \\r, not as the \\n a parser would read", () => {
    const key = "photos/a\rb\r\nc"
    const xml = `<Key>${escapeText(key)}</Key>`
    expect(xml).toBe("<Key>photos/a&#xD;b&#xD;&#xA;c</Key>")
    expect(parseXml(xml).text).toBe(key)
  })
})

describe("entities and references (issue 26)", () => {
  it.each([
    ["&amp;", "&"],
    ["&lt;", "<"],
    ["&gt;", ">"],
    ["&quot;", '"'],
    ["&apos;", "'"],
    ["&#65;", "A"],
    ["&#x41;", "A"],
    ["&#X41;", "A"],
    ["&#x4e2D;", "中"],
    ["&#xD7FF;", "\uD7FF"],
    ["&#xE000;", "\uE000"],
    ["&#x10FFFF;", "\u{10FFFF}"],
    ["&#0000000065;", "A"]
  ])("%s decodes to %j", (entity, text) => {
    expect(decodeEntities(entity)).toBe(text)
    expect(decodeEntities(`a${entity}b${entity}c`)).toBe(`a${text}b${text}c`)
  })

  it.each([
    ["&#xD800;", "unknown or invalid entity &#xD800;"],
    ["&#xDFFF;", "unknown or invalid entity &#xDFFF;"],
    ["&#x110000;", "unknown or invalid entity &#x110000;"],
    ["&#x;", "unknown or invalid entity &#x;"],
    ["&#;", "unknown or invalid entity &#;"],
    ["&#xG1;", "unknown or invalid entity &#xG1;"],
    ["&#1a;", "unknown or invalid entity &#1a;"],
    ["&#-1;", "unknown or invalid entity &#-1;"],
    ["&AMP;", "unknown or invalid entity &AMP;"],
    ["&x41;", "unknown or invalid entity &x41;"],
    ["&;", "unknown or invalid entity &;"],
    ["&amp", "unterminated entity reference"],
    ["&#00000000065;", "unterminated entity reference"]
  ])("%s is refused: %s", (entity, reason) => {
    try {
      decodeEntities(`xy${entity}`, 100)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(XmlParseError)
      expect((e as XmlParseError).reason).toBe(reason)
      expect((e as XmlParseError).position).toBe(102)
      expect((e as XmlParseError).message).toBe(`${reason} at offset 102`)
      expect((e as XmlParseError).name).toBe("XmlParseError")
    }
  })
})

describe("parseXml, rule by rule (issue 26)", () => {
  const refusal = (xml: string): readonly [string, number] => {
    try {
      parseXml(xml)
    } catch (e) {
      if (e instanceof XmlParseError) return [e.reason, e.position]
      throw e
    }
    throw new Error(`accepted: ${xml}`)
  }

  it.each([
    ["<a></a", "unterminated end tag", 3],
    ["<a><b></a>", "unexpected end tag </a> (expected </b>)", 6],
    ["<a/></a>", "unexpected end tag </a>", 4],
    ["<a><!-- x </a>", "unterminated comment", 3],
    ["<a><![CDATA[ x </a>", "unterminated CDATA section", 3],
    ["<![CDATA[x]]><a/>", "CDATA outside the root element", 0],
    ["<a><!ENTITY x></a>", "DOCTYPE and other markup declarations are not accepted", 3],
    ["<a><?pi </a>", "unterminated processing instruction", 3],
    ["<a>< b/></a>", "invalid start tag", 3],
    ["<a/><b/>", "more than one root element", 4],
    ['<a ="1"/>', "malformed tag <a>", 3],
    ["<a x/>", "attribute x has no value", 4],
    ["<a x=1/>", "attribute x is not quoted", 5],
    ['<a x="1/>', "unterminated attribute x", 5],
    ["<a><b>", "unclosed element <b>", 6],
    ["<!-- only a comment -->", "no root element", 0],
    ["", "no root element", 0],
    ["x<a/>", "text outside the root element", 0],
    ["<a>&bogus;</a>", "unknown or invalid entity &bogus;", 3],
    ['<a v="&bogus;"/>', "unknown or invalid entity &bogus;", 6]
  ])("%j: %s at %d", (xml, reason, position) => {
    expect(refusal(xml)).toEqual([reason, position])
  })

  it("takes space, tab, CR and LF between names and attributes, and around '='", () => {
    const root = parseXml(`<a\tx = "1"\ny\r='2'\r\n z="3" ><b\n/><c\t></c\r\n></a\t>`)
    expect(root.attributes).toEqual({ x: "1", y: "2", z: "3" })
    expect(root.children.map((c) => c.name)).toEqual(["b", "c"])
  })

  it("ends names at '>', '/', '=' and '<'", () => {
    expect(parseXml("<a><b/><c>t</c></a>").children.map((c) => [c.name, c.text])).toEqual([
      ["b", ""],
      ["c", "t"]
    ])
    expect(parseXml('<a x="1"/>').attributes).toEqual({ x: "1" })
    expect(parseXml('<a x="1" y="2"/>').attributes).toEqual({ x: "1", y: "2" })
  })

  it("accepts white space around the root, text around children, and CDATA and entities mixed", () => {
    const root = parseXml(' \n<?xml version="1.0"?>\n<a>x<b/>y<![CDATA[&lt;]]>&lt;z</a>\n ')
    expect(root.text).toBe("xy&lt;<z")
    expect(root.attributes).toBeUndefined()
  })

  it("localName drops the prefix", () => {
    expect(localName("s3:Key")).toBe("Key")
    expect(localName("Key")).toBe("Key")
    expect(localName("a:b:c")).toBe("b:c")
  })
})
