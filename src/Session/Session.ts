/**
 * The `Session` service: what every client made from it shares — region, credentials (one cache),
 * retry policy and retry quota, transport (one connection pool), endpoint settings.
 *
 * The Go SDK's `session.Session`. `Session.layer()` (NodeSession.ts) resolves everything once from
 * options, the environment and the shared config files (Resolve.ts); `Session.make` /
 * `Session.layerWith` take it all explicitly. This module stays small: every client imports it.
 *
 * @since 0.1.0
 */
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CredentialsProvider } from "../Credentials/Credentials.js"
import * as Retry from "../Request/Retry.js"
import { Transport, type TransportService } from "../Request/Transport.js"
import type * as ProfileSettings from "./ProfileSettings.js"

/** Settings S3 clients read (the Go SDK's `aws.Config` S3 fields). */
export interface S3Settings {
  /** Always address buckets in the path (`http://host/bucket/key`); needed for most S3 look-alikes. */
  readonly forcePathStyle?: boolean | undefined
  readonly useAccelerateEndpoint?: boolean | undefined
  readonly useArnRegion?: boolean | undefined
  readonly disableMultiRegionAccessPoints?: boolean | undefined
  readonly useGlobalEndpoint?: boolean | undefined
}

/** When to compute request checksums, and when to validate response checksums. */
export type ChecksumMode = "when_supported" | "when_required"

/**
 * Which endpoint STS uses in the regions that once had only the global one (`sts_regional_endpoints`,
 * `AWS_STS_REGIONAL_ENDPOINTS`): `regional` (the default, as in the JS v3 SDK and current botocore)
 * calls `sts.{region}.amazonaws.com`; `legacy` calls the global `sts.amazonaws.com` (signed
 * for us-east-1) from us-east-1 and the other regions that predate regional STS, as Go v1 does by
 * default.
 */
export type StsRegionalEndpoints = "legacy" | "regional"

/** Everything a session decides for the clients made from it. */
export interface SessionConfig {
  readonly region: string | undefined
  readonly credentials: CredentialsProvider
  readonly retry: RetryBudget
  readonly transport: TransportService
  /** An endpoint URL for every service (`AWS_ENDPOINT_URL`, `endpoint_url`), if configured. */
  readonly endpoint?: string | undefined
  /**
   * The endpoint URL configured for one service (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`,
   * `[services x]` sections, `endpoint_url`), by service id; none means the SDK resolves it.
   */
  readonly serviceEndpoint?:
    | ((serviceId: string) => Effect.Effect<string | undefined, SessionConfigError>)
    | undefined
  readonly useFipsEndpoint: boolean
  readonly useDualstackEndpoint: boolean
  readonly s3: S3Settings
  readonly stsRegionalEndpoints?: StsRegionalEndpoints | undefined
  readonly requestChecksumCalculation: ChecksumMode
  readonly responseChecksumValidation: ChecksumMode
  readonly connectTimeoutMs?: number | undefined
  readonly idleTimeoutMs?: number | undefined
  readonly maxResponseBytes?: number | undefined
  readonly replayBufferBytes?: number | undefined
  /** The account id for account-based endpoints (`AWS::Auth::AccountId`), if known. */
  readonly accountId?: string | undefined
  /** The application name sent in the User-Agent (`sdk_ua_app_id`). */
  readonly appId?: string | undefined
}

/** A setting in the environment or a profile that cannot be read or decoded. */
export type SessionConfigError = ConfigError.ConfigError | ProfileSettings.ConfigValueError

/** The session's retry budget: its retry policy and the quota of retries its clients share. */
export interface RetryBudget {
  readonly policy: Retry.RetryPolicy
  readonly quota: Retry.RetryQuota
}

/** @deprecated Renamed {@link RetryBudget}; removed in the next release. */
export type RetryPolicyConfig = RetryBudget

export class Session extends Context.Tag("effect-aws-sdk/Session")<Session, SessionConfig>() {}

/** A retry policy with a fresh quota sized for it. */
export const retryBudget = (policy: Retry.RetryPolicy): RetryBudget => ({
  policy,
  quota: new Retry.RetryQuota(policy.quotaCapacity)
})

/** @deprecated Renamed {@link retryBudget}; removed in the next release. */
export const retryConfig: (policy: Retry.RetryPolicy) => RetryBudget = retryBudget

