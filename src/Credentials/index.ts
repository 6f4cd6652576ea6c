/**
 * Credentials: the `Credentials` service and its values, every provider as a module (each with a
 * `make...` effect and a cached `layer...`), the cache, and the default chain.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-aws-sdk"
 * const live = Credentials.defaultChain().pipe(Layer.provide(NodeTransport.layer()), Layer.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
export * as AssumeRole from "./AssumeRole.js"
export * as Cache from "./Cache.js"
export * as Chain from "./Chain.js"
export { defaultChain } from "./Chain.js"
export * as Container from "./Container.js"
export * from "./Credentials.js"
export * as Environment from "./Environment.js"
export * as InstanceMetadata from "./InstanceMetadata.js"
export * as Process from "./Process.js"
export * as ServiceCalls from "./ServiceCalls.js"
export * as SharedFile from "./SharedFile.js"
export * as Sso from "./Sso.js"
export * as WebIdentity from "./WebIdentity.js"
