import * as fs from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Endpoints from "../../../src/Endpoints/index.js"
import { dataPath } from "../../conformance/Report.js"

const url = (r: Either.Either<Endpoints.ResolvedEndpoint, Endpoints.EndpointError>): string =>
  Either.isRight(r) ? r.right.url : `error: ${r.left.message}`

describe("fallbackResolver", () => {
  const dynamo = Endpoints.fallbackResolver({ endpointPrefix: "dynamodb" })

  it("builds the standard regional endpoints and their variants", () => {
    expect(url(dynamo.resolve({ Region: "eu-west-1" }))).toBe("https://dynamodb.eu-west-1.amazonaws.com")
    expect(url(dynamo.resolve({ Region: "eu-west-1", UseFIPS: true }))).toBe(
      "https://dynamodb-fips.eu-west-1.amazonaws.com"
    )
    expect(url(dynamo.resolve({ Region: "eu-west-1", UseDualStack: true }))).toBe(
      "https://dynamodb.eu-west-1.api.aws"
    )
    expect(url(dynamo.resolve({ Region: "eu-west-1", UseFIPS: true, UseDualStack: true }))).toBe(
      "https://dynamodb-fips.eu-west-1.api.aws"
    )
    expect(url(dynamo.resolve({ Region: "cn-north-1" }))).toBe("https://dynamodb.cn-north-1.amazonaws.com.cn")
    expect(url(dynamo.resolve({ Region: "us-east-10" }))).toBe("https://dynamodb.us-east-10.amazonaws.com")
  })

  it("uses a custom endpoint as is, and rejects it with FIPS or dual-stack", () => {
    expect(url(dynamo.resolve({ Region: "eu-west-1", Endpoint: "http://127.0.0.1:8000" }))).toBe(
      "http://127.0.0.1:8000"
    )
    expect(url(dynamo.resolve({ Endpoint: "http://127.0.0.1:8000", UseFIPS: true }))).toBe(
      "error: Invalid Configuration: FIPS and custom endpoint are not supported"
    )
    expect(url(dynamo.resolve({ Endpoint: "http://127.0.0.1:8000", UseDualStack: true }))).toBe(
      "error: Invalid Configuration: Dualstack and custom endpoint are not supported"
    )
    expect(url(dynamo.resolve({}))).toBe("error: Invalid Configuration: Missing Region")
  })

  it("fails for variants a partition lacks", () => {
    const table = Endpoints.makePartitionTable({
      partitions: [
        {
          id: "aws",
          regionRegex: "^x-\\w+-\\d+$",
          outputs: {
            ...Endpoints.partitionById("aws")!.outputs,
            supportsFIPS: false,
            supportsDualStack: false
          },
          regions: {}
        }
      ]
    })
    const r = Endpoints.fallbackResolver({ endpointPrefix: "svc" }, { partitions: table })
    expect(url(r.resolve({ Region: "x-east-1", UseFIPS: true }))).toBe(
      "error: FIPS is enabled but this partition does not support FIPS"
    )
    expect(url(r.resolve({ Region: "x-east-1", UseDualStack: true }))).toBe(
      "error: DualStack is enabled but this partition does not support DualStack"
    )
    expect(url(r.resolve({ Region: "x-east-1", UseDualStack: true, UseFIPS: true }))).toBe(
      "error: FIPS and DualStack are enabled, but this partition does not support one or both"
    )
  })

  it("sends global services to their global endpoint, signed for its region", () => {
    const iam = Endpoints.fallbackResolver({
      endpointPrefix: "iam",
      global: {
        aws: { hostname: "iam.amazonaws.com", signingRegion: "us-east-1" },
        "aws-cn": { hostname: "iam.cn-north-1.amazonaws.com.cn", signingRegion: "cn-north-1" }
      }
    })
    const e = iam.resolve({ Region: "eu-west-1" })
    expect(url(e)).toBe("https://iam.amazonaws.com")
    expect(Either.getOrThrow(e).properties).toEqual({
      authSchemes: [{ name: "sigv4", signingName: "iam", signingRegion: "us-east-1" }]
    })
    expect(url(iam.resolve({ Region: "cn-northwest-1" }))).toBe("https://iam.cn-north-1.amazonaws.com.cn")
    expect(url(iam.resolve({ Region: "us-gov-west-1" }))).toBe("https://iam.us-gov-west-1.amazonaws.com")
    expect(url(iam.resolve({ Region: "eu-west-1", UseFIPS: true }))).toBe(
      "https://iam-fips.eu-west-1.amazonaws.com"
    )
  })

  it("keeps braces in data literal", () => {
    const r = Endpoints.fallbackResolver({ endpointPrefix: "we{ird}" })
    expect(url(r.resolve({ Region: "us-east-1" }))).toBe("https://we{ird}.us-east-1.amazonaws.com")
  })

  // The fallback against the real rule sets of two services it can stand for, over every region.
  const services = [
    { name: "dynamodb", service: { endpointPrefix: "dynamodb", fipsIsDefault: ["aws-us-gov"] } },
    {
      name: "sts",
      service: {
        endpointPrefix: "sts",
        fipsIsDefault: ["aws-us-gov"],
        global: {
          aws: { hostname: "sts.amazonaws.com", signingRegion: "us-east-1", regions: ["aws-global"] }
        }
      }
    }
  ] as const
  for (const { name, service } of services) {
    const file = `endpoints/services/${name}/endpoint-rule-set-1.json`
    it(`matches the ${name} rule set on every region x FIPS x dual-stack`, () => {
      const real = Endpoints.compile(JSON.parse(fs.readFileSync(dataPath(file), "utf8")) as Endpoints.RuleSet)
      const fallback = Endpoints.fallbackResolver(service)
      const show = (r: Either.Either<Endpoints.ResolvedEndpoint, Endpoints.EndpointError>) =>
        Either.isRight(r) ? { url: r.right.url, properties: r.right.properties } : { error: r.left.message }
      const regions = [
        ...Endpoints.defaultPartitions.partitions.flatMap((p) => p.regions),
        "us-east-10",
        "cn-north-5",
        "us-gov-east-9",
        "mars-1"
      ]
      let compared = 0
      for (const Region of regions) {
        for (const UseFIPS of [false, true]) {
          for (const UseDualStack of [false, true]) {
            const params = { Region, UseFIPS, UseDualStack }
            expect(show(fallback.resolve(params)), JSON.stringify(params)).toEqual(show(real.resolve(params)))
            compared++
          }
        }
      }
      for (const params of [
        { Endpoint: "https://x.example" },
        { Endpoint: "https://x.example", UseFIPS: true },
        {}
      ]) {
        expect(show(fallback.resolve(params))).toEqual(show(real.resolve(params)))
      }
      expect(compared).toBeGreaterThan(200)
    })
  }
})
