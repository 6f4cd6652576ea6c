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
      return config.s3.forcePathStyle
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
      return false
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

/**
 * Context parameters of an operation: from input members (the members' `contextParam`, then the
 * operation's `contextParams` and `operationContextParams`), then the operation's static ones.
 */
export const contextParams = (
  operation: OperationModel,
  input: Readonly<Record<string, unknown>>
): EndpointParams => {
  const params: Record<string, ParameterValue> = {}
  const members = operation.input?.shape.members
  if (members) {
    for (const [name, ref] of Object.entries(members)) {
      const value = input[name]
      if (ref.contextParam && (typeof value === "string" || typeof value === "boolean")) {
        params[ref.contextParam.name] = value
      }
    }
  }
  if (operation.contextParams) {
    for (const [name, member] of Object.entries(operation.contextParams)) {
      const value = Object.hasOwn(input, member) ? input[member] : undefined
      if (typeof value === "string" || typeof value === "boolean") params[name] = value
    }
  }
  if (operation.operationContextParams) {
    for (const [name, { path }] of Object.entries(operation.operationContextParams)) {
      const value = ContextPath.evaluate(pathOf(path), input)
      if (isParameterValue(value)) params[name] = value
    }
  }
  if (operation.staticContextParams) {
    for (const [name, { value }] of Object.entries(operation.staticContextParams)) params[name] = value
  }
  return params
}

interface AuthScheme {
  readonly name?: string
  readonly signingName?: string
  readonly signingRegion?: string
  readonly signingRegionSet?: ReadonlyArray<string>
}

const parseUrl = (url: string): Either.Either<URL, EndpointError> => {
  try {
    return Either.right(new URL(url))
  } catch {
    return Either.left(
      new EndpointError({ message: `the endpoint ${JSON.stringify(url)} is not a valid URL` })
    )
  }
}

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
  for (const [builtIn, param] of Object.entries(resolver.builtIns)) {
    const value = builtInValue(builtIn, config, endpoint)
    if (value !== undefined) params[param] = value
  }
  Object.assign(params, contextParams(operation, input))
  if (params.Region === undefined && endpoint === undefined && "Region" in resolver.parameters) {
    return Either.left(
      new EndpointError({
        message: `no region is configured for ${config.serviceId}: set AWS_REGION, a profile region, or the client's region`,
        parameter: "Region"
      })
    )
  }
  return Either.flatMap(resolver.resolve(params), (resolved) =>
    Either.map(parseUrl(resolved.url), (url): Target => {
      const schemes = (resolved.properties.authSchemes ?? []) as ReadonlyArray<AuthScheme>
      const scheme = schemes.find((s) => s.name === "sigv4") ?? schemes[0]
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(resolved.headers)) headers[k.toLowerCase()] = v.join(",")
      const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "")
      return {
        protocol: url.protocol === "http:" ? "http:" : "https:",
        hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port === "" ? undefined : Number(url.port),
        basePath: path,
        headers,
        signingName: scheme?.signingName,
        signingRegion: scheme?.signingRegion ?? scheme?.signingRegionSet?.[0],
        custom: endpoint !== undefined
      }
    })
  )
}
