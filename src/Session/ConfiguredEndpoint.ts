/**
 * Configured endpoint URLs: the endpoint a user sets for a service outside the code, resolved as
 * every AWS SDK does (the cross-SDK configured endpoint suite). Highest precedence first:
 *
 * 1. the client's own `endpointUrl` (always used, even when configured endpoints are ignored);
 * 2. `AWS_ENDPOINT_URL_<SERVICE>` (the service id upper-cased, spaces as underscores);
 * 3. `AWS_ENDPOINT_URL`;
 * 4. `endpoint_url` in the service's block of the profile's `[services x]` section (the block is
 *    the service id lower-cased, spaces as underscores: `s3 =\n  endpoint_url = ...`);
 * 5. `endpoint_url` in the profile.
 *
 * Steps 2-5 are skipped when configured endpoints are ignored: the client's
 * `ignoreConfiguredEndpointUrls`, else `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, else the profile's
 * `ignore_configured_endpoint_urls`. None found means the SDK resolves the endpoint itself.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type ProfileSet, type Section, servicesOf } from "./ProfileSet.js"
import type { ConfigValueError } from "./ProfileSettings.js"
import * as ProfileSettings from "./ProfileSettings.js"

/** What the client itself was given. */
export interface ClientEndpointConfig {
  readonly endpointUrl?: string | undefined
  readonly ignoreConfiguredEndpointUrls?: boolean | undefined
}

/** Where a configured endpoint came from (for diagnostics). */
export type EndpointUrlSource =
  | "client"
  | "environment-service"
  | "environment-global"
  | "services-section"
  | "profile"

/** A configured endpoint and where it was found. */
export interface ConfiguredEndpointUrl {
  readonly url: string
  readonly source: EndpointUrlSource
}

/** The global endpoint variable. */
export const globalEndpointEnvName = "AWS_ENDPOINT_URL"

/** The variable that turns configured endpoints off. */
export const ignoreEndpointsEnvName = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"

/** `AWS_ENDPOINT_URL_<SERVICE>` for a service id: `"Elastic Beanstalk"` → `AWS_ENDPOINT_URL_ELASTIC_BEANSTALK`. */
export const serviceEndpointEnvName = (serviceId: string): string =>
  `${globalEndpointEnvName}_${serviceId.toUpperCase().replace(/ /g, "_")}`

/** The block key in a `[services x]` section: `"Elastic Beanstalk"` → `elastic_beanstalk`. */
export const servicesSectionKey = (serviceId: string): string => serviceId.toLowerCase().replace(/ /g, "_")

/** The environment variables the resolution reads for a service. */
export const endpointEnvNames = (serviceId: string): ReadonlyArray<string> => [
  serviceEndpointEnvName(serviceId),
  globalEndpointEnvName,
  ignoreEndpointsEnvName
]

/** What the resolution needs to know. */
export interface ConfiguredEndpointInput {
  /** The service id of the API model (`S3`, `DynamoDB`, `Elastic Beanstalk`). */
  readonly serviceId: string
  /** The environment; empty values count as unset. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The selected profile, if any. */
  readonly profile?: Section | undefined
  /** The whole set, to follow the profile's `services` to its section. */
  readonly profileSet?: ProfileSet | undefined
  readonly client?: ClientEndpointConfig | undefined
}

const fromEnv = (env: ConfiguredEndpointInput["env"], name: string): string | undefined => {
  const value = env[name]
  return value === undefined || value === "" ? undefined : value
}

/** Whether configured endpoints are ignored: client, then environment, then profile. */
export const ignoresConfiguredEndpoints = (
  input: ConfiguredEndpointInput
): Either.Either<boolean, ConfigValueError> => {
  const fromClient = input.client?.ignoreConfiguredEndpointUrls
  if (fromClient !== undefined) return Either.right(fromClient)
  const text = fromEnv(input.env, ignoreEndpointsEnvName)
  if (text !== undefined) {
    return ProfileSettings.decodeValue(
      ProfileSettings.IgnoreConfiguredEndpointUrls,
      text,
      "the environment",
      ignoreEndpointsEnvName
    )
  }
  return Either.map(
    ProfileSettings.read(input.profile, ProfileSettings.IgnoreConfiguredEndpointUrls),
    Option.getOrElse(() => false)
  )
}

/**
 * The configured endpoint URL for a service, or none when the SDK should resolve it. Fails only
 * when an ignore flag is not a boolean.
 *
 * @example
 * ```ts
 * resolve({ serviceId: "S3", env: { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4566" } })
 * // Either.right(Option.some({ url: "http://127.0.0.1:4566", source: "environment-service" }))
 * ```
 */
export const resolve = (
  input: ConfiguredEndpointInput
): Either.Either<Option.Option<ConfiguredEndpointUrl>, ConfigValueError> => {
  const found = (url: string, source: EndpointUrlSource) => Either.right(Option.some({ url, source }))
  const clientUrl = input.client?.endpointUrl
  if (clientUrl !== undefined && clientUrl !== "") return found(clientUrl, "client")
  const ignored = ignoresConfiguredEndpoints(input)
  if (Either.isLeft(ignored)) return Either.left(ignored.left)
  if (ignored.right) return Either.right(Option.none())

  const serviceEnv = fromEnv(input.env, serviceEndpointEnvName(input.serviceId))
  if (serviceEnv !== undefined) return found(serviceEnv, "environment-service")
  const globalEnv = fromEnv(input.env, globalEndpointEnvName)
  if (globalEnv !== undefined) return found(globalEnv, "environment-global")

  const profile = input.profile
  if (profile === undefined) return Either.right(Option.none())
  const services = input.profileSet === undefined ? undefined : servicesOf(input.profileSet, profile)
  const fromServices = services?.subProperty(servicesSectionKey(input.serviceId), "endpoint_url")
  if (fromServices !== undefined && fromServices !== "") return found(fromServices, "services-section")
  const fromProfile = profile.get("endpoint_url")
  if (fromProfile !== undefined && fromProfile !== "") return found(fromProfile, "profile")
  return Either.right(Option.none())
}
