/**
 * `npm run test:runtimes [-- NAME...]`: runs the runtime slice in each runtime the
 * devDependencies ship. Names (default: all but the opt-in ones):
 * - node, bun, deno: test/runtimes/Slice.ts (Node through tsx), with the runtime's own conditions;
 * - deno-worker: the same in Deno under the `worker` condition, so every runtime seam takes its Web
 *   implementation (modules not yet behind a seam still use Deno's `node:` modules);
 * - workerd: test/runtimes/Worker.ts bundled with esbuild as Wrangler bundles a Worker (conditions
 *   workerd, worker, browser) and served by workerd, whose Node compatibility is on by default
 *   from compatibility date 2026-08-04;
 * - workerd-web: the same on a compatibility date before it, Web APIs only, as a Worker without
 *   `nodejs_compat` (the kernel's hashing, checksums and compression go through `#runtime/*`);
 * - chromium (opt-in): test/runtimes/Browser.ts bundled for browsers, in Debian's Chromium
 *   (`bash scripts/install-chromium.sh`, apt as root) driven by playwright-core; passes where
 *   Chromium is installed, left out of a plain run because no machine without it could run it.
 *
 * This process (Node) starts s3rver and dynalite on 127.0.0.1 port 0, each behind a proxy that
 * checks every request's SigV4 signature (header or presigned query) with `@smithy/signature-v4`
 * before forwarding it, and answers 403 when it does not match: s3rver and dynalite check no
 * signature themselves. Each runtime runs as a child process with a time limit.
 *
 * Prints each child's lines, a summary per runtime with the signatures checked, and closes with
 * `N passed, N failed` over all checks; exits non-zero when any failed or a runtime did not run.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Hash } from "@smithy/hash-node"
import { SignatureV4 } from "@smithy/signature-v4"
import * as esbuild from "esbuild"

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const bin = (name) => path.join(root, "node_modules", ".bin", name)
const slice = path.join(root, "test", "runtimes", "Slice.ts")
const SOURCE = "effect-aws-sdk/source"
const TIME_LIMIT_MS = 240_000

/** Each runtime: the command line, the implementation `#runtime/Crypto` must resolve to. */
const runtimes = {
  node: {
    command: process.execPath,
    args: [`--conditions=${SOURCE}`, "--import", "tsx", slice],
    crypto: "node"
  },
  bun: { command: bin("bun"), args: [`--conditions=${SOURCE}`, slice], crypto: "node" },
  deno: {
    command: bin("deno"),
    args: ["run", "-A", "--no-lock", "--unstable-sloppy-imports", `--conditions=${SOURCE}`, slice],
    crypto: "node"
  },
  "deno-worker": {
    command: bin("deno"),
    args: ["run", "-A", "--no-lock", "--unstable-sloppy-imports", `--conditions=${SOURCE},worker`, slice],
    crypto: "web"
  }
}

/** Runtimes that are not a command line: name -> runner. */
const servers = {
  // Node compatibility (node:crypto, node:zlib, ...) is on by default from compatibility date 2026-08-04
  workerd: (endpoints) => runWorkerd("workerd", "2026-11-01", endpoints),
  // before it, without the flag: Web APIs only, as a plain Worker has them
  "workerd-web": (endpoints) => runWorkerd("workerd-web", "2026-08-01", endpoints),
  chromium: (endpoints) => runChromium("chromium", endpoints)
}
/** Runtimes a plain run leaves out: Chromium needs a root apt install first. */
const optIn = new Set(["chromium"])

const secrets = { S3RVER: "S3RVER", local: "local" }

/** The query of a URL as `@smithy/signature-v4` takes it (decoded, repeated names as arrays). */
const queryOf = (url, drop = new Set()) => {
  const query = {}
  for (const [k, v] of url.searchParams) {
    if (drop.has(k)) continue
    const existing = query[k]
    query[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v]
  }
  return query
}

