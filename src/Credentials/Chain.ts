/**
 * Provider chains, and the default chain every AWS SDK uses, in the same order:
 *
 * 1. environment variables (`AWS_ACCESS_KEY_ID`, ...);
 * 2. the shared config and credentials files' profile (static keys, assume role, web identity,
 *    SSO, `credential_process`);
 * 3. web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`);
 * 4. the container endpoint (ECS task roles, EKS Pod Identity);
 * 5. the EC2 instance metadata service.
 *
 * A chain tries its providers in order: a provider that does not apply ("not configured": nothing
 * configures it) passes to the next; any other failure stops the chain, since something was
 * configured and is broken. When no provider applies, the error lists what each one found.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "effect-aws-sdk"
 * const credentials = Chain.defaultChain().pipe(
 *   Layer.provide(NodeTransport.layer()),
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { Transport } from "../Request/Transport.js"
import * as Cache from "./Cache.js"
import * as Container from "./Container.js"
import {
  type AwsCredentials,
  type Credentials,
  type CredentialsError,
  type CredentialsProvider,
  notConfigured
} from "./Credentials.js"
import * as Environment from "./Environment.js"
import * as InstanceMetadata from "./InstanceMetadata.js"
import * as Process from "./Process.js"
import * as SharedFile from "./SharedFile.js"
import * as WebIdentity from "./WebIdentity.js"

/** A named provider of a chain. */
export interface ChainLink {
  readonly name: string
  readonly provider: CredentialsProvider
}

/**
 * A chain of providers, uncached: the first that has credentials wins. `refresh` forces a
 * refresh of the provider that answers.
 */
export const fromLinks = (links: ReadonlyArray<ChainLink>): CredentialsProvider => {
  const run = (pick: (p: CredentialsProvider) => Effect.Effect<AwsCredentials, CredentialsError>) =>
    Effect.gen(function* () {
      const skipped: Array<string> = []
      for (const link of links) {
        const outcome = yield* Effect.either(pick(link.provider))
        if (outcome._tag === "Right") return outcome.right
        if (outcome.left.reason !== "NotConfigured") return yield* Effect.fail(outcome.left)
        skipped.push(`${link.name}: ${outcome.left.detail ?? outcome.left.message}`)
      }
      return yield* Effect.fail(
        notConfigured("chain", `no provider in the chain found credentials (${skipped.join("; ")})`)
      )
    })
  return { get: run((p) => p.get), refresh: run((p) => p.refresh) }
}

/** Options of the default chain. */
export interface DefaultChainOptions extends SharedFile.SharedFileOptions {
  readonly instanceMetadata?: InstanceMetadata.InstanceMetadataOptions | undefined
  readonly container?: Container.ContainerOptions | undefined
  /** How the chain's result is cached (see `Cache`). */
  readonly cache?: Cache.CacheOptions | undefined
}

/** The names of the default chain's links, in order. */
export const defaultOrder = ["environment", "profile", "web-identity", "container", "imds"] as const

/** The default chain's links, each provider uncached. */
export const defaultLinks = (
  options: DefaultChainOptions = {}
): Effect.Effect<ReadonlyArray<ChainLink>, never, FileSystem | Transport> =>
  Effect.gen(function* () {
    const environment = yield* Environment.make
    const profile = yield* SharedFile.make(options)
    const webIdentity = yield* WebIdentity.makeFromEnvironment({
      sts: options.calls?.sts,
      callLimits: options.callLimits,
      region: options.region,
      sharedConfig: options.sharedConfig
    })
    const container = yield* Container.make(options.container)
    const imds = yield* InstanceMetadata.make({
      ...options.instanceMetadata,
      sharedConfig: options.sharedConfig
    })
    return [
      { name: "environment", provider: environment },
      { name: "profile", provider: profile },
      { name: "web-identity", provider: webIdentity },
      { name: "container", provider: container },
      { name: "imds", provider: imds }
    ]
  })

/** The default chain, uncached (for tests and for wrapping in a cache of one's own). */
export const makeDefault = (
  options: DefaultChainOptions = {}
): Effect.Effect<CredentialsProvider, never, FileSystem | Transport> =>
  Effect.map(defaultLinks(options), fromLinks)

/**
 * The default credentials chain as a cached layer: `Credentials.defaultChain()`. Refreshes are
 * single-flight and happen before expiry (see `Cache`). Unless `cache.refreshTimeout` says
 * otherwise, a refresh's deadline leaves a profile's `credential_process` its whole time limit
 * (`Process.cacheDeadlineFor`: the limit, 1 minute by default, plus 5 s).
 */
export const defaultChain = (
  options: DefaultChainOptions = {}
): Layer.Layer<Credentials, never, FileSystem | Transport> =>
  Cache.layer(makeDefault(options), {
    refreshTimeout: Process.cacheDeadlineFor(options.processTimeout),
    ...options.cache
  })
