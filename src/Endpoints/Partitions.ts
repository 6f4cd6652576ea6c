/**
 * AWS partitions (`aws`, `aws-cn`, `aws-us-gov`, the ISO partitions, ...) and their regions: which
 * partition a region belongs to, which regions a partition has, its DNS suffixes and whether it
 * supports FIPS and dual-stack endpoints. The same table backs the rules engine's `aws.partition`.
 *
 * @since 0.1.0
 */
import { type PartitionId, partitionsData, type RegionId } from "./PartitionsData.js"

/** What `aws.partition` returns for a region: the partition's outputs (with any per-region overrides). */
export interface PartitionOutputs {
  /** The partition id (`aws`, `aws-cn`, ...). */
  readonly name: string
  readonly dnsSuffix: string
  readonly dualStackDnsSuffix: string
  readonly supportsFIPS: boolean
  readonly supportsDualStack: boolean
  /** The region that global endpoints of this partition sign for. */
  readonly implicitGlobalRegion: string
}

/** One partition. */
export interface Partition {
  readonly id: string
  /** Matches the region ids of this partition, including regions not yet in the table. */
  readonly regionRegex: RegExp
  readonly outputs: PartitionOutputs
  /** The known regions, sorted. */
  readonly regions: ReadonlyArray<string>
}

/** The document shape of `partitions.json` (Smithy / botocore), which `makePartitionTable` accepts. */
export interface PartitionsDocument {
  readonly partitions: ReadonlyArray<{
    readonly id: string
    readonly regionRegex: string
    readonly outputs: PartitionOutputs
    readonly regions: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  }>
}

/** A partition table with its lookups; immutable. */
export interface PartitionTable {
  readonly partitions: ReadonlyArray<Partition>
  /** The partition with this id. */
  readonly byId: (id: string) => Partition | undefined
  /**
   * The partition of a region: a known region's own partition, else the first whose regex matches,
   * else `aws` (as `aws.partition` does).
   */
  readonly forRegion: (region: string) => Partition
  /** `aws.partition(region)`: the outputs of `forRegion(region)` with the region's overrides applied. */
  readonly outputsFor: (region: string) => PartitionOutputs
  /** The region's description (`"US West (Oregon)"`) when the table knows the region. */
  readonly describe: (region: string) => string | undefined
  /** True when the region id is in the table (regex matches do not count). */
  readonly knows: (region: string) => boolean
}

/**
 * Builds a partition table from a `partitions.json`-shaped document (for tests, or a newer table
 * than the built-in one). Results are frozen and shared: callers must not mutate them.
 */
export const makePartitionTable = (doc: PartitionsDocument): PartitionTable => {
  const partitions: Array<Partition> = []
  const byRegion = new Map<
    string,
    { partition: Partition; outputs: PartitionOutputs; description?: string }
  >()
  const byId = new Map<string, Partition>()
  for (const p of doc.partitions) {
    const outputs: PartitionOutputs = Object.freeze({ ...p.outputs })
    const partition: Partition = Object.freeze({
      id: p.id,
      regionRegex: new RegExp(p.regionRegex),
      outputs,
      regions: Object.freeze(Object.keys(p.regions).sort())
    })
    partitions.push(partition)
    if (!byId.has(p.id)) byId.set(p.id, partition)
    for (const [region, data] of Object.entries(p.regions)) {
      if (byRegion.has(region)) continue
      const { description, ...overrides } = data
      const regionOutputs =
        Object.keys(overrides).length === 0
          ? outputs
          : (Object.freeze({ ...outputs, ...overrides }) as PartitionOutputs)
      byRegion.set(region, {
        partition,
        outputs: regionOutputs,
        ...(typeof description === "string" ? { description } : {})
      })
    }
  }
  const fallback = byId.get("aws") ?? partitions[0]
  if (fallback === undefined) throw new Error("a partition table needs at least one partition")
  const forRegion = (region: string): Partition => {
    const known = byRegion.get(region)
    if (known) return known.partition
    for (const p of partitions) if (p.regionRegex.test(region)) return p
    return fallback
  }
  return Object.freeze({
    partitions: Object.freeze(partitions),
    byId: (id: string) => byId.get(id),
    forRegion,
    outputsFor: (region: string) => byRegion.get(region)?.outputs ?? forRegion(region).outputs,
    describe: (region: string) => byRegion.get(region)?.description,
    knows: (region: string) => byRegion.has(region)
  })
}

/** The partition table generated from `@aws-sdk/core` (see `PartitionsData.ts` for the version). */
export const defaultPartitions: PartitionTable = makePartitionTable(partitionsData)

/**
 * The partition a region is in: exact match on the known regions, then the partitions' region
 * regexes (so `us-east-10` is `aws` and `cn-north-5` is `aws-cn`), else `aws`.
 *
 * @example
 * ```ts
 * Endpoints.partitionOf("us-gov-west-1").id // "aws-us-gov"
 * ```
 */
export const partitionOf = (region: string): Partition => defaultPartitions.forRegion(region)

/** The partition with this id, if any. */
export const partitionById = (id: PartitionId | (string & {})): Partition | undefined =>
  defaultPartitions.byId(id)

/** The known regions of a partition (empty for an unknown partition id). */
export const regionsOf = (partitionId: PartitionId | (string & {})): ReadonlyArray<string> =>
  defaultPartitions.byId(partitionId)?.regions ?? []

/** True when the region id is in the partition table (regex matches do not count). */
export const isKnownRegion = (region: string): region is RegionId => defaultPartitions.knows(region)

/** The description of a known region (`"US West (Oregon)"`). */
export const regionDescription = (region: string): string | undefined => defaultPartitions.describe(region)

/** The DNS suffix of the region's partition (`amazonaws.com`, `amazonaws.com.cn`, ...). */
export const dnsSuffix = (region: string): string => defaultPartitions.outputsFor(region).dnsSuffix

/** The dual-stack DNS suffix of the region's partition (`api.aws`, ...). */
export const dualStackDnsSuffix = (region: string): string =>
  defaultPartitions.outputsFor(region).dualStackDnsSuffix

/** Whether the region's partition has FIPS endpoints. */
export const supportsFIPS = (region: string): boolean => defaultPartitions.outputsFor(region).supportsFIPS

/** Whether the region's partition has dual-stack endpoints. */
export const supportsDualStack = (region: string): boolean =>
  defaultPartitions.outputsFor(region).supportsDualStack
