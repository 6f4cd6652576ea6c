import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Endpoints from "../../../src/Endpoints/index.js"

const ok = (
  r: Either.Either<Endpoints.ResolvedEndpoint, Endpoints.EndpointError>
): Endpoints.ResolvedEndpoint => {
  if (Either.isLeft(r)) throw new Error(`expected an endpoint, got: ${r.left.message}`)
  return r.right
}
const err = (
  r: Either.Either<Endpoints.ResolvedEndpoint, Endpoints.EndpointError>
): Endpoints.EndpointError => {
  if (Either.isRight(r)) throw new Error(`expected an error, got: ${r.right.url}`)
  return r.left
}

const regional: Endpoints.RuleSet = {
  version: "1.0",
  parameters: {
    Region: { type: "string", builtIn: "AWS::Region", required: true },
    UseFIPS: { type: "boolean", builtIn: "AWS::UseFIPS", required: true, default: false },
    Bucket: { type: "string" },
    Tags: { type: "stringArray", default: ["t1", "t2"], required: true }
  },
  rules: [
    {
      type: "tree",
      conditions: [{ fn: "aws.partition", argv: [{ ref: "Region" }], assign: "P" }],
      rules: [
        {
          type: "error",
          conditions: [
            { fn: "booleanEquals", argv: [{ ref: "UseFIPS" }, true] },
            { fn: "not", argv: [{ fn: "getAttr", argv: [{ ref: "P" }, "supportsFIPS"] }] }
          ],
          error: "no FIPS in {P#name}"
        },
        {
          type: "endpoint",
          conditions: [
            { fn: "isSet", argv: [{ ref: "Bucket" }] },
            { fn: "aws.isVirtualHostableS3Bucket", argv: [{ ref: "Bucket" }, false] }
          ],
          endpoint: {
            url: "https://{Bucket}.svc.{Region}.{P#dnsSuffix}",
            properties: {
              authSchemes: [{ name: "sigv4", signingName: "svc", signingRegion: "{Region}" }],
              fixed: { a: [1, true, "x"] },
              literalBraces: "{{not a ref}}"
            },
            headers: { "x-tag": ["{Tags#[0]}", { fn: "getAttr", argv: [{ ref: "Tags" }, "[1]"] }] }
          }
        },
        {
          type: "endpoint",
          conditions: [{ fn: "stringEquals", argv: [{ ref: "Region" }, "local"] }],
          endpoint: { url: "http://localhost:8000" }
        },
        {
          type: "tree",
          conditions: [{ fn: "booleanEquals", argv: [{ ref: "UseFIPS" }, true] }],
          rules: [
            {
              type: "endpoint",
              conditions: [
                { fn: "stringEquals", argv: [{ fn: "getAttr", argv: [{ ref: "P" }, "name"] }, "aws"] }
              ],
              endpoint: { url: "https://svc-fips.{Region}.{P#dnsSuffix}" }
            }
          ]
        },
        { type: "endpoint", conditions: [], endpoint: { url: "https://svc.{Region}.{P#dnsSuffix}" } }
      ]
    }
  ]
}

