/**
 * Endpoint resolution for one call: the client's compiled rule set fed with the built-ins from the
 * client's settings, the operation's context parameters from its input, and its static context
 * parameters; the result parsed into where to send and how to sign.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ContextPath from "../Endpoints/ContextPath.js"
import { EndpointError } from "../Endpoints/EndpointError.js"
import type { EndpointParams, ParameterValue } from "../Endpoints/RuleSet.js"
import type { OperationModel } from "../Protocols/Shape.js"
import type { ClientConfig, ServiceClient } from "./Client.js"

/** Where to send a request and how to sign it. */
export interface Target {
  readonly protocol: "http:" | "https:"
  readonly hostname: string
  readonly port: number | undefined
  /** A path the endpoint URL carries (`/bucket` for path-style S3), without a trailing slash. */
  readonly basePath: string
  readonly headers: Readonly<Record<string, string>>
  readonly signingName: string | undefined
  readonly signingRegion: string | undefined
  /** True when the endpoint came from the caller (hostPrefix is still applied, as the SDKs do). */
  readonly custom: boolean
}

/**
 * A custom endpoint on `localhost` or an IP address: S3 addresses buckets in the path there unless
 * `forcePathStyle: false` says otherwise, as the other SDKs do for IPs (the rule set already does
 * for IPs; `bucket.localhost` would need a DNS name no local S3 has).
 */
const isLocalEndpoint = (endpoint: string): boolean => {
  let hostname: string
  try {
    hostname = new URL(endpoint).hostname
  } catch {
    return false
  }
  return (
    hostname === "localhost" ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) ||
    (hostname.startsWith("[") && hostname.endsWith("]"))
  )
}

const builtInValue = (
  name: string,
  config: ClientConfig,
  endpoint: string | undefined
): ParameterValue | undefined => {
  const explicit = config.endpointParams[name]
  if (explicit !== undefined) return explicit
  switch (name) {
    case "AWS::Region":
      return config.region
    case "AWS::UseFIPS":
      return config.useFipsEndpoint
    case "AWS::UseDualStack":
      return config.useDualstackEndpoint
    case "SDK::Endpoint":
      return endpoint
    case "AWS::S3::ForcePathStyle":
      return (
        config.s3.forcePathStyle ?? (endpoint !== undefined && isLocalEndpoint(endpoint) ? true : undefined)
      )
    case "AWS::S3::Accelerate":
      return config.s3.useAccelerateEndpoint
    case "AWS::S3::UseArnRegion":
    case "AWS::S3Control::UseArnRegion":
      return config.s3.useArnRegion
    case "AWS::S3::DisableMultiRegionAccessPoints":
      return config.s3.disableMultiRegionAccessPoints
    case "AWS::S3::UseGlobalEndpoint":
      return config.s3.useGlobalEndpoint
    case "AWS::STS::UseGlobalEndpoint":
      return config.stsRegionalEndpoints === "legacy"
    case "AWS::Auth::AccountId":
      return config.accountId
    default:
      return undefined
  }
}

const isParameterValue = (value: unknown): value is ParameterValue =>
  typeof value === "string" ||
  typeof value === "boolean" ||
  (Array.isArray(value) && value.every((v) => typeof v === "string"))

const paths = new Map<string, ContextPath.ContextPath>()
const pathOf = (source: string): ContextPath.ContextPath => {
  let path = paths.get(source)
  if (path === undefined) {
    path = ContextPath.parse(source)
    paths.set(source, path)
  }
  return path
}

/** Where an operation's context parameters come from, read once from its (immutable) model. */
interface ParamSources {
  /** [input member, parameter] of members with `contextParam`. */
  readonly members: ReadonlyArray<readonly [string, string]>
  /** [parameter, input member] of the operation's `contextParams`. */
  readonly context: ReadonlyArray<readonly [string, string]>
  readonly paths: ReadonlyArray<readonly [string, ContextPath.ContextPath]>
  readonly statics: ReadonlyArray<readonly [string, ParameterValue]>
}

const sources = new WeakMap<OperationModel, ParamSources>()
const sourcesOf = (operation: OperationModel): ParamSources => {
  let found = sources.get(operation)
  if (found !== undefined) return found
  const members: Array<readonly [string, string]> = []
  for (const [name, ref] of Object.entries(operation.input?.shape.members ?? {})) {
    if (ref.contextParam) members.push([name, ref.contextParam.name])
  }
  found = {
    members,
    context: Object.entries(operation.contextParams ?? {}),
    paths: Object.entries(operation.operationContextParams ?? {}).map(([name, { path }]) => [
      name,
      pathOf(path)
    ]),
    statics: Object.entries(operation.staticContextParams ?? {}).map(([name, { value }]) => [name, value])
  }
  sources.set(operation, found)
  return found
}

/**
 * Context parameters of an operation: from input members (the members' `contextParam`, then the
 * operation's `contextParams` and `operationContextParams`), then the operation's static ones.
 */
export const contextParams = (
  operation: OperationModel,
  input: Readonly<Record<string, unknown>>
): EndpointParams => {
  const params: Record<string, ParameterValue> = {}
  addContextParams(params, operation, input)
  return params
}

