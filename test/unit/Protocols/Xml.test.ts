/**
 * The XML reader against fast-xml-parser (the reference parser) on the inputs that trip parsers
 * up, plus a property test over generated documents; and what the reader refuses.
 */
import * as fc from "fast-check"
import { XMLParser } from "fast-xml-parser"
import { describe, expect, it } from "vitest"
import {
  escapeAttribute,
  escapeText,
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
