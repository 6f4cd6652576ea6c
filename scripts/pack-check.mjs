#!/usr/bin/env node
// The newcomer's path, end to end: build and pack the library as npm publishes it, hold the
// package to its size budget, install the tarball into fresh apps next to the lowest and the
// highest supported effect 3 (and @effect/platform), type-check the README's Quick start there
// (moduleResolution bundler and nodenext) and run it against a local S3 (s3rver on loopback),
// and check that a project on effect 4 is refused at install with the supported range named.
//
//   node scripts/pack-check.mjs [--skip-build] [--size-only] [--keep]
//
// It needs the npm registry and loopback, nothing else. Exit code 0 when everything holds.
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const args = new Set(process.argv.slice(2))
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

/** Unpacked size budget (bytes) of the published package; see README "Install" / bench/results.json. */
export const BUDGET_BYTES = Number(process.env.PACK_BUDGET_BYTES ?? 50_000_000)

/** The ends of the supported range, installed and run here. Keep in step with peerDependencies. */
const LOWEST = { effect: "3.20.0", platform: "0.90.0" }
const HIGHEST = { effect: "3", platform: "<1" }
// To try other versions (how the range was found): PACK_CHECK_VERSIONS="3.17.0,0.90.0" tries that
// pair alone, and PACK_CHECK_TARBALL=path skips the build and the size checks and uses that tarball.
const trial = process.env.PACK_CHECK_VERSIONS?.split(",")

const started = Date.now()
const log = (message) =>
  console.log(`[pack-check +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`)
const failures = []
let passed = 0
const pass = (message) => {
  passed += 1
  log(message)
}
const fail = (message) => {
  failures.push(message)
  console.error(`[pack-check] FAIL: ${message}`)
}

