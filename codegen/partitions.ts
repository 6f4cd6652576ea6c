/**
 * Generates `src/Endpoints/PartitionsData.ts` from the partition table that `@aws-sdk/core` ships
 * (the data behind the rules engine's `aws.partition` function; the same document as
 * `partitions.json` in the Smithy / botocore repositories).
 *
 * `@aws-sdk/core` is a dev dependency only: it is the newest well-kept copy on the npm registry
 * (checked against `@aws-sdk/util-endpoints`, which now re-exports it, and the conformance copy,
 * which lacks two regions). Its file is an ES module `export const partitionsInfo = {...};` whose
 * object literal is plain JSON; it is read as text and validated here, so a change of format fails
 * the generation loudly instead of producing a wrong table.
 *
 *   npx tsx codegen/partitions.ts           write the module
 *   npx tsx codegen/partitions.ts --check   exit 1 when the checked-in module is stale
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

interface Outputs {
  readonly name: string
  readonly dnsSuffix: string
  readonly dualStackDnsSuffix: string
  readonly supportsFIPS: boolean
  readonly supportsDualStack: boolean
  readonly implicitGlobalRegion: string
}

interface SourcePartition {
  readonly id: string
  readonly regionRegex: string
  readonly outputs: Outputs
  readonly regions: Readonly<Record<string, Readonly<Record<string, unknown>>>>
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const target = path.join(root, "src/Endpoints/PartitionsData.ts")
const require = createRequire(import.meta.url)

const fail = (message: string): never => {
  throw new Error(`codegen/partitions: ${message}`)
}

const loadSource = (): { readonly version: string; readonly partitions: ReadonlyArray<SourcePartition> } => {
  const pkgJson = require.resolve("@aws-sdk/core/package.json")
  const pkgDir = path.dirname(pkgJson)
  const version = (JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { version: string }).version
  const file = path.join(pkgDir, "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js")
  if (!fs.existsSync(file)) fail(`${file} not found: has @aws-sdk/core moved its partition table?`)
  const text = fs.readFileSync(file, "utf8").trim()
  const prefix = "export const partitionsInfo ="
  if (!text.startsWith(prefix)) fail(`${file} does not start with '${prefix}'`)
  const body = text.slice(prefix.length).replace(/;\s*$/, "")
  const doc = JSON.parse(body) as { partitions?: unknown }
  if (!Array.isArray(doc.partitions)) fail("no partitions array")
  const partitions = doc.partitions as ReadonlyArray<SourcePartition>
  for (const p of partitions) {
    if (typeof p.id !== "string" || typeof p.regionRegex !== "string")
      fail("partition without id/regionRegex")
    new RegExp(p.regionRegex)
    const o = p.outputs
    if (
      typeof o?.name !== "string" ||
      typeof o.dnsSuffix !== "string" ||
      typeof o.dualStackDnsSuffix !== "string" ||
      typeof o.supportsFIPS !== "boolean" ||
      typeof o.supportsDualStack !== "boolean" ||
      typeof o.implicitGlobalRegion !== "string"
    ) {
      fail(`partition ${p.id}: unexpected outputs ${JSON.stringify(o)}`)
    }
    if (typeof p.regions !== "object" || p.regions === null) fail(`partition ${p.id}: no regions`)
  }
  return { version: `@aws-sdk/core@${version}`, partitions }
}

/** `us-iso-east-1` -> `UsIsoEast1`. */
const pascal = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter((s) => s.length > 0)
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join("")

