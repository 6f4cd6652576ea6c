/**
 * The request pipeline's public surface: per-call options and retry overrides, operation types,
 * and the transports (Node's HTTP stack by default, or any `@effect/platform` `HttpClient`).
 *
 * @since 0.1.0
 */

export * as Body from "./Body.js"
export {
  type CallOptions,
  type ClientConfig,
  type ClientOverrides,
  type Customizations,
  currentRetryPolicy,
  layer,
  make,
  type Operation,
  type OperationSpec,
  operation,
  type PresignedRequest,
  type PresignOptions,
  type RawResponse,
  type SdkError,
  type ServiceClient,
  type ServiceDefinition,
  withRetry
} from "./Client.js"
export * as ClockSkew from "./ClockSkew.js"
export * as HttpClientTransport from "./HttpClientTransport.js"
export * as NodeTransport from "./NodeTransport.js"
export * as Sigv4 from "./Sigv4.js"
export {
  type HttpRequest,
  type HttpResponse,
  type SendOptions,
  type StreamBody,
  Transport,
  type TransportService
} from "./Transport.js"
