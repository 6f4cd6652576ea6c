import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import * as Endpoints from "../../../src/Endpoints/index.js"

describe("region and partition constants", () => {
  it("exports region ids and partition ids", () => {
    expect(Endpoints.UsWest2RegionId).toBe("us-west-2")
    expect(Endpoints.UsEast1RegionId).toBe("us-east-1")
    expect(Endpoints.CnNorthwest1RegionId).toBe("cn-northwest-1")
    expect(Endpoints.UsGovWest1RegionId).toBe("us-gov-west-1")
    expect(Endpoints.UsIsobEast1RegionId).toBe("us-isob-east-1")
    expect(Endpoints.AwsGlobalRegionId).toBe("aws-global")
    expect(Endpoints.AwsPartitionId).toBe("aws")
    expect(Endpoints.AwsUsGovPartitionId).toBe("aws-us-gov")
    const region: Endpoints.RegionId = Endpoints.EuWest1RegionId
    expect(region).toBe("eu-west-1")
  })

  it("has a constant for every region of every partition", () => {
    const all = Endpoints.partitionsData.partitions.flatMap((p) => Object.keys(p.regions))
    const exported = new Set<unknown>(
      Object.entries(Endpoints)
        .filter(([k]) => k.endsWith("RegionId"))
        .map(([, v]) => v)
    )
    for (const r of all) expect(exported.has(r), r).toBe(true)
  })
})

describe("partition lookups", () => {
  it("finds the partition of known regions", () => {
    expect(Endpoints.partitionOf("us-west-2").id).toBe("aws")
    expect(Endpoints.partitionOf("cn-north-1").id).toBe("aws-cn")
    expect(Endpoints.partitionOf("us-gov-east-1").id).toBe("aws-us-gov")
    expect(Endpoints.partitionOf("us-iso-east-1").id).toBe("aws-iso")
    expect(Endpoints.partitionOf("aws-cn-global").id).toBe("aws-cn")
  })

  it("matches unknown regions by regex, else falls back to aws", () => {
    expect(Endpoints.partitionOf("us-east-10").id).toBe("aws")
    expect(Endpoints.partitionOf("cn-north-5").id).toBe("aws-cn")
    expect(Endpoints.partitionOf("us-gov-central-7").id).toBe("aws-us-gov")
    expect(Endpoints.partitionOf("us-isof-west-9").id).toBe("aws-iso-f")
    expect(Endpoints.partitionOf("mars-global").id).toBe("aws")
    expect(Endpoints.partitionOf("").id).toBe("aws")
  })

  it("lists regions, suffixes and capabilities", () => {
    expect(Endpoints.regionsOf("aws-cn")).toEqual(["aws-cn-global", "cn-north-1", "cn-northwest-1"])
    expect(Endpoints.regionsOf("aws")).toContain("us-west-2")
    expect(Endpoints.regionsOf("nope")).toEqual([])
    expect(Endpoints.partitionById("aws-iso-b")?.outputs.dnsSuffix).toBe("sc2s.sgov.gov")
    expect(Endpoints.partitionById("nope")).toBeUndefined()
    expect(Endpoints.dnsSuffix("cn-north-1")).toBe("amazonaws.com.cn")
    expect(Endpoints.dualStackDnsSuffix("us-west-2")).toBe("api.aws")
    expect(Endpoints.dualStackDnsSuffix("cn-north-1")).toBe("api.amazonwebservices.com.cn")
    expect(Endpoints.supportsFIPS("us-gov-west-1")).toBe(true)
    expect(Endpoints.supportsDualStack("eu-central-1")).toBe(true)
    expect(Endpoints.isKnownRegion("us-west-2")).toBe(true)
    expect(Endpoints.isKnownRegion("us-east-10")).toBe(false)
    expect(Endpoints.regionDescription("us-west-2")).toBe("US West (Oregon)")
    expect(Endpoints.regionDescription("us-east-10")).toBeUndefined()
  })

  it("applies per-region overrides of a custom table", () => {
    const outputs = {
      name: "test",
      dnsSuffix: "example.com",
      dualStackDnsSuffix: "dual.example.com",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "t-east-1"
    }
    const table = Endpoints.makePartitionTable({
      partitions: [
        {
          id: "test",
          regionRegex: "^t\\-\\w+\\-\\d+$",
          outputs,
          regions: { "t-east-1": { description: "East" }, "t-old-1": { supportsFIPS: false } }
        }
      ]
    })
    expect(table.outputsFor("t-east-1")).toEqual(outputs)
    expect(table.outputsFor("t-old-1").supportsFIPS).toBe(false)
    expect(table.outputsFor("t-new-2")).toEqual(outputs)
    expect(table.outputsFor("elsewhere").name).toBe("test") // no aws partition: the first one
    expect(table.describe("t-east-1")).toBe("East")
    expect(Object.isFrozen(table.outputsFor("t-old-1"))).toBe(true)
    expect(() => Endpoints.makePartitionTable({ partitions: [] })).toThrow()
  })

  it("the generated module is what codegen/partitions.ts makes now", () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
    const out = execFileSync(process.execPath, ["--import", "tsx", "codegen/partitions.ts", "--check"], {
      cwd: root,
      encoding: "utf8"
    })
    expect(out).toContain("up to date")
  })
})