describe("compileRuleSet", () => {
  const resolver = Endpoints.compile(regional)

  it("resolves url, templated properties and headers", () => {
    const e = ok(resolver.resolve({ Region: "us-west-2", Bucket: "my-bucket" }))
    expect(e.url).toBe("https://my-bucket.svc.us-west-2.amazonaws.com")
    expect(e.properties).toEqual({
      authSchemes: [{ name: "sigv4", signingName: "svc", signingRegion: "us-west-2" }],
      fixed: { a: [1, true, "x"] },
      literalBraces: "{not a ref}"
    })
    expect(e.headers).toEqual({ "x-tag": ["t1", "t2"] })
    expect(ok(resolver.resolve({ Region: "cn-north-1" })).url).toBe("https://svc.cn-north-1.amazonaws.com.cn")
    expect(ok(resolver.resolve({ Region: "local" })).url).toBe("http://localhost:8000")
    expect(ok(resolver.resolve({ Region: "us-east-1", Bucket: "Not_Hostable" })).url).toBe(
      "https://svc.us-east-1.amazonaws.com"
    )
    expect(ok(resolver.resolve({ Region: "us-east-1", Tags: ["a", "b"], Bucket: "bbb" })).headers).toEqual({
      "x-tag": ["a", "b"]
    })
  })

  it("returns empty properties and headers when the rule has none", () => {
    const e = ok(resolver.resolve({ Region: "us-east-1" }))
    expect(e.properties).toEqual({})
    expect(e.headers).toEqual({})
  })

  it("applies defaults and reports missing or mistyped parameters by name", () => {
    expect(ok(resolver.resolve({ Region: "us-east-1", UseFIPS: true })).url).toBe(
      "https://svc-fips.us-east-1.amazonaws.com"
    )
    const missing = err(resolver.resolve({}))
    expect(missing._tag).toBe("EndpointError")
    expect(missing.message).toBe("Missing required parameter: 'Region'")
    expect(missing.parameter).toBe("Region")
    const mistyped = err(resolver.resolve({ Region: "us-east-1", UseFIPS: "yes" }))
    expect(mistyped.message).toContain("'UseFIPS'")
    expect(err(resolver.resolve({ Region: "us-east-1", Tags: ["a", true] as never })).parameter).toBe("Tags")
  })

  it("evaluates error templates and fails when a matched tree has no matching rule", () => {
    const table = Endpoints.makePartitionTable({
      partitions: [
        {
          id: "aws",
          regionRegex: "^x-\\w+-\\d+$",
          outputs: { ...Endpoints.partitionById("aws")!.outputs, supportsFIPS: false },
          regions: {}
        },
        {
          id: "other",
          regionRegex: "^o-\\w+-\\d+$",
          outputs: { ...Endpoints.partitionById("aws")!.outputs, name: "other" },
          regions: {}
        }
      ]
    })
    const custom = Endpoints.compile(regional, { partitions: table })
    expect(err(custom.resolve({ Region: "x-east-1", UseFIPS: true })).message).toBe("no FIPS in aws")
    expect(err(custom.resolve({ Region: "o-east-1", UseFIPS: true })).message).toBe(
      "No endpoint rule matched the parameters"
    )
  })

  it("is an Effect through its Either", () =>
    Effect.gen(function* () {
      const e = yield* resolver.resolve({ Region: "eu-west-1" })
      expect(e.url).toBe("https://svc.eu-west-1.amazonaws.com")
      const failure = yield* Effect.flip(resolver.resolve({}))
      expect(failure._tag).toBe("EndpointError")
    }).pipe(Effect.runSync))

  it("exposes parameters and built-ins for binding", () => {
    expect(resolver.builtIns).toEqual({ "AWS::Region": "Region", "AWS::UseFIPS": "UseFIPS" })
    expect(Object.keys(resolver.parameters)).toEqual(["Region", "UseFIPS", "Bucket", "Tags"])
  })

  it("accepts extra functions", () => {
    const rs: Endpoints.RuleSet = {
      version: "1.0",
      parameters: { Name: { type: "string", required: true } },
      rules: [
        {
          type: "endpoint",
          conditions: [{ fn: "custom.upper", argv: [{ ref: "Name" }], assign: "U" }],
          endpoint: { url: "https://{U}.example.com" }
        }
      ]
    }
    const r = Endpoints.compile(rs, {
      functions: { "custom.upper": (v) => (typeof v === "string" ? v.toUpperCase() : undefined) }
    })
    expect(ok(r.resolve({ Name: "abc" })).url).toBe("https://ABC.example.com")
  })

  it("rejects malformed rule sets when compiling", () => {
    const base = { version: "1.0", parameters: { A: { type: "string" as const } } }
    const endpoint = (conditions: ReadonlyArray<Endpoints.Condition>, url = "https://x") => ({
      ...base,
      rules: [{ type: "endpoint" as const, conditions, endpoint: { url } }]
    })
    expect(() => Endpoints.compile(endpoint([{ fn: "nope", argv: [] }]))).toThrow(/unknown function 'nope'/)
    expect(() => Endpoints.compile(endpoint([{ fn: "isSet", argv: [{ ref: "B" }] }]))).toThrow(
      /'B' is not in scope/
    )
    expect(() => Endpoints.compile(endpoint([], "https://{B}"))).toThrow(/'B' is not in scope/)
    expect(() => Endpoints.compile(endpoint([], "https://{A"))).toThrow(/unclosed/)
    expect(() =>
      Endpoints.compile(
        endpoint([
          { fn: "isSet", argv: [{ ref: "A" }], assign: "X" },
          { fn: "isSet", argv: [{ ref: "A" }], assign: "X" }
        ])
      )
    ).toThrow(/assigned twice/)
    expect(() =>
      Endpoints.compile({
        ...base,
        rules: [{ type: "weird", conditions: [] }]
      } as unknown as Endpoints.RuleSet)
    ).toThrow(/unknown rule type/)
    expect(() =>
      Endpoints.compile({
        version: "1.0",
        parameters: { A: { type: "int" } },
        rules: []
      } as unknown as Endpoints.RuleSet)
    ).toThrow(/unknown type/)
    expect(() =>
      Endpoints.compile({ version: "1.0", parameters: { A: { type: "boolean", default: "x" } }, rules: [] })
    ).toThrow(/default/)
  })

  it("does not let an assignment leak into a sibling rule", () => {
    const rs = {
      version: "1.0",
      parameters: { A: { type: "string" as const } },
      rules: [
        {
          type: "endpoint" as const,
          conditions: [{ fn: "isSet", argv: [{ ref: "A" }], assign: "X" }],
          endpoint: { url: "https://a" }
        },
        { type: "endpoint" as const, conditions: [], endpoint: { url: "https://{X}" } }
      ]
    }
    expect(() => Endpoints.compile(rs)).toThrow(/'X' is not in scope/)
  })

  it("fails with a clear message when no rule matches", () => {
    const r = Endpoints.compile({
      version: "1.0",
      parameters: { A: { type: "string" } },
      rules: [
        {
          type: "endpoint",
          conditions: [{ fn: "isSet", argv: [{ ref: "A" }] }],
          endpoint: { url: "https://{A}" }
        }
      ]
    })
    expect(err(r.resolve({})).message).toBe("No endpoint rule matched the parameters")
    expect(ok(r.resolve({ A: "x.example" })).url).toBe("https://x.example")
  })
})

