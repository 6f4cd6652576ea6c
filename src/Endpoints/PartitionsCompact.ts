/**
 * The decoder of the partition table's compact form (internal to `PartitionsData.ts`).
 *
 * @since 0.1.0
 */

/**
 * Builds the partition table from the compact form `codegen/partitions.ts` writes into
 * `PartitionsData.ts`, JSON: per partition `[id, regionRegex, name, dnsSuffix,
 * dualStackDnsSuffix, supportsFIPS (0/1), supportsDualStack (0/1), implicitGlobalRegion, regions]`,
 * regions a flat list of region id then its description (or all its fields, when it has more).
 * `Table` is the literal type `partitionsData` declares (inferred from it), generated from the
 * same source as the compact text.
 */
export function expandPartitions<Table>(source: string, text: string): Table {
  const partitions = JSON.parse(text) as ReadonlyArray<
    readonly [string, string, string, string, string, number, number, string, ReadonlyArray<string | object>]
  >
  const table = {
    source,
    partitions: partitions.map(
      ([id, regionRegex, name, dnsSuffix, dualStackDnsSuffix, fips, dual, global, list]) => {
        const regions: Record<string, object> = {}
        for (let i = 0; i < list.length; i += 2) {
          const value = list[i + 1]!
          regions[list[i] as string] = typeof value === "string" ? { description: value } : value
        }
        return {
          id,
          regionRegex,
          outputs: {
            name,
            dnsSuffix,
            dualStackDnsSuffix,
            supportsFIPS: fips === 1,
            supportsDualStack: dual === 1,
            implicitGlobalRegion: global
          },
          regions
        }
      }
    )
  }
  return table as unknown as Table
}
