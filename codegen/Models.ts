/**
 * The service list of the generator: every service of the `aws-sdk` v2 package (`apis/metadata.json`)
 * with its newest api-2 model (`apis/<prefix>-<version>.min.json`), paginators and waiters, and the
 * names derived from it (module folder, export path, `@aws-sdk/client-*` package).
 *
 * Shared by `codegen/overlay/fetch.ts` and `codegen/generate.ts`.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

const require = createRequire(import.meta.url)

/** The `apis/` folder of the pinned `aws-sdk` package. */
export const apisDir: string = path.join(path.dirname(require.resolve("aws-sdk/package.json")), "apis")

/** A member or shape of a `.min.json` model: shared shapes by `shape`, others inline; `{}` is a string. */
export interface MinShape {
  readonly shape?: string
  readonly type?: string
  readonly members?: Readonly<Record<string, MinShape>>
  readonly member?: MinShape
  readonly key?: MinShape
  readonly value?: MinShape
  readonly required?: ReadonlyArray<string>
  readonly [trait: string]: unknown
}

export interface MinOperation {
  readonly name: string
  readonly http?: { readonly method?: string; readonly requestUri?: string; readonly responseCode?: number }
  readonly input?: MinShape
  readonly output?: MinShape
  readonly [trait: string]: unknown
}

export interface MinModel {
  readonly metadata: Readonly<Record<string, unknown>> & {
    readonly protocol: string
    readonly serviceId: string
    readonly endpointPrefix: string
    readonly apiVersion: string
    readonly uid?: string
    readonly globalEndpoint?: string
    readonly signingName?: string
  }
  readonly operations: Readonly<Record<string, MinOperation>>
  readonly shapes: Readonly<Record<string, MinShape>>
}

/**
 * One operation's endpoint parameter bindings as the overlay carries them (api-2 / Smithy form),
 * newer than the `.min.json` models: DynamoDB's `ResourceArn` from `TableName`, for one.
 */
export interface Binding {
  /** parameter -> the top-level input member it is read from */
  contextParams?: Record<string, string>
  staticContextParams?: Record<string, { value: string | boolean }>
  /** parameter -> a JMESPath over the input (`keys(RequestItems)`, `Items[*].[A.B, C.D][]`) */
  operationContextParams?: Record<string, { path: string }>
}

export interface PaginatorJson {
  readonly input_token?: string | ReadonlyArray<string>
  readonly output_token?: string | ReadonlyArray<string>
  readonly limit_key?: string
  readonly more_results?: string
  readonly result_key?: string | ReadonlyArray<string>
  readonly non_aggregate_keys?: ReadonlyArray<string>
}

export interface AcceptorJson {
  readonly state: "success" | "failure" | "retry"
  readonly matcher: "path" | "pathAll" | "pathAny" | "status" | "error"
  readonly argument?: string
  readonly expected: unknown
}

export interface WaiterJson {
  readonly delay: number
  readonly maxAttempts: number
  readonly operation: string
  readonly acceptors: ReadonlyArray<AcceptorJson>
}

export interface ServiceModel {
  /** The key in `metadata.json` (`s3`, `cloudwatchlogs`): the overlay file name. */
  readonly key: string
  /** The client class name (`S3`, `CloudWatchLogs`) from `metadata.json`. */
  readonly className: string
  /** `s3`, `cloudwatch-logs`: the export path `effect-aws-sdk/<id>`, and the v3 package suffix. */
  readonly id: string
  /** The folder under `src/Services/`. */
  readonly folder: string
  readonly file: string
  readonly model: MinModel
  readonly paginators: Readonly<Record<string, PaginatorJson>>
  readonly waiters: Readonly<Record<string, WaiterJson>>
}

const readJson = <A>(file: string): A => JSON.parse(fs.readFileSync(file, "utf8")) as A

/** `CloudWatch Logs` -> `cloudwatch-logs`: the service id as v3 package names and our export paths spell it. */
export const serviceIdSlug = (serviceId: string): string =>
  serviceId.trim().toLowerCase().replace(/\s+/g, "-")

/** Every service of the model set, sorted by key. */
export const loadServices = (): ReadonlyArray<ServiceModel> => {
  const metadata = readJson<Record<string, { readonly name: string; readonly prefix?: string }>>(
    path.join(apisDir, "metadata.json")
  )
  const files = fs.readdirSync(apisDir)
  const services: Array<ServiceModel> = []
  for (const key of Object.keys(metadata).sort()) {
    const entry = metadata[key]!
    const prefix = entry.prefix ?? key
    const versions = files
      .filter(
        (f) => f.startsWith(`${prefix}-`) && /^\d{4}-\d{2}-\d{2}\.min\.json$/.test(f.slice(prefix.length + 1))
      )
      .sort()
    const newest = versions[versions.length - 1]
    if (newest === undefined) continue
    const base = newest.slice(0, -".min.json".length)
    const model = readJson<MinModel>(path.join(apisDir, newest))
    const pagFile = path.join(apisDir, `${base}.paginators.json`)
    const waitFile = path.join(apisDir, `${base}.waiters2.json`)
    const paginators = fs.existsSync(pagFile)
      ? (readJson<{ pagination?: Record<string, PaginatorJson> }>(pagFile).pagination ?? {})
      : {}
    const waiters = fs.existsSync(waitFile)
      ? (readJson<{ waiters?: Record<string, WaiterJson> }>(waitFile).waiters ?? {})
      : {}
    const id = serviceIdSlug(model.metadata.serviceId)
    services.push({
      key,
      className: entry.name,
      id,
      folder: entry.name,
      file: newest,
      model,
      paginators,
      waiters
    })
  }
  return services
}

/** The `@aws-sdk/client-*` package that corresponds to a service. */
export const v3PackageName = (service: ServiceModel): string => `@aws-sdk/client-${service.id}`
