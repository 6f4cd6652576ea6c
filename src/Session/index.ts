/**
 * Sessions: what every client made from one shares. `Session.layer()` on Node resolves it all
 * from the environment and the shared config files; `Session.layerFrom` / `Session.make` are the
 * building blocks for programs that bring their own credentials, transport or files.
 *
 * @since 0.1.0
 */
export { layer, type NodeSessionOptions } from "./NodeSession.js"
export * from "./Resolve.js"
export * from "./Session.js"
