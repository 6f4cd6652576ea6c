/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`): the top functions by self time and by
 * total (inclusive) time, with their share of the profile.
 * `npx tsx bench/tools/cpuprofile-summary.ts FILE.cpuprofile [TOP] [FILTER]`
 */
import * as fs from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly children?: ReadonlyArray<number>
  readonly hitCount?: number
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const file = process.argv[2]!
const top = Number(process.argv[3] ?? 40)
const filter = process.argv[4]
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const selfTime = new Map<number, number>()
profile.samples.forEach((id, i) => {
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
const total = [...selfTime.values()].reduce((a, b) => a + b, 0)

// In an esbuild bundle (not minified), each module starts with a `// path/to/module.js` comment:
// name a bundle line by its module and show the start of the line.
const bundles = new Map<string, { lines: Array<string>; module: Array<string> }>()
const bundleOf = (url: string) => {
  if (!url.startsWith("file://") || !/\.m?js$/.test(url) || url.includes("node_modules")) return undefined
  let b = bundles.get(url)
  if (b === undefined) {
    let lines: Array<string> = []
    try {
      lines = fs.readFileSync(new URL(url), "utf8").split("\n")
    } catch {}
    const module: Array<string> = []
    let current = ""
    for (const line of lines) {
      const m = /^\/\/ ((?:node_modules|src|bench)\/\S+)$/.exec(line)
      if (m) current = m[1]!.replace(/^node_modules\//, "")
      module.push(current)
    }
    b = { lines, module }
    bundles.set(url, b)
  }
  return b.lines.length > 0 ? b : undefined
}
const where = (url: string, line: number): string => {
  const b = bundleOf(url)
  if (b === undefined) return `${short(url)}:${line + 1}`
  return `${b.module[line] ?? "?"} «${(b.lines[line] ?? "").trim().slice(0, 60)}»`
}

const short = (url: string) =>
  url
    .replace(/^file:\/\/\/work\/main\//, "")
    .replace(/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    .replace(/^node_modules\//, "")
const key = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url, n.callFrame.lineNumber)}`

const self = new Map<string, number>()
const incl = new Map<string, number>()
for (const [id, t] of selfTime) {
  const n = byId.get(id)!
  self.set(key(n), (self.get(key(n)) ?? 0) + t)
  // inclusive: each distinct function on the stack once
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!)
    if (seen.has(k)) continue
    seen.add(k)
    incl.set(k, (incl.get(k) ?? 0) + t)
  }
}
// by file
const byFile = new Map<string, number>()
for (const [id, t] of selfTime) {
  const n = byId.get(id)!
  const b = bundleOf(n.callFrame.url)
  const f = (b ? b.module[n.callFrame.lineNumber] : short(n.callFrame.url)) || `(${n.callFrame.functionName})`
  const pkg = f.replace(/^(effect\/dist\/esm\/internal\/[^/]+)\/.*$/, "$1")
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + t)
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms)`)
  const entries = [...m.entries()].filter(([k]) => filter === undefined || k.includes(filter))
  entries.sort((a, b) => b[1] - a[1])
  for (const [k, t] of entries.slice(0, top)) {
    console.log(
      `${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`
    )
  }
}
show("self time by function", self)
show("self time by file", byFile)
show("total time by function", incl)
