/**
 * The session of a Node program, with everything resolved the way the other AWS SDKs do: the
 * shared config files read once (through `NodeFileSystem`, over `node:fs`), the environment
 * through Effect's `Config`, credentials from the default chain (cached, refreshed before
 * expiry), and one keep-alive connection pool shared by every client and credential provider.
 *
 * @example
 * ```ts
 * import * as S3 from "effect-aws-sdk/s3"
 * import { Session } from "effect-aws-sdk"
 *
 * const program = S3.listBuckets({}).pipe(Effect.provide(S3.layer()), Effect.provide(Session.layer()))
 * ```
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Chain from "../Credentials/Chain.js"
import type { Credentials } from "../Credentials/Credentials.js"
import * as NodeTransport from "../Request/NodeTransport.js"
import type { Transport } from "../Request/Transport.js"
import * as NodeFileSystem from "./NodeFileSystem.js"
import { layerFrom, type SessionOptions } from "./Resolve.js"
import type { Session, SessionConfigError } from "./Session.js"
import * as SharedConfig from "./SharedConfig.js"

/** What `layer` takes besides the settings of `SessionOptions`. */
export interface NodeSessionOptions extends SessionOptions {
  /** The profile of the shared config files (default: `AWS_PROFILE`, else `default`). */
  readonly profile?: string | undefined
  /**
   * Where credentials come from (default: the default chain). Any layer producing `Credentials`
   * (`Credentials.layerStatic(...)`, an assume-role provider, ...); it may use the session's
   * transport and files.
   */
  readonly credentials?:
    | Layer.Layer<Credentials, never, SharedConfig.SharedConfig | Transport | FileSystem>
    | undefined
  /** Settings of the connection pool. */
  readonly transport?: NodeTransport.NodeTransportOptions | undefined
}

/**
 * The Node session: the Go SDK's `session.NewSession()` (with `SharedConfigEnable`). Fails, when
 * built, with a typed error if a setting in the environment or the files is malformed.
 */
export const layer = (
  options: NodeSessionOptions = {}
): Layer.Layer<Session, SessionConfigError | SharedConfig.SharedConfigError> => {
  const base = Layer.mergeAll(
    NodeTransport.layer(options.transport),
    SharedConfig.layer({ profile: options.profile })
  ).pipe(Layer.provideMerge(NodeFileSystem.layer))
  const credentials =
    options.credentials ??
    Layer.unwrapEffect(
      Effect.map(SharedConfig.SharedConfig, (sharedConfig) =>
        Chain.defaultChain({ profile: options.profile, region: options.region, sharedConfig })
      )
    )
  return layerFrom(options).pipe(Layer.provide(credentials), Layer.provide(base))
}