/** A string literal as biome writes it: double quotes, unless single ones need fewer escapes. */
const literal = (text: string): string => {
  const double = text.split('"').length
  const single = text.split("'").length
  if (double <= single) return JSON.stringify(text)
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`
}

/** The decoder of the compact form, emitted into the module (biome-formatted as is). */
const EXPAND = `/**
 * Builds the table from its compact form, JSON: per partition \`[id, regionRegex, name, dnsSuffix,
 * dualStackDnsSuffix, supportsFIPS (0/1), supportsDualStack (0/1), implicitGlobalRegion, regions]\`,
 * regions a flat list of region id then its description (or all its fields, when it has more).
 * \`Table\` is the literal type \`partitionsData\` declares (inferred from it), generated from the
 * same source as the compact text.
 */
function expand<Table>(source: string, text: string): Table {
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
}`

const render = (source: ReturnType<typeof loadSource>): string => {
  // Source order is kept: `aws.partition` tries the region regexes in this order.
  const partitions = source.partitions
  const out: Array<string> = []
  out.push(`// generated by codegen, do not edit: npx tsx codegen/partitions.ts (source ${source.version})`)
  out.push("/**")
  out.push(
    " * The AWS partitions and their regions, as the endpoint rules' `aws.partition` function sees them."
  )
  out.push(" * Use the lookups in `Partitions.ts`; this module is data only.")
  out.push(" *")
  out.push(" * @since 0.1.0")
  out.push(" */")
  out.push("")
  // The value is written compactly (positional arrays, a region as its id and description) and
  // expanded on import; its type is the literal type the object would have `as const`.
  const q = JSON.stringify
  out.push(
    "/** The partition table: outputs, region regex and regions (with optional per-region overrides). */"
  )
  out.push("export const partitionsData: {")
  out.push(`  readonly source: ${q(source.version)}`)
  out.push("  readonly partitions: readonly [")
  partitions.forEach((p, i) => {
    const o = p.outputs
    out.push("    {")
    out.push(`      readonly id: ${q(p.id)}`)
    out.push(`      readonly regionRegex: ${q(p.regionRegex)}`)
    out.push("      readonly outputs: {")
    out.push(`        readonly name: ${q(o.name)}`)
    out.push(`        readonly dnsSuffix: ${q(o.dnsSuffix)}`)
    out.push(`        readonly dualStackDnsSuffix: ${q(o.dualStackDnsSuffix)}`)
    out.push(`        readonly supportsFIPS: ${o.supportsFIPS}`)
    out.push(`        readonly supportsDualStack: ${o.supportsDualStack}`)
    out.push(`        readonly implicitGlobalRegion: ${q(o.implicitGlobalRegion)}`)
    out.push("      }")
    out.push("      readonly regions: {")
    for (const r of Object.keys(p.regions).sort()) {
      const data = p.regions[r]!
      const fields = Object.keys(data)
        .sort()
        .map((k) => `readonly ${k}: ${q(data[k])}`)
        .join("; ")
      out.push(`        readonly ${q(r)}: { ${fields} }`)
    }
    out.push("      }")
    out.push(`    }${i < partitions.length - 1 ? "," : ""}`)
  })
  out.push("  ]")
  const compact = partitions.map((p) => {
    const o = p.outputs
    const regions = Object.keys(p.regions)
      .sort()
      .flatMap((r) => {
        const data = p.regions[r]!
        // a region is its description, or all its fields when it has more
        const only = Object.keys(data).length === 1 && typeof data.description === "string"
        return [
          r,
          only
            ? data.description
            : Object.fromEntries(
                Object.keys(data)
                  .sort()
                  .map((k) => [k, data[k]])
              )
        ]
      })
    return [
      p.id,
      p.regionRegex,
      o.name,
      o.dnsSuffix,
      o.dualStackDnsSuffix,
      o.supportsFIPS ? 1 : 0,
      o.supportsDualStack ? 1 : 0,
      o.implicitGlobalRegion,
      regions
    ]
  })
  out.push("} = /*#__PURE__*/ expand(")
  out.push(`  ${q(source.version)},`)
  out.push(`  ${literal(JSON.stringify(compact))}`)
  out.push(")")
  out.push("")
  out.push(EXPAND)
  out.push("")
  const allRegions: Array<{ id: string; partition: string; description: string }> = []
  for (const p of partitions) {
    for (const r of Object.keys(p.regions).sort()) {
      const d = p.regions[r]!.description
      allRegions.push({ id: r, partition: p.id, description: typeof d === "string" ? d : r })
    }
  }
  allRegions.sort((a, b) => (a.id < b.id ? -1 : 1))
  const seen = new Set<string>()
  for (const r of allRegions) {
    const name = `${pascal(r.id)}RegionId`
    if (seen.has(name)) fail(`two regions map to ${name}`)
    seen.add(name)
    out.push(`/** ${r.description} (partition \`${r.partition}\`). */`)
    out.push(`export const ${name} = ${JSON.stringify(r.id)}`)
  }
  out.push("")
  out.push("/** Every region id the partition table knows. */")
  out.push("export type RegionId =")
  allRegions.forEach((r) => {
    out.push(`  | typeof ${pascal(r.id)}RegionId`)
  })
  out.push("")
  for (const p of partitions) {
    out.push(`/** The \`${p.id}\` partition (DNS suffix \`${p.outputs.dnsSuffix}\`). */`)
    out.push(`export const ${pascal(p.id)}PartitionId = ${JSON.stringify(p.id)}`)
  }
  out.push("")
  out.push("/** Every partition id. */")
  out.push("export type PartitionId =")
  for (const p of partitions) out.push(`  | typeof ${pascal(p.id)}PartitionId`)
  out.push("")
  return out.join("\n")
}

const generated = render(loadSource())
if (process.argv.includes("--check")) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : ""
  if (current !== generated) {
    console.error(`${path.relative(root, target)} is stale: run npx tsx codegen/partitions.ts`)
    process.exit(1)
  }
  console.log(`${path.relative(root, target)} is up to date`)
} else {
  fs.writeFileSync(target, generated)
  console.log(`wrote ${path.relative(root, target)}`)
}
