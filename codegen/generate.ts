/**
 * `npm run codegen`: generates every service of the model set into `src/Services/<Name>/index.ts`
 * (see `Emit.ts`) and the `effect-aws-sdk/<id>` entries of package.json's `exports` (a sorted
 * block after the hand-written core entries).
 *
 * `npm run codegen:check` (`--check`): generates into a temporary folder and compares with the
 * checked-in files; exits 1 on any difference (CI runs it through `npm test`).
 *
 * Inputs: the pinned `aws-sdk` package's `apis/` (`Models.ts`) and `codegen/overlay/<key>.json`
 * (`overlay/fetch.ts`). No network.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { emit, type Overlay } from "./Emit.js"
import { loadServices, type ServiceModel } from "./Models.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const servicesDir = path.join(root, "src", "Services")
const overlayDir = path.join(root, "codegen", "overlay")

export interface Generated {
  /** File path relative to the services folder -> content. */
  readonly files: ReadonlyMap<string, string>
  readonly exports: Readonly<Record<string, { readonly types: string; readonly default: string }>>
  readonly summary: {
    readonly services: number
    readonly operations: number
    readonly paginators: number
    readonly waiters: number
    readonly errors: number
    readonly bytes: number
    readonly fallback: ReadonlyArray<string>
    readonly mappedNames: number
    readonly derivedNames: number
  }
}

const readOverlay = (service: ServiceModel): Overlay | undefined => {
  const file = path.join(overlayDir, `${service.key}.json`)
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Overlay) : undefined
}

/** Generates every service in memory. */
export const generateAll = (): Generated => {
  const services = loadServices()
  const files = new Map<string, string>()
  const exports: Record<string, { types: string; default: string }> = {}
  const ids = new Set<string>()
  const folders = new Set<string>()
  let operations = 0
  let paginators = 0
  let waiters = 0
  let errors = 0
  let bytes = 0
  let mappedNames = 0
  let derivedNames = 0
  const fallback: Array<string> = []
  for (const service of services) {
    if (ids.has(service.id) || folders.has(service.folder))
      throw new Error(`two services map onto ${service.id} / ${service.folder}`)
    ids.add(service.id)
    folders.add(service.folder)
    const customizations = fs.existsSync(path.join(servicesDir, service.folder, "Customizations.ts"))
    const out = emit(service, readOverlay(service), { customizations })
    files.set(`${service.folder}/index.ts`, out.code)
    exports[`./${service.id}`] = {
      types: `./dist/Services/${service.folder}/index.d.ts`,
      default: `./dist/Services/${service.folder}/index.js`
    }
    operations += out.operations
    paginators += out.paginators
    waiters += out.waiters
    errors += out.errors
    bytes += Buffer.byteLength(out.code)
    if (out.rules === "fallback") fallback.push(service.key)
    mappedNames += out.names.mapped
    derivedNames += out.names.derived
  }
  return {
    files,
    exports,
    summary: {
      services: services.length,
      operations,
      paginators,
      waiters,
      errors,
      bytes,
      fallback,
      mappedNames,
      derivedNames
    }
  }
}

type ExportMap = Record<string, unknown>

/** A generated client's entry: `./dist/Services/<Name>/index.js`, nothing deeper. */
const generatedEntry = /^\.\/dist\/Services\/[^/]+\/index\.js$/

/**
 * package.json's exports: the hand-written entries, the generated block sorted, `./package.json`
 * last. Hand-written modules inside a service folder (`./s3/manager` ->
 * `./dist/Services/S3/Manager/index.js`) are kept: only a service's own `index.js` is generated.
 */
export const mergeExports = (current: ExportMap, generated: Generated["exports"]): ExportMap => {
  const out: ExportMap = {}
  for (const [k, v] of Object.entries(current)) {
    const isGenerated =
      typeof v === "object" && v !== null && generatedEntry.test(String((v as { default?: unknown }).default))
    if (!isGenerated && k !== "./package.json") out[k] = v
  }
  for (const k of Object.keys(generated).sort()) out[k] = generated[k]
  if ("./package.json" in current) out["./package.json"] = current["./package.json"]
  return out
}

const main = () => {
  const check = process.argv.includes("--check")
  const started = Date.now()
  const generated = generateAll()
  const pkgFile = path.join(root, "package.json")
  const pkgText = fs.readFileSync(pkgFile, "utf8")
  const pkg = JSON.parse(pkgText) as { exports?: ExportMap }
  const nextPkg = `${JSON.stringify({ ...pkg, exports: mergeExports(pkg.exports ?? {}, generated.exports) }, null, 2)}\n`
  const s = generated.summary
  if (check) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "codegen-check-"))
    const problems: Array<string> = []
    try {
      for (const [rel, code] of generated.files) {
        const out = path.join(tmp, rel)
        fs.mkdirSync(path.dirname(out), { recursive: true })
        fs.writeFileSync(out, code)
        const committed = path.join(servicesDir, rel)
        if (!fs.existsSync(committed)) problems.push(`missing: src/Services/${rel}`)
        else if (!fs.readFileSync(committed).equals(fs.readFileSync(out)))
          problems.push(`differs: src/Services/${rel}`)
      }
      for (const folder of fs.existsSync(servicesDir) ? fs.readdirSync(servicesDir) : []) {
        const rel = `${folder}/index.ts`
        if (fs.existsSync(path.join(servicesDir, rel)) && !generated.files.has(rel))
          problems.push(`stale: src/Services/${rel}`)
      }
      if (nextPkg !== pkgText) problems.push("differs: package.json exports")
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
    if (problems.length > 0) {
      console.error(`${problems.join("\n")}\ngenerated code is stale: run npm run codegen`)
      process.exit(1)
    }
    console.log(`codegen check: ${generated.files.size} files up to date (${Date.now() - started} ms)`)
    return
  }
  for (const [rel, code] of generated.files) {
    const out = path.join(servicesDir, rel)
    fs.mkdirSync(path.dirname(out), { recursive: true })
    if (!fs.existsSync(out) || fs.readFileSync(out, "utf8") !== code) fs.writeFileSync(out, code)
  }
  if (nextPkg !== pkgText) fs.writeFileSync(pkgFile, nextPkg)
  console.log(
    `${s.services} services, ${s.operations} operations, ${s.paginators} paginators, ${s.waiters} waiters, ` +
      `${s.errors} error classes, ${(s.bytes / 1e6).toFixed(1)} MB in ${Date.now() - started} ms\n` +
      `structure names: ${s.mappedNames} from the overlay, ${s.derivedNames} derived from their use\n` +
      `endpoint fallback (${s.fallback.length}): ${s.fallback.join(" ")}`
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main()