const pick = (headers, names) => Object.fromEntries(names.map((n) => [n, String(headers[n] ?? "")]))

/** The date of `20150830T123600Z`. */
const parseStamp = (s) =>
  new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`
  )

/** Undefined when the request's signature is what `@smithy/signature-v4` computes, else why not. */
const verify = async (req, body) => {
  const url = new URL(req.url, "http://proxy")
  const auth = req.headers.authorization
  const presigned = url.searchParams.get("X-Amz-Signature")
  let credential
  let signedNames
  let claimed
  let stamp
  if (auth !== undefined) {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth
    )
    if (!m) return `malformed Authorization header ${JSON.stringify(auth)}`
    ;[, credential, signedNames, claimed] = m
    stamp = req.headers["x-amz-date"]
  } else if (presigned !== null) {
    credential = url.searchParams.get("X-Amz-Credential") ?? ""
    signedNames = url.searchParams.get("X-Amz-SignedHeaders") ?? ""
    claimed = presigned
    stamp = url.searchParams.get("X-Amz-Date")
  } else return "the request is not signed"
  const [accessKeyId, day, region, service, terminator] = credential.split("/")
  if (terminator !== "aws4_request" || typeof stamp !== "string" || !stamp.startsWith(day))
    return `malformed credential scope ${JSON.stringify(credential)}`
  const secretAccessKey = secrets[accessKeyId]
  if (secretAccessKey === undefined) return `unknown access key ${accessKeyId}`
  const s3 = service === "s3"
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: !s3,
    applyChecksum: s3 && auth !== undefined
  })
  const request = {
    method: req.method,
    protocol: "http:",
    hostname: url.hostname,
    path: url.pathname,
    headers: pick(req.headers, signedNames.split(";")),
    body
  }
  const signingDate = parseStamp(stamp)
  let expected
  if (auth !== undefined) {
    const signed = await signer.sign({ ...request, query: queryOf(url) }, { signingDate })
    expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)?.[1]
  } else {
    const drop = new Set([
      "X-Amz-Signature",
      "X-Amz-Algorithm",
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders"
    ])
    // S3 presigns UNSIGNED-PAYLOAD: the reference reads it from this header, neither hoisted nor signed
    const payload = s3 ? new Set(["x-amz-content-sha256"]) : new Set()
    const signed = await signer.presign(
      {
        ...request,
        headers: s3 ? { ...request.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } : request.headers,
        body: undefined,
        query: queryOf(url, drop)
      },
      {
        signingDate,
        expiresIn: Number(url.searchParams.get("X-Amz-Expires")),
        unhoistableHeaders: payload,
        unsignableHeaders: new Set(payload)
      }
    )
    expected = signed.query["X-Amz-Signature"]
  }
  return expected === claimed
    ? undefined
    : `signature ${claimed} of ${req.method} ${url.pathname} (signed: ${signedNames}) is not the reference's ${expected}`
}

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, PUT, POST, DELETE",
  "access-control-allow-headers": "*",
  "access-control-expose-headers": "*"
}

/** A proxy on 127.0.0.1 port 0 that forwards to `upstream` the requests whose signature checks. */
const verifyingProxy = async (upstream, stats) => {
  const server = http.createServer((req, res) => {
    // pages on another loopback port call through here (the chromium row): CORS, preflights unsigned
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v)
    if (req.method === "OPTIONS") {
      res.writeHead(204)
      res.end()
      return
    }
    const chunks = []
    req.on("data", (c) => chunks.push(c))
    req.on("end", async () => {
      const body = Buffer.concat(chunks)
      let problem
      try {
        problem = await verify(req, body)
      } catch (e) {
        problem = `the reference signer failed: ${e instanceof Error ? e.message : String(e)}`
      }
      if (problem !== undefined) {
        stats.rejected.push(problem)
        res.writeHead(403, { "content-type": "text/plain" })
        res.end(problem)
        return
      }
      stats.verified++
      const target = new URL(upstream)
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        }
      )
      forward.on("error", (e) => {
        res.writeHead(502)
        res.end(String(e))
      })
      forward.end(body)
    })
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { endpoint: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }
}