/** The settings a session and a client's overrides both take (each optional). */
export interface CommonSettings {
  readonly region?: string | undefined
  /** A custom endpoint URL (`http://127.0.0.1:4566`). */
  readonly endpoint?: string | undefined
  readonly retry?: Retry.RetryPolicy | undefined
  readonly useFipsEndpoint?: boolean | undefined
  readonly useDualstackEndpoint?: boolean | undefined
  readonly s3?: S3Settings | undefined
  /** STS in the legacy regions: `regional` endpoints (the default) or the global one (`legacy`). */
  readonly stsRegionalEndpoints?: StsRegionalEndpoints | undefined
  /** Flexible checksums on uploads: `when_supported` (CRC32 by default) or only where required. */
  readonly requestChecksumCalculation?: ChecksumMode | undefined
  /**
   * `when_supported` (the default) asks S3 GetObject for the object's checksum and checks the body
   * against it as it is read; `when_required` checks only when the caller sets `ChecksumMode`.
   */
  readonly responseChecksumValidation?: ChecksumMode | undefined
  /** No connection within this long fails the attempt with `RequestTimeout` (default 10 s). */
  readonly connectTimeoutMs?: number | undefined
  /**
   * The socket silent this long while the SDK waits for a response, or for body data it asked
   * for, fails the attempt with `RequestTimeout` (default 60 s, as botocore's read timeout).
   */
  readonly idleTimeoutMs?: number | undefined
  /**
   * A response read whole (every operation but those streaming their output, and every error
   * response) larger than this fails with `SerializationError` instead of being buffered
   * (default 64 MiB, above the largest response AWS documents for such a call).
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * How much of a streamed request body that can be read only once is kept to send it again on a
   * retry (default 8 MiB). A failed attempt that sent more is not retried: the call fails with
   * `BodyNotReplayable`. A stream marked `Body.replayable` is run again instead, at any size.
   */
  readonly replayBufferBytes?: number | undefined
}

/** What `layerWith` needs; everything but credentials and transport has a default. */
export interface ExplicitSessionOptions extends CommonSettings {
  readonly credentials: CredentialsProvider
  readonly transport: TransportService
  readonly accountId?: string | undefined
  readonly appId?: string | undefined
}

/** A session from explicit settings only: nothing is read from the environment or files. */
export const make = (options: ExplicitSessionOptions): SessionConfig => ({
  region: options.region,
  credentials: options.credentials,
  transport: options.transport,
  retry: retryBudget(options.retry ?? Retry.standard()),
  endpoint: options.endpoint,
  useFipsEndpoint: options.useFipsEndpoint ?? false,
  useDualstackEndpoint: options.useDualstackEndpoint ?? false,
  s3: options.s3 ?? {},
  stsRegionalEndpoints: options.stsRegionalEndpoints,
  requestChecksumCalculation: options.requestChecksumCalculation ?? "when_supported",
  responseChecksumValidation: options.responseChecksumValidation ?? "when_supported",
  connectTimeoutMs: options.connectTimeoutMs,
  idleTimeoutMs: options.idleTimeoutMs,
  maxResponseBytes: options.maxResponseBytes,
  replayBufferBytes: options.replayBufferBytes,
  accountId: options.accountId,
  appId: options.appId
})

/** `make` as a layer. */
export const layerWith = (options: ExplicitSessionOptions): Layer.Layer<Session> =>
  Layer.succeed(Session, make(options))

/**
 * `make` as a layer without a transport of its own (as platform-node's `layerWithoutAgent`): it
 * takes the `Transport` service; explicit settings, nothing read from the environment or the
 * shared files (tests, programs that configure everything in code).
 *
 * @example
 * S3.layer().pipe(
 *   Layer.provide(Session.layerWithoutTransport({ region: "us-east-1", credentials })),
 *   Layer.provide(NodeTransport.layer())
 * )
 */
export const layerWithoutTransport = (
  options: Omit<ExplicitSessionOptions, "transport">
): Layer.Layer<Session, never, Transport> =>
  Layer.effect(
    Session,
    Effect.map(Transport, (transport) => make({ ...options, transport }))
  )

/** @deprecated Renamed {@link layerWithoutTransport} (a layer that needs a `Transport`); removed in the next release. */
export const layerOverTransport: (
  options: Omit<ExplicitSessionOptions, "transport">
) => Layer.Layer<Session, never, Transport> = layerWithoutTransport
