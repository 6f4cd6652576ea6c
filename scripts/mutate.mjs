#!/usr/bin/env node
// Mutation testing of a few modules, one at a time: `npm run mutate -- src/Request/Retry.ts [more files]`.
//
// Each file gets its own StrykerJS run (stryker.config.mjs: the vitest runner, per-test coverage,
// incremental mode), its own incremental file and JSON/HTML report under reports/mutation/ (not
// committed), and its row in mutation/README.md (committed): the score, the run time and the
// surviving mutants, those judged equivalent in mutation/equivalent.json shown with their reason.
//
// Options (before or after the files):
//   --force          run every mutant again, ignoring the incremental file
//   --no-readme      do not update mutation/README.md
//   --refresh        no Stryker run: recompute mutation/README.md from the last reports (after
//                    editing mutation/equivalent.json)
//   anything else starting with "--" is passed to `stryker run` as is (e.g. --concurrency 1)
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const reportsDir = path.join(root, "reports", "mutation")
const readmePath = path.join(root, "mutation", "README.md")
const resultsPath = path.join(root, "mutation", "results.json")
const equivalentPath = path.join(root, "mutation", "equivalent.json")

const usage = `usage: npm run mutate -- <file.ts> [more files] [--force] [--no-readme] [--<stryker option> ...]
       npm run mutate -- --refresh
  e.g. npm run mutate -- src/Request/Retry.ts`

const parseArgs = (argv) => {
  const files = []
  const passThrough = []
  let readme = true
  let refresh = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "--help" || arg === "-h") {
      console.log(usage)
      process.exit(0)
    } else if (arg === "--no-readme") {
      readme = false
    } else if (arg === "--refresh") {
      refresh = true
    } else if (arg.startsWith("--")) {
      passThrough.push(arg)
      // an option's value, when it has one (`--concurrency 1`)
      const next = argv[i + 1]
      if (next !== undefined && !next.startsWith("--") && !/\.[cm]?[jt]sx?$/.test(next)) {
        passThrough.push(next)
        i++
      }
    } else {
      files.push(arg)
    }
  }
  return { files, passThrough, readme, refresh }
}

const slug = (file) =>
  file
    .replace(/^src\//, "")
    .replace(/\.[^.]+$/, "")
    .replace(/[^A-Za-z0-9]+/g, "-")

const readJson = (file, fallback) =>
  fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : fallback

// Killed and timed out mutants are detected; survived and uncovered ones are not. Equivalent
// mutants (listed in mutation/equivalent.json) are left out of the score.
const UNDETECTED = new Set(["Survived", "NoCoverage"])

const sourceLine = (source, line) => (source.split("\n")[line - 1] ?? "").trim()

// An equivalent mutant is identified by its mutator, its replacement and the text of its first line,
// so that the list still matches when lines move.
const isSame = (entry, mutant) =>
  entry.mutator === mutant.mutatorName &&
  entry.replacement === mutant.replacement &&
  entry.line === mutant.lineText

const summarize = (file, report, equivalents, seconds) => {
  const entry = report.files[file] ?? report.files[path.resolve(root, file)]
  if (entry === undefined) throw new Error(`the report has no results for ${file}`)
  const mutants = entry.mutants.map((m) => ({
    id: m.id,
    mutatorName: m.mutatorName,
    replacement: (m.replacement ?? "").replace(/\s+/g, " "),
    status: m.status,
    line: m.location.start.line,
    column: m.location.start.column,
    lineText: sourceLine(entry.source, m.location.start.line),
    killedBy: m.killedBy ?? []
  }))
  const forFile = equivalents.filter((e) => e.file === file)
  const counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, ignored: 0, other: 0 }
  const survivors = []
  const timeouts = []
  for (const m of mutants) {
    const equivalent = forFile.find((e) => isSame(e, m))
    if (UNDETECTED.has(m.status) && equivalent !== undefined) {
      counts.equivalent++
      survivors.push({ ...m, reason: equivalent.reason })
    } else if (m.status === "Killed") counts.killed++
    else if (m.status === "Timeout") {
      counts.timeout++
      timeouts.push(m)
    } else if (m.status === "Survived") {
      counts.survived++
      survivors.push(m)
    } else if (m.status === "NoCoverage") {
      counts.noCoverage++
      survivors.push(m)
    } else if (m.status === "Ignored") counts.ignored++
    else counts.other++
  }
  const detected = counts.killed + counts.timeout
  const undetected = counts.survived + counts.noCoverage
  const score = detected + undetected === 0 ? null : (100 * detected) / (detected + undetected)
  const staleEquivalents = forFile.filter(
    (e) => !mutants.some((m) => UNDETECTED.has(m.status) && isSame(e, m))
  )
  return {
    file,
    date: new Date().toISOString().slice(0, 10),
    seconds: Math.round(seconds),
    mutants: mutants.length,
    ...counts,
    score: score === null ? null : Math.round(score * 10) / 10,
    survivors: survivors.map(({ id, mutatorName, replacement, status, line, lineText, reason }) => ({
      id,
      mutatorName,
      replacement,
      status,
      line,
      lineText,
      ...(reason === undefined ? {} : { reason })
    })),
    timeouts: timeouts.map(({ mutatorName, replacement, line, lineText }) => ({
      mutatorName,
      replacement,
      line,
      lineText
    })),
    staleEquivalents: staleEquivalents.length
  }
}

