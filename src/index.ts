/**
 * effect-aws-sdk: the AWS SDK, rebuilt natively for Effect.
 *
 * The core namespaces; each service client is its own entry point (`effect-aws-sdk/s3`, ...).
 *
 * @since 0.1.0
 */
export * as Credentials from "./Credentials/index.js"
export * as Endpoints from "./Endpoints/index.js"
export * as Errors from "./Request/Errors.js"
export * as Request from "./Request/index.js"
export * as Retry from "./Request/Retry.js"
export * as Session from "./Session/index.js"
export * as NodeFileSystem from "./Session/NodeFileSystem.js"
export * as SharedConfig from "./Session/SharedConfig.js"