describe("compileDecisionDiagram", () => {
  // isSet(Endpoint) ? Endpoint : (UseFIPS ? fips : plain), with a complemented edge.
  const bdd: Endpoints.DecisionDiagram = {
    parameters: {
      Region: { type: "string", required: true, default: "us-east-1" },
      UseFIPS: { type: "boolean", required: true, default: false },
      Endpoint: { type: "string" }
    },
    conditions: [
      ["isSet", [{ ref: "Endpoint" }]],
      ["booleanEquals", [{ ref: "UseFIPS" }, true]],
      ["aws.partition", [{ ref: "Region" }], "P"]
    ],
    results: [
      [-1],
      [{ ref: "Endpoint" }, {}],
      ["https://svc-fips.{Region}.{P#dnsSuffix}", {}],
      ["https://svc.{Region}.{P#dnsSuffix}", { authSchemes: [{ name: "sigv4", signingRegion: "{Region}" }] }],
      [-1, "no partition for {Region}"]
    ],
    // node 1 terminal; node 2: c0 ? r1 : node 3; node 3: c2 ? -node 4 : r4; -node 4: NOT c1 ? r3 : r2
    nodes: [-1, 1, -1, 0, 100_000_001, 3, 2, -4, 100_000_004, 1, 100_000_003, 100_000_002],
    root: 2
  }
  const r = Endpoints.compile(bdd)

  it("walks the diagram, complemented edges included", () => {
    expect(ok(r.resolve({ Endpoint: "https://custom" })).url).toBe("https://custom")
    expect(ok(r.resolve({ Region: "eu-west-1", UseFIPS: true })).url).toBe(
      "https://svc-fips.eu-west-1.amazonaws.com"
    )
    const plain = ok(r.resolve({ Region: "eu-west-1" }))
    expect(plain.url).toBe("https://svc.eu-west-1.amazonaws.com")
    expect(plain.properties).toEqual({ authSchemes: [{ name: "sigv4", signingRegion: "eu-west-1" }] })
    expect(ok(r.resolve({})).url).toBe("https://svc.us-east-1.amazonaws.com")
  })

  it("compiles a condition or result when first reached: a malformed one fails those resolutions only", () => {
    const broken = Endpoints.compile({
      ...bdd,
      conditions: [bdd.conditions[0]!, ["nope", [{ ref: "UseFIPS" }]], bdd.conditions[2]!],
      results: [...bdd.results.slice(0, 3), ["https://{P#dnsSuffix", {}], bdd.results[4]!]
    })
    expect(ok(broken.resolve({ Endpoint: "https://custom" })).url).toBe("https://custom")
    expect(err(broken.resolve({ Region: "eu-west-1" })).message).toMatch(/unknown function 'nope'/)
    const unclosed = Endpoints.compile({
      ...bdd,
      results: [...bdd.results.slice(0, 3), ["https://{P", {}], bdd.results[4]!]
    })
    expect(ok(unclosed.resolve({ Region: "eu-west-1", UseFIPS: true })).url).toBe(
      "https://svc-fips.eu-west-1.amazonaws.com"
    )
    expect(err(unclosed.resolve({ Region: "eu-west-1" })).message).toMatch(/unclosed/)
    expect(err(unclosed.resolve({ Region: "eu-west-1" })).message).toMatch(/unclosed/)
  })

  it("rejects nodes that point nowhere", () => {
    expect(() => Endpoints.compile({ ...bdd, nodes: [-1, 1, -1, 7, 1, -1] })).toThrow(/condition/)
    expect(() => Endpoints.compile({ ...bdd, nodes: [-1, 1, -1, 0, 100_000_009, 1] })).toThrow(/points/)
  })
})