const fmtScore = (s) => (s === null || s === undefined ? "–" : `${s.toFixed(1)}%`)
const fmtTime = (seconds) => `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`
const code = (s) => "`" + String(s).replace(/`/g, "ˋ").replace(/\|/g, "\\|").slice(0, 100) + "`"

const renderTable = (results) => {
  const rows = Object.values(results).sort((a, b) => a.latest.file.localeCompare(b.latest.file))
  const lines = [
    "| Module | Mutants | Killed (timeouts) | Survived (no coverage) | Equivalent | Static, not run | Score, first run | Score now | Time, first run | Time, last run | Date |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  ]
  for (const { first, latest: r } of rows) {
    lines.push(
      `| ${code(r.file)} | ${r.mutants} | ${r.killed + r.timeout} (${r.timeout}) | ${r.survived + r.noCoverage} (${r.noCoverage}) | ${r.equivalent} | ${r.ignored} | ${fmtScore(first.score)} | **${fmtScore(r.score)}** | ${fmtTime(first.seconds)} | ${fmtTime(r.seconds)} | ${r.date} |`
    )
  }
  return lines.join("\n")
}

const renderSurvivors = (results) => {
  const out = []
  const rows = Object.values(results).sort((a, b) => a.latest.file.localeCompare(b.latest.file))
  for (const { latest: r } of rows) {
    out.push(`### ${r.file}`, "")
    const open = r.survivors.filter((s) => s.reason === undefined)
    const equivalent = r.survivors.filter((s) => s.reason !== undefined)
    if (open.length === 0) out.push("Surviving (not judged equivalent): none.", "")
    else {
      out.push("Surviving (not judged equivalent):", "")
      for (const s of open) {
        out.push(
          `- line ${s.line}, ${s.mutatorName} (${s.status}): ${code(s.lineText)} → ${code(s.replacement)}`
        )
      }
      out.push("")
    }
    if (equivalent.length > 0) {
      out.push("Equivalent:", "")
      for (const s of equivalent) {
        out.push(
          `- line ${s.line}, ${s.mutatorName}: ${code(s.lineText)} → ${code(s.replacement)}: ${s.reason}`
        )
      }
      out.push("")
    }
    if (r.timeouts.length > 0) {
      out.push("Detected only by a timeout (the mutant made a test hang):", "")
      for (const s of r.timeouts) {
        out.push(`- line ${s.line}, ${s.mutatorName}: ${code(s.lineText)} → ${code(s.replacement)}`)
      }
      out.push("")
    }
    if (r.staleEquivalents > 0) {
      out.push(`(${r.staleEquivalents} entries of mutation/equivalent.json no longer match a survivor.)`, "")
    }
  }
  return out.join("\n")
}

const replaceBetween = (text, name, content) => {
  const start = `<!-- mutate:${name}:start -->`
  const end = `<!-- mutate:${name}:end -->`
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  if (i === -1 || j === -1) return `${text.trimEnd()}\n\n${start}\n${content}\n${end}\n`
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`
}

const updateReadme = (results) => {
  let text = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, "utf8") : "# Mutation testing\n"
  text = replaceBetween(text, "table", renderTable(results))
  text = replaceBetween(text, "survivors", renderSurvivors(results))
  fs.writeFileSync(readmePath, text)
  // as `npm run format` would (biome checks Markdown and JSON too: `npm test` runs it)
  spawnSync(
    path.join(root, "node_modules", ".bin", "biome"),
    ["format", "--write", readmePath, resultsPath],
    {
      cwd: root,
      stdio: "ignore"
    }
  )
}

const main = () => {
  const { files, passThrough, readme, refresh } = parseArgs(process.argv.slice(2))
  if (refresh) {
    const results = readJson(resultsPath, {})
    for (const [file, { first, latest }] of Object.entries(results)) {
      const jsonReport = path.join(reportsDir, `${slug(file)}.json`)
      if (!fs.existsSync(jsonReport)) continue
      const summary = summarize(file, readJson(jsonReport), readJson(equivalentPath, []), latest.seconds)
      results[file] = { first, latest: { ...summary, date: latest.date } }
    }
    fs.writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
    updateReadme(results)
    return
  }
  if (files.length === 0) {
    console.error(usage)
    process.exit(2)
  }
  for (const file of files) {
    if (!fs.existsSync(path.join(root, file))) {
      console.error(`no such file: ${file}`)
      process.exit(2)
    }
  }
  fs.mkdirSync(path.join(reportsDir, "incremental"), { recursive: true })
  const stryker = path.join(root, "node_modules", ".bin", "stryker")
  const env = {
    ...process.env,
    // as `npm run test:unit`: s3rver's listings and some signing tests need the legacy provider
    NODE_OPTIONS: [process.env.NODE_OPTIONS, "--openssl-legacy-provider"].filter(Boolean).join(" ")
  }
  let failed = false
  for (const raw of files) {
    const file = path.relative(root, path.resolve(root, raw)).split(path.sep).join("/")
    const name = slug(file)
    const jsonReport = path.join(reportsDir, `${name}.json`)
    const args = ["run", "stryker.config.mjs", "--mutate", file, ...passThrough]
    console.log(`\n== mutate ${file}: stryker ${args.join(" ")}`)
    const started = Date.now()
    // stryker.config.mjs names the incremental file and the reports after MUTATE_NAME
    const run = spawnSync(stryker, args, { cwd: root, env: { ...env, MUTATE_NAME: name }, stdio: "inherit" })
    const seconds = (Date.now() - started) / 1000
    if (run.status !== 0 || !fs.existsSync(jsonReport)) {
      console.error(`stryker failed on ${file} (exit ${run.status ?? run.signal})`)
      failed = true
      continue
    }
    const summary = summarize(file, readJson(jsonReport), readJson(equivalentPath, []), seconds)
    console.log(
      `== ${file}: ${fmtScore(summary.score)} (${summary.killed + summary.timeout} detected, ${summary.survived + summary.noCoverage} undetected, ${summary.equivalent} equivalent) in ${fmtTime(summary.seconds)}`
    )
    if (readme) {
      const results = readJson(resultsPath, {})
      results[file] = { first: results[file]?.first ?? summary, latest: summary }
      fs.mkdirSync(path.dirname(resultsPath), { recursive: true })
      fs.writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
      updateReadme(results)
    }
  }
  process.exit(failed ? 1 : 0)
}

main()