const run = (command, argv, options = {}) => {
  const result = spawnSync(command, argv, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options })
  if (result.error) throw result.error
  return result
}
const mustRun = (command, argv, options = {}) => {
  const result = run(command, argv, options)
  if (result.status !== 0) {
    throw new Error(
      `${command} ${argv.join(" ")} exited ${result.status}\n${result.stdout}\n${result.stderr}`
    )
  }
  return result
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pack-check-"))
try {
  // 1. Build from scratch (a stale dist/ could hold files the build no longer makes) and pack.
  const given = process.env.PACK_CHECK_TARBALL
  if (!args.has("--skip-build") && given === undefined) {
    log("building")
    fs.rmSync(path.join(root, "dist"), { recursive: true, force: true })
    mustRun("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" })
  }
  const packed =
    given === undefined
      ? JSON.parse(mustRun("npm", ["pack", "--json", "--pack-destination", work], { cwd: root }).stdout)[0]
      : { filename: path.basename(given), size: 0, unpackedSize: 0, entryCount: 0, files: [] }
  const tarball = given === undefined ? path.join(work, packed.filename) : path.resolve(given)
  log(
    `packed ${packed.filename}: ${(packed.size / 1e6).toFixed(2)} MB, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${packed.entryCount} files (budget ${(BUDGET_BYTES / 1e6).toFixed(0)} MB unpacked)`
  )
  if (packed.unpackedSize > BUDGET_BYTES) {
    fail(`unpacked size ${packed.unpackedSize} bytes is over the budget of ${BUDGET_BYTES}`)
  } else if (given === undefined) pass("the package is within its size budget")
  const names =
    given === undefined
      ? packed.files.map((f) => f.path)
      : ["LICENSE", "NOTICE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts"]
  const maps = names.filter((n) => n.endsWith(".map"))
  if (maps.length > 0) fail(`${maps.length} source maps shipped (e.g. ${maps[0]}) though src/ is not`)
  else if (given === undefined) pass("no source maps in the package")
  for (const required of [
    "LICENSE",
    "NOTICE",
    "README.md",
    "package.json",
    "dist/index.js",
    "dist/index.d.ts"
  ]) {
    if (!names.includes(required)) fail(`the package lacks ${required}`)
  }
  if (pkg.dependencies?.["@effect/platform-node"] !== undefined)
    fail("@effect/platform-node is a runtime dependency")
  for (const peer of ["effect", "@effect/platform"]) {
    if (pkg.peerDependencies?.[peer] === undefined) fail(`${peer} is not a peer dependency`)
    if (pkg.dependencies?.[peer] !== undefined) fail(`${peer} is a runtime dependency`)
  }
  if (args.has("--size-only")) finish()

  // 2. The README's Quick start, exactly as written.
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Quick start"))
  const quickStart = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (quickStart === undefined) throw new Error("README.md has no ts block under '## Quick start'")
  // Every other TypeScript block of the README is type-checked beside it.
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((b) => b !== quickStart)
  const expectedOutput = /```\n(created bucket[\s\S]*?)```/.exec(section)?.[1]?.trim().split("\n")
  if (expectedOutput === undefined) throw new Error("README.md shows no output of the Quick start")

  const tsVersion = pkg.devDependencies.typescript
  const nodeTypes = pkg.devDependencies["@types/node"]
  const S3rver = (await import("s3rver")).default

  const pairs =
    trial === undefined
      ? [
          ["lowest", LOWEST],
          ["highest", HIGHEST]
        ]
      : [[`trial-${trial[0]}`, { effect: trial[0], platform: trial[1] }]]
  for (const [label, versions] of pairs) {
    const app = path.join(work, `app-${label}`)
    fs.mkdirSync(app)
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: `quick-start-${label}`, private: true, type: "module" }, null, 2)
    )
    log(
      `${label}: installing the tarball with effect@${versions.effect}, @effect/platform@${versions.platform}`
    )
    const install = run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        tarball,
        `effect@${versions.effect}`,
        `@effect/platform@${versions.platform}`,
        `typescript@${tsVersion}`,
        `@types/node@${nodeTypes}`
      ],
      { cwd: app }
    )
    if (install.status !== 0) {
      fail(`${label}: npm install failed\n${install.stdout}\n${install.stderr}`)
      continue
    }
    const installed = (name) =>
      JSON.parse(fs.readFileSync(path.join(app, "node_modules", name, "package.json"), "utf8")).version
    log(`${label}: effect ${installed("effect")}, @effect/platform ${installed("@effect/platform")}`)
    // What the SDK itself brings: its dependencies only, none with an install script.
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const manifest = JSON.parse(
        fs.readFileSync(path.join(app, "node_modules", dep, "package.json"), "utf8")
      )
      const scripts = Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$/.test(s))
      if (scripts.length > 0)
        fail(`${label}: runtime dependency ${dep} has install scripts (${scripts.join(", ")})`)
    }
    if (fs.existsSync(path.join(app, "node_modules", "@effect", "platform-node"))) {
      fail(`${label}: installing the SDK brought @effect/platform-node`)
    }

    fs.writeFileSync(path.join(app, "quick-start.ts"), quickStart)
    const snippetFiles = snippets.map((code, i) => {
      const file = `readme-snippet-${i + 1}.ts`
      fs.writeFileSync(path.join(app, file), `${code}\nexport {}\n`)
      return file
    })
    const common = {
      target: "ES2022",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      skipLibCheck: false,
      // Effect's own declarations are not ours to check; ours are (they live in node_modules too).
      skipDefaultLibCheck: true
    }
    const configs = {
      bundler: { ...common, module: "ESNext", moduleResolution: "bundler", noEmit: true },
      nodenext: { ...common, module: "NodeNext", moduleResolution: "NodeNext", outDir: "out" }
    }
    for (const [name, compilerOptions] of Object.entries(configs)) {
      fs.writeFileSync(
        path.join(app, `tsconfig.${name}.json`),
        JSON.stringify({ compilerOptions, files: ["quick-start.ts", ...snippetFiles] }, null, 2)
      )
      const tsc = run(path.join(app, "node_modules", ".bin", "tsc"), ["-p", `tsconfig.${name}.json`], {
        cwd: app
      })
      if (tsc.status !== 0)
        fail(`${label}: the README's TypeScript does not type-check (${name})\n${tsc.stdout}${tsc.stderr}`)
      else
        pass(
          `${label}: the Quick start and ${snippetFiles.length} other README block(s) type-check (${name})`
        )
    }
    if (!fs.existsSync(path.join(app, "out", "quick-start.js"))) continue

    // 3. Run it against a local S3 on localhost, as the README does.
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "pack-check-s3-"))
    const server = new S3rver({ address: "localhost", port: 0, silent: true, directory, vhostBuckets: false })
    const { port } = await server.run()
    try {
      const env = { ...process.env }
      for (const key of Object.keys(env))
        if (key.startsWith("AWS_") || key === "NODE_OPTIONS") delete env[key]
      Object.assign(env, {
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "S3RVER",
        AWS_SECRET_ACCESS_KEY: "S3RVER",
        AWS_ENDPOINT_URL_S3: `http://localhost:${port}`,
        AWS_CONFIG_FILE: path.join(app, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(app, "no-credentials")
      })
      const child = await new Promise((resolve) => {
        // Asynchronous: the server runs in this process.
        const out = []
        const err = []
        const proc = spawn(process.execPath, [path.join(app, "out", "quick-start.js")], { cwd: app, env })
        proc.stdout.on("data", (d) => out.push(d))
        proc.stderr.on("data", (d) => err.push(d))
        proc.on("close", (status) => resolve({ status, stdout: out.join(""), stderr: err.join("") }))
      })
      const lines = child.stdout.trim().split("\n")
      if (child.status !== 0 || JSON.stringify(lines) !== JSON.stringify(expectedOutput)) {
        fail(
          `${label}: the Quick start printed\n${child.stdout}${child.stderr}(exit ${child.status}); the README shows\n${expectedOutput.join("\n")}`
        )
      } else pass(`${label}: the Quick start ran and printed what the README shows`)
    } finally {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    }
  }

  if (trial !== undefined) finish()
  // 4. A project on effect 4 is told at install which effect the SDK supports (npm names the first
  // peer it cannot satisfy: ours, or @effect/platform's, which asks for effect 3 as well).
  const four = path.join(work, "app-effect4")
  fs.mkdirSync(four)
  fs.writeFileSync(
    path.join(four, "package.json"),
    JSON.stringify({ name: "effect4", private: true, type: "module" })
  )
  mustRun("npm", ["install", "--no-audit", "--no-fund", "effect@4"], { cwd: four })
  const refused = run("npm", ["install", "--no-audit", "--no-fund", tarball], { cwd: four })
  const said = `${refused.stdout}\n${refused.stderr}`
  if (
    refused.status === 0 ||
    !/peer effect@"\^3\.\d+\.\d+" from (effect-aws-sdk|@effect\/platform)@/.test(said)
  ) {
    fail(`installing next to effect 4 was not refused with the supported range named:\n${said}`)
  } else pass(`effect 4: npm refuses the install: ${/peer effect@"[^"]+" from \S+/.exec(said)?.[0]}`)

  finish()
} finally {
  if (args.has("--keep")) console.log(`[pack-check] kept ${work}`)
  else fs.rmSync(work, { recursive: true, force: true })
}

function finish() {
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  console.log(`[pack-check] ${seconds}s`)
  console.log(`pack-check: ${passed} passed, ${failures.length} failed`)
  if (failures.length > 0) process.exitCode = 1
  if (!args.has("--keep")) fs.rmSync(work, { recursive: true, force: true })
  process.exit()
}