const addContextParams = (
  params: Record<string, ParameterValue>,
  operation: OperationModel,
  input: Readonly<Record<string, unknown>>
): void => {
  const { members, context, paths, statics } = sourcesOf(operation)
  for (let i = 0; i < members.length; i++) {
    const [name, param] = members[i]!
    const value = input[name]
    if (typeof value === "string" || typeof value === "boolean") params[param] = value
  }
  for (let i = 0; i < context.length; i++) {
    const [name, member] = context[i]!
    const value = Object.hasOwn(input, member) ? input[member] : undefined
    if (typeof value === "string" || typeof value === "boolean") params[name] = value
  }
  for (let i = 0; i < paths.length; i++) {
    const [name, path] = paths[i]!
    const value = ContextPath.evaluate(path, input)
    if (isParameterValue(value)) params[name] = value
  }
  for (let i = 0; i < statics.length; i++) {
    const [name, value] = statics[i]!
    params[name] = value
  }
}

interface AuthScheme {
  readonly name?: string
  readonly signingName?: string
  readonly signingRegion?: string
  readonly signingRegionSet?: ReadonlyArray<string>
}

/** The parts of an endpoint URL a `Target` is made of. */
interface UrlParts {
  readonly protocol: "http:" | "https:"
  readonly hostname: string
  readonly port: number | undefined
  readonly basePath: string
}

// Parsed endpoint URLs: a `URL` per call costs real time (bench/README.md), and a client sends to
// a handful of URLs (one per bucket for virtual-hosted S3). The parts are a pure function of the string, so nothing here
// can go stale; the map is emptied when it grows past a bound.
const parsedUrls = new Map<string, UrlParts>()

const parseUrl = (url: string): Either.Either<UrlParts, EndpointError> => {
  const cached = parsedUrls.get(url)
  if (cached !== undefined) return Either.right(cached)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(
      new EndpointError({ message: `the endpoint ${JSON.stringify(url)} is not a valid URL` })
    )
  }
  const path = parsed.pathname === "/" ? "" : parsed.pathname.replace(/\/$/, "")
  const parts: UrlParts = {
    protocol: parsed.protocol === "http:" ? "http:" : "https:",
    hostname: parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname,
    port: parsed.port === "" ? undefined : Number(parsed.port),
    basePath: path
  }
  if (parsedUrls.size >= 256) parsedUrls.clear()
  parsedUrls.set(url, parts)
  return Either.right(parts)
}

// Targets resolved so far, per resolver (rule set) and parameters. The rules are a pure function
// of the parameters (region, bucket, FIPS, endpoint and the rest are all among them) and the
// partition table is fixed, so an entry can never go stale; the map is emptied when it grows past
// a bound. Failures are not kept. Running the rules and building a target on every call costs real time.
const targets = new WeakMap<object, Map<string, Target>>()

/** Resolves where one call goes. */
export const resolve = (
  client: ServiceClient,
  operation: OperationModel,
  input: Readonly<Record<string, unknown>>,
  endpointOverride: string | undefined
): Either.Either<Target, EndpointError> => {
  const config = client.config
  const endpoint = endpointOverride ?? config.endpoint
  const resolver = client.endpoints()
  const params: Record<string, ParameterValue> = {}
  const builtIns = resolver.builtIns
  for (const builtIn in builtIns) {
    const value = builtInValue(builtIn, config, endpoint)
    if (value !== undefined) params[builtIns[builtIn]!] = value
  }
  addContextParams(params, operation, input)
  if (params.Region === undefined && endpoint === undefined && "Region" in resolver.parameters) {
    return Either.left(
      new EndpointError({
        message: `no region is configured for ${config.serviceId}: set AWS_REGION, a profile region, or the client's region`,
        parameter: "Region"
      })
    )
  }
  let cache = targets.get(resolver)
  if (cache === undefined) {
    cache = new Map()
    targets.set(resolver, cache)
  }
  const key = `${endpoint === undefined ? 0 : 1}${JSON.stringify(params)}`
  const cached = cache.get(key)
  if (cached !== undefined) return Either.right(cached)
  const found = cache
  return Either.flatMap(resolver.resolve(params), (resolved) =>
    Either.map(parseUrl(resolved.url), (url): Target => {
      const schemes = (resolved.properties.authSchemes ?? []) as ReadonlyArray<AuthScheme>
      const scheme = schemes.find((s) => s.name === "sigv4") ?? schemes[0]
      const headers: Record<string, string> = {}
      for (const k in resolved.headers) headers[k.toLowerCase()] = resolved.headers[k]!.join(",")
      const target: Target = Object.freeze({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        basePath: url.basePath,
        headers: Object.freeze(headers),
        signingName: scheme?.signingName,
        signingRegion: scheme?.signingRegion ?? scheme?.signingRegionSet?.[0],
        custom: endpoint !== undefined
      })
      if (found.size >= 256) found.clear()
      found.set(key, target)
      return target
    })
  )
}