const startS3rver = async () => {
  const S3rver = require("s3rver")
  const directory = fs.mkdtempSync(
    path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "runtimes-s3-")
  )
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, vhostBuckets: false })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    }
  }
}

/**
 * A server that never answers: it counts, per bucket (the first path segment), the requests it
 * saw and the connections still open, and tells them at `/_status?bucket=B`.
 */
const startHangServer = async () => {
  const buckets = new Map()
  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v)
    const url = new URL(req.url, "http://hang")
    if (url.pathname === "/_status") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify(buckets.get(url.searchParams.get("bucket")) ?? { seen: 0, open: 0 }))
      return
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204)
      res.end()
      return
    }
    const bucket = url.pathname.split("/")[1]
    const entry = buckets.get(bucket) ?? { seen: 0, open: 0 }
    buckets.set(bucket, entry)
    entry.seen++
    entry.open++
    res.on("close", () => {
      entry.open--
    })
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections()
      server.close()
    }
  }
}

const startDynalite = async () => {
  const server = require("dynalite")({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

/** Runs one runtime's slice; resolves with its counts (undefined when it printed none). */
const runSlice = (name, runtime, endpoints) =>
  new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(runtime.command, runtime.args, {
      cwd: root,
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        RUNTIME_S3_ENDPOINT: endpoints.s3,
        RUNTIME_DYNAMODB_ENDPOINT: endpoints.dynamodb,
        RUNTIME_HANG_ENDPOINT: endpoints.hang,
        RUNTIME_EXPECT_CRYPTO: runtime.crypto,
        RUNTIME_NAME: name,
        NO_COLOR: "1"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    const print = (chunk) => {
      out += chunk
      for (const line of String(chunk).split("\n")) if (line !== "") console.log(`[${name}] ${line}`)
    }
    child.stdout.on("data", print)
    child.stderr.on("data", print)
    const timer = setTimeout(() => {
      console.log(`[${name}] stopped after ${TIME_LIMIT_MS / 1000} s`)
      child.kill("SIGKILL")
    }, TIME_LIMIT_MS)
    child.on("error", (e) => {
      clearTimeout(timer)
      console.log(`[${name}] could not start: ${e.message}`)
      resolve({ counts: undefined, ms: Date.now() - started, code: -1 })
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      const m = /^(\d+) passed, (\d+) failed$/m.exec(out)
      resolve({
        counts: m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined,
        ms: Date.now() - started,
        code
      })
    })
  })

/** The `node:` modules a bundle leaves to the runtime, each with the files that import it. */
const nodeImports = (metafile) => {
  const by = new Map()
  for (const [file, input] of Object.entries(metafile.inputs))
    for (const i of input.imports)
      if (i.external && i.path.startsWith("node:")) by.set(i.path, [...(by.get(i.path) ?? []), file])
  return [...by].map(([m, files]) => `bundle imports ${m} (${[...new Set(files)].join(", ")})`)
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

/** workerd's configuration: the Worker on `port`, reaching loopback (and nothing else) through fetch. */
const workerdConfig = (port, compatibilityDate) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .slice),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const slice :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${compatibilityDate}",
  globalOutbound = "loopback",
);
`

/**
 * Bundles test/runtimes/Worker.ts as Wrangler would (conditions workerd, worker, browser; `node:*`
 * left to the runtime), serves it with workerd and asks it to run the checks. Resolves like
 * `runSlice`.
 */
const runWorkerd = async (name, compatibilityDate, endpoints) => {
  const started = Date.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runtimes-workerd-"))
  const lines = []
  const print = (line) => {
    lines.push(line)
    console.log(`[${name}] ${line}`)
  }
  let child
  try {
    const built = await esbuild.build({
      entryPoints: [path.join(root, "test", "runtimes", "Worker.ts")],
      metafile: true,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: [SOURCE, "workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      external: ["node:*"],
      outfile: path.join(dir, "worker.js"),
      logLevel: "error"
    })
    print(`bundle: ${fs.statSync(path.join(dir, "worker.js")).size} bytes`)
    for (const line of nodeImports(built.metafile)) print(line)
    const port = await freePort()
    fs.writeFileSync(path.join(dir, "config.capnp"), workerdConfig(port, compatibilityDate))
    child = spawn(bin("workerd"), ["serve", path.join(dir, "config.capnp")], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let exited
    child.on("close", (code) => {
      exited = code
    })
    const output = []
    child.stdout.on("data", (c) => output.push(String(c)))
    child.stderr.on("data", (c) => output.push(String(c)))
    const url = `http://127.0.0.1:${port}/?s3=${encodeURIComponent(endpoints.s3)}&dynamodb=${encodeURIComponent(endpoints.dynamodb)}&hang=${encodeURIComponent(endpoints.hang)}&name=${name}`
    let answer
    for (let attempt = 0; attempt < 100 && answer === undefined && exited === undefined; attempt++) {
      try {
        answer = await (await fetch(url, { signal: AbortSignal.timeout(TIME_LIMIT_MS) })).text()
      } catch (e) {
        if (e?.name === "TimeoutError") break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    for (const line of (answer ?? "").split("\n")) if (line !== "") print(line)
    for (const line of output.join("").split("\n").slice(0, 20))
      if (line.trim() !== "") print(`workerd: ${line}`)
    if (answer === undefined) print(`workerd did not answer (exit ${exited ?? "none"})`)
  } catch (e) {
    print(`could not run: ${e instanceof Error ? e.message : String(e)}`)
  } finally {
    if (child !== undefined && child.exitCode === null) child.kill("SIGKILL")
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const m = /^(\d+) passed, (\d+) failed$/m.exec(lines.join("\n"))
  return {
    counts: m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined,
    ms: Date.now() - started,
    code: m && m[2] === "0" ? 0 : 1
  }
}

const CHROMIUM = "/usr/bin/chromium"
const types = { ".html": "text/html", ".js": "text/javascript" }

/**
 * Bundles test/runtimes/Browser.ts for browsers (the `browser` condition; code splitting, so the
 * SDK is its own chunk; `node:*` left as is, which a browser cannot load), serves it on loopback,
 * and has Debian's Chromium run it through playwright-core. Resolves like `runSlice`.
 */
const runChromium = async (name, endpoints) => {
  const started = Date.now()
  const lines = []
  const print = (line) => {
    lines.push(line)
    console.log(`[${name}] ${line}`)
  }
  if (!fs.existsSync(CHROMIUM)) {
    print(`${CHROMIUM} is missing: run \`bash scripts/install-chromium.sh\` first`)
    return { counts: undefined, ms: Date.now() - started, code: 1 }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runtimes-chromium-"))
  let server
  let browser
  try {
    const built = await esbuild.build({
      entryPoints: [path.join(root, "test", "runtimes", "Browser.ts")],
      metafile: true,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      conditions: [SOURCE, "browser"],
      external: ["node:*"],
      outdir: dir,
      logLevel: "error"
    })
    for (const line of nodeImports(built.metafile)) print(line)
    fs.writeFileSync(
      path.join(dir, "index.html"),
      '<!doctype html><script type="module" src="./Browser.js"></script>\n'
    )
    server = http.createServer((req, res) => {
      const file = path.join(dir, path.basename(new URL(req.url, "http://page").pathname) || "index.html")
      if (!fs.existsSync(file)) {
        res.writeHead(404)
        res.end()
        return
      }
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" })
      res.end(fs.readFileSync(file))
    })
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { chromium } = await import("playwright-core")
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
    print(`browser: Chromium ${browser.version()}`)
    const page = await browser.newPage()
    page.on("pageerror", (e) => print(`page error: ${e.message}`))
    page.on("requestfailed", (r) => print(`request failed: ${r.url()} (${r.failure()?.errorText})`))
    page.on("console", (m) => {
      if (m.type() === "error") print(`console: ${m.text()}`)
    })
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.waitForFunction(() => typeof globalThis.runSlice === "function", null, { timeout: 30_000 })
    const target = {
      s3Endpoint: endpoints.s3,
      dynamoEndpoint: endpoints.dynamodb,
      hangEndpoint: endpoints.hang,
      runName: name
    }
    const answer = await page.evaluate((t) => globalThis.runSlice(t), target)
    for (const line of answer) for (const l of line.split("\n")) print(l)
  } catch (e) {
    print(`could not run: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`)
  } finally {
    await browser?.close()
    server?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const m = /^(\d+) passed, (\d+) failed$/m.exec(lines.join("\n"))
  return {
    counts: m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined,
    ms: Date.now() - started,
    code: m && m[2] === "0" ? 0 : 1
  }
}

const main = async () => {
  const asked = process.argv.slice(2)
  const unknown = asked.filter((n) => !(n in runtimes) && !(n in servers))
  if (unknown.length > 0) {
    console.error(
      `unknown runtime ${unknown.join(", ")}; known: ${[...Object.keys(runtimes), ...Object.keys(servers)].join(", ")}`
    )
    process.exit(2)
  }
  const names =
    asked.length > 0
      ? asked
      : [...Object.keys(runtimes), ...Object.keys(servers)].filter((n) => !optIn.has(n))
  const s3 = await startS3rver()
  const dynamodb = await startDynalite()
  const stats = { verified: 0, rejected: [] }
  const s3Proxy = await verifyingProxy(s3.endpoint, stats)
  const dynamoProxy = await verifyingProxy(dynamodb.endpoint, stats)
  const hang = await startHangServer()
  let passed = 0
  let failed = 0
  const summary = []
  try {
    // the proxy must turn away a signature that is not the reference's, or it proves nothing
    const tampered = await fetch(`${dynamoProxy.endpoint}/`, {
      method: "POST",
      headers: {
        "x-amz-date": "20150830T123600Z",
        authorization: `AWS4-HMAC-SHA256 Credential=local/20150830/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`
      },
      body: "{}"
    })
    if (tampered.status === 403 && stats.rejected.length === 1) {
      passed++
      stats.rejected.length = 0
      summary.push("harness: the signature-checking proxy rejects a wrong signature")
    } else {
      failed++
      summary.push(`harness: the proxy let a wrong signature through (status ${tampered.status})`)
    }
    for (const name of names) {
      const before = { verified: stats.verified, rejected: stats.rejected.length }
      const endpoints = { s3: s3Proxy.endpoint, dynamodb: dynamoProxy.endpoint, hang: hang.endpoint }
      const result =
        name in servers ? await servers[name](endpoints) : await runSlice(name, runtimes[name], endpoints)
      const verified = stats.verified - before.verified
      const rejected = stats.rejected.slice(before.rejected)
      for (const r of rejected.slice(0, 3)) console.log(`[${name}] signature rejected: ${r}`)
      if (result.counts === undefined || (result.code !== 0 && result.counts.failed === 0)) {
        failed++
        summary.push(`${name}: did not complete (exit ${result.code}, ${result.ms} ms)`)
      } else {
        passed += result.counts.passed
        failed += result.counts.failed
        summary.push(
          `${name}: ${result.counts.passed} passed, ${result.counts.failed} failed; ${verified} signatures checked, ${rejected.length} rejected (${result.ms} ms)`
        )
      }
    }
  } finally {
    s3Proxy.close()
    dynamoProxy.close()
    hang.close()
    await s3.close()
    await dynamodb.close()
  }
  console.log(summary.join("\n"))
  console.log(`${passed} passed, ${failed} failed`)
  process.exitCode = failed === 0 ? 0 : 1
}

await main()
