/** Small statistics helpers for the benchmarks. */

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The spread of xs around its median: (p75 - p25) / median, as a fraction. */
export const spread = (xs: ReadonlyArray<number>): number => {
  if (xs.length < 4) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!
  return (q(0.75) - q(0.25)) / median(xs)
}

export const fmt = (x: number, digits = 1): string =>
  x >= 10_000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(digits)

/** Runs `f` for each item in turn, rotating the starting item every round (so no client is always first). */
export const rotations = <A>(items: ReadonlyArray<A>, round: number): Array<A> => {
  const k = round % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

/** Prints a plain aligned table to stdout. */
export const printTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>
): void => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
  console.log(line(header))
  for (const r of rows) console.log(line(r))
}
