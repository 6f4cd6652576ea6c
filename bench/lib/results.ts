/**
 * Shared by every benchmark: the row format of `bench/results.json` and `record`, which merges rows
 * into that file (a row replaces the one with the same `name` + `peerName`). When run under
 * `bench/run.ts`, the rows are also appended to the file named by `BENCH_ROWS_FILE`, so the runner
 * can print the table of this run.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export interface Row {
  readonly name: string
  readonly unit: string
  readonly ours: number
  readonly peer: number
  readonly peerName: string
  /** ours / peer */
  readonly ratio: number
}

/** `bench/` (BENCH_DIR overrides it, for copies bundled elsewhere). */
export const benchDir =
  process.env.BENCH_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
export const resultsFile = path.join(benchDir, "results.json")

/** A row with its ratio computed (ours / peer), rounded for the file. */
export const row = (name: string, unit: string, ours: number, peer: number, peerName: string): Row => ({
  name,
  unit,
  ours: round(ours),
  peer: round(peer),
  peerName,
  ratio: peer === 0 ? Number.NaN : Math.round((ours / peer) * 1000) / 1000
})

const round = (x: number): number =>
  Math.abs(x) >= 100
    ? Math.round(x)
    : Math.abs(x) >= 1
      ? Math.round(x * 100) / 100
      : Math.round(x * 10000) / 10000

export const readResults = (): Array<Row> => {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(resultsFile, "utf8"))
    return Array.isArray(parsed) ? (parsed as Array<Row>) : []
  } catch {
    return []
  }
}

/** Merges rows into `bench/results.json` (same name + peerName replaced, order kept) and prints them. */
export const record = (rows: ReadonlyArray<Row>): void => {
  const all = readResults()
  for (const r of rows) {
    const i = all.findIndex((x) => x.name === r.name && x.peerName === r.peerName)
    if (i >= 0) all[i] = r
    else all.push(r)
  }
  fs.writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`)
  const extra = process.env.BENCH_ROWS_FILE
  if (extra !== undefined) {
    for (const r of rows) fs.appendFileSync(extra, `${JSON.stringify(r)}\n`)
  }
  console.log(markdownTable(rows))
}

const fmt = (x: number): string =>
  Number.isNaN(x) ? "—" : x >= 1000 ? Math.round(x).toLocaleString("en-US") : String(x)

/** The Markdown table of rows: benchmark, unit, ours, peer, peer value, ratio. */
export const markdownTable = (rows: ReadonlyArray<Row>): string => {
  const lines = [
    "| benchmark | unit | ours | peer | peer's | ratio (ours/peer) |",
    "|---|---|--:|---|--:|--:|"
  ]
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.unit} | ${fmt(r.ours)} | ${r.peerName} | ${fmt(r.peer)} | ${fmt(r.ratio)}x |`
    )
  }
  return lines.join("\n")
}
