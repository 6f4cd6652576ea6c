/**
 * Service clients and operations.
 *
 * A generated service module declares its client tag, a `ServiceDefinition` (api-2 metadata,
 * endpoint rules, hand-written customizations) and one `operation` per API operation:
 *
 * ```ts
 * export class S3 extends Context.Tag("effect-aws-sdk/S3")<S3, Client.ServiceClient>() {}
 * export const layer = Client.layer(S3, definition)           // (overrides?) => Layer<S3, never, Session>
 * export const getObject: Client.Operation<GetObjectRequest, GetObjectOutput, GetObjectError, S3 | Scope>
 *   = Client.operation(S3, { model: GetObject, errors: [NoSuchKey, InvalidObjectState] })
 * ```
 *
 * `getObject(input, options?)` is an `Effect`; `getObject.presign(input, { expiresIn })` a
 * presigned request; `getObject.withResponse(input)` also returns the raw HTTP status and headers.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { CredentialsError, CredentialsProvider } from "../Credentials/Credentials.js"
import type { EndpointError } from "../Endpoints/EndpointError.js"
import type { DecisionDiagram, RuleSet } from "../Endpoints/RuleSet.js"
import { compile as compileRules, type EndpointResolver } from "../Endpoints/RulesEngine.js"
import type { ProtocolCodec, ProtocolFactory } from "../Protocols/Protocol.js"
import type { OperationModel, ServiceMetadata, StructureShape } from "../Protocols/Shape.js"
import type {
  ChecksumMode,
  CommonSettings,
  RetryBudget,
  S3Settings,
  SessionConfigError,
  StsRegionalEndpoints
} from "../Session/Session.js"
import { retryBudget, Session } from "../Session/Session.js"
import type { Customizations } from "./Customizations.js"
import type {
  AnyServiceErrorClass,
  BodyNotReplayable,
  InvalidParams,
  NetworkError,
  PresignError,
  RequestTimeout,
  SerializationError
} from "./Errors.js"
import * as Execute from "./Execute.js"
import * as RetryStage from "./Pipeline/Retry.js"
import * as Retry from "./Retry.js"
import { KeyCache } from "./Sigv4.js"
import type { TransportService } from "./Transport.js"

/** The default cap on a response read whole (`maxResponseBytes`): 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

/** The default of `replayBufferBytes`: 8 MiB of a one-shot request body kept for a retry. */
export const DEFAULT_REPLAY_BUFFER_BYTES = 8 * 1024 * 1024

export type { Customizations } from "./Customizations.js"

/** The SDK's own failures, possible on every call. */
export type SdkError =
  | BodyNotReplayable
  | InvalidParams
  | SerializationError
  | NetworkError
  | RequestTimeout
  | CredentialsError
  | EndpointError

/** What a generated service module declares about its service. */
export interface ServiceDefinition {
  readonly metadata: ServiceMetadata
  /**
   * The codec factory of the service's protocol (`makeRestXml`, ...), imported directly so a
   * program bundles only the protocol it uses.
   */
  readonly protocol: ProtocolFactory
  /** The endpoint rule set (loaded and compiled on first use, once per client). */
  readonly endpointRules: () => RuleSet | DecisionDiagram
  readonly customizations?: Customizations | undefined
}

/** Settings a client may override when it is made from a session. */
export interface ClientOverrides extends CommonSettings {
  readonly credentials?: CredentialsProvider | undefined
  readonly maxAttempts?: number | undefined
  readonly transport?: TransportService | undefined
  /**
   * Endpoint rule-set built-ins set explicitly, by built-in name: e.g.
   * `{ "AWS::STS::UseGlobalEndpoint": true }` or `{ "AWS::Auth::AccountIdEndpointMode": "disabled" }`.
   */
  readonly endpointParams?: Readonly<Record<string, string | boolean>> | undefined
}

/** A client's resolved settings. */
export interface ClientConfig {
  readonly serviceId: string
  readonly region: string | undefined
  readonly endpoint: string | undefined
  readonly credentials: CredentialsProvider
  readonly retry: RetryBudget
  readonly transport: TransportService
  readonly useFipsEndpoint: boolean
  readonly useDualstackEndpoint: boolean
  readonly s3: S3Settings
  readonly stsRegionalEndpoints?: StsRegionalEndpoints | undefined
  readonly requestChecksumCalculation: ChecksumMode
  readonly responseChecksumValidation: ChecksumMode
  readonly connectTimeoutMs: number | undefined
  readonly idleTimeoutMs: number | undefined
  readonly maxResponseBytes: number
  readonly replayBufferBytes: number
  readonly accountId: string | undefined
  readonly appId: string | undefined
  readonly endpointParams: Readonly<Record<string, string | boolean>>
}

/** A client's mutable state: owned by the client, never global. */
export interface ClientState {
  /**
   * Server time minus local time, learned from clock-skew errors: at most 100 years either way
   * (`ClockSkew.MAX_CLOCK_OFFSET_MS`); signing ignores a value beyond that.
   */
  clockOffsetMs: number
  readonly keyCache: KeyCache
  readonly rateLimiter: Retry.RateLimiter | undefined
}

/** The service value behind every generated client tag. */
export interface ServiceClient {
  readonly definition: ServiceDefinition
  readonly config: ClientConfig
  readonly codec: ProtocolCodec
  readonly state: ClientState
  /** The compiled endpoint rules. */
  readonly endpoints: () => EndpointResolver
}

const lazy = <A>(f: () => A): (() => A) => {
  let value: A | undefined
  let done = false
  return () => {
    if (!done) {
      value = f()
      done = true
    }
    return value as A
  }
}

/** Makes a client from a session's settings and the client's overrides. */
export const make = (
  definition: ServiceDefinition,
  session: Context.Tag.Service<Session>,
  overrides: ClientOverrides = {}
): Effect.Effect<ServiceClient, SessionConfigError> =>
  Effect.gen(function* () {
    const now = yield* Retry.nowSeconds
    const serviceId = definition.metadata.serviceId ?? definition.metadata.endpointPrefix ?? "unknown"
    const configured =
      overrides.endpoint === undefined && session.serviceEndpoint !== undefined
        ? yield* session.serviceEndpoint(serviceId)
        : undefined
    const basePolicy = overrides.retry ?? session.retry.policy
    const policy =
      overrides.maxAttempts === undefined
        ? basePolicy
        : Retry.withMaxAttempts(basePolicy, overrides.maxAttempts)
    const retry = policy === session.retry.policy ? session.retry : retryBudget(policy)
    const config: ClientConfig = {
      serviceId,
      region: overrides.region ?? session.region,
      endpoint: overrides.endpoint ?? configured ?? session.endpoint,
      credentials: overrides.credentials ?? session.credentials,
      retry,
      transport: overrides.transport ?? session.transport,
      useFipsEndpoint: overrides.useFipsEndpoint ?? session.useFipsEndpoint,
      useDualstackEndpoint: overrides.useDualstackEndpoint ?? session.useDualstackEndpoint,
      s3: { ...session.s3, ...overrides.s3 },
      stsRegionalEndpoints: overrides.stsRegionalEndpoints ?? session.stsRegionalEndpoints,
      requestChecksumCalculation: overrides.requestChecksumCalculation ?? session.requestChecksumCalculation,
      responseChecksumValidation: overrides.responseChecksumValidation ?? session.responseChecksumValidation,
      connectTimeoutMs: overrides.connectTimeoutMs ?? session.connectTimeoutMs,
      idleTimeoutMs: overrides.idleTimeoutMs ?? session.idleTimeoutMs,
      maxResponseBytes: overrides.maxResponseBytes ?? session.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      replayBufferBytes:
        overrides.replayBufferBytes ?? session.replayBufferBytes ?? DEFAULT_REPLAY_BUFFER_BYTES,
      accountId: session.accountId,
      appId: session.appId,
      endpointParams: overrides.endpointParams ?? {}
    }
    return {
      definition,
      config,
      codec: definition.protocol(definition.metadata),
      state: {
        clockOffsetMs: 0,
        keyCache: new KeyCache(),
        rateLimiter: policy.mode === "adaptive" ? new Retry.RateLimiter(now) : undefined
      },
      endpoints: lazy(() => compileRules(definition.endpointRules()))
    }
  })

/**
 * The layer of a generated client: `S3.layer(overrides?)` needs a `Session` and provides the
 * client, sharing the session's credentials, transport and retry quota.
 */
export const layer =
  <Self>(tag: Context.Tag<Self, ServiceClient>, definition: ServiceDefinition) =>
  (overrides?: ClientOverrides): Layer.Layer<Self, SessionConfigError, Session> =>
    Layer.effect(
      tag,
      Effect.flatMap(Session, (session) => make(definition, session, overrides))
    )

// ---------------------------------------------------------------------------------------------
// Per-call settings.

/** Options of one call. */
export interface CallOptions {
  /** Extra headers to send (signed with the rest). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Send this call to another endpoint URL. */
  readonly endpoint?: string | undefined
  /** Fail with `RequestTimeout` (phase `call`) when the whole call, retries included, takes longer. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The retry policy of this call. */
  readonly retry?: Retry.RetryPolicy | undefined
  /** Attempts in all for this call. */
  readonly maxAttempts?: number | undefined
}

/** The retry policy set by `withRetry` for the effects it wraps. */
export const currentRetryPolicy = RetryStage.currentRetryPolicy

/**
 * Runs `effect` with `policy` as the retry policy of every AWS call inside it.
 *
 * @example
 * S3.getObject({ Bucket, Key }).pipe(Request.withRetry(Retry.none))
 */
export const withRetry: {
  (policy: Retry.RetryPolicy): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Retry.RetryPolicy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Retry.RetryPolicy): Effect.Effect<A, E, R> =>
    Effect.locally(effect, currentRetryPolicy, Option.some(policy))
)

// ---------------------------------------------------------------------------------------------
// Operations.

/** A presigned request: what a plain HTTP client must send. */
export interface PresignedRequest {
  readonly method: string
  readonly url: string
  /** Headers that were signed and must be sent as they are. */
  readonly headers: Readonly<Record<string, string>>
  readonly expiresAt: Date
}

export interface PresignOptions {
  /** Whole seconds the URL stays valid, 1 to 604800 (7 days); outside that a `PresignError`. */
  readonly expiresIn: number
  /** Extra headers to sign, kept as headers (the caller must send them). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** The raw HTTP response of a call, for `withResponse`. */
export interface RawResponse {
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  readonly requestId: string | undefined
  /** Attempts made, the successful one included. */
  readonly attempts: number
}

/** What `operation` needs besides the client tag. */
export interface OperationSpec {
  /** The operation's model; its `errors` (the error shapes) are taken from the classes of `errors`. */
  readonly model: OperationModel
  /**
   * The operation's modeled errors, once: their classes, each carrying its tag and error shape
   * (`ServiceError("NoSuchKey", NoSuchKey$)`).
   */
  readonly errors?: ReadonlyArray<AnyServiceErrorClass> | undefined
}

/**
 * An operation as the pipeline runs it, derived once from its `OperationSpec`: the model with the
 * error shapes the codec decodes, and the error classes by code (tag, and the shape's custom
 * code such as an awsQuery code).
 */
export interface ResolvedOperation {
  readonly model: OperationModel
  readonly errorClasses: ReadonlyMap<string, AnyServiceErrorClass>
}

/** Derives the error shapes and the classes by code from the one list of error classes. */
export const resolveOperation = (spec: OperationSpec): ResolvedOperation => {
  const classes = spec.errors ?? []
  const errorClasses = new Map<string, AnyServiceErrorClass>()
  const shapes: Array<StructureShape> = []
  for (const cls of classes) {
    errorClasses.set(cls.tag, cls)
    if (cls.shape === undefined) continue
    shapes.push(cls.shape)
    errorClasses.set(cls.shape.name, cls)
    const code = cls.shape.error?.code
    if (code !== undefined) errorClasses.set(code, cls)
  }
  const model = shapes.length === 0 ? spec.model : { ...spec.model, errors: shapes }
  return { model, errorClasses }
}

/**
 * An API operation: call it for an `Effect` of its output.
 * `R` includes `Scope` for operations with a streaming output (the body lives in the scope).
 */
export interface Operation<I, O, E, R> {
  (input: I, options?: CallOptions): Effect.Effect<O, E, R>
  /** A presigned request (query-string SigV4) a plain HTTP client can send. */
  readonly presign: (
    input: I,
    options: PresignOptions
  ) => Effect.Effect<
    PresignedRequest,
    InvalidParams | SerializationError | EndpointError | CredentialsError | PresignError,
    Exclude<R, import("effect/Scope").Scope>
  >
  /** The output together with the raw HTTP status, headers and attempts. */
  readonly withResponse: (
    input: I,
    options?: CallOptions
  ) => Effect.Effect<{ readonly output: O; readonly response: RawResponse }, E, R>
  readonly model: OperationModel
}

/** Declares an operation of a client. */
export const operation = <Self, I, O, E, R>(
  tag: Context.Tag<Self, ServiceClient>,
  spec: OperationSpec
): Operation<I, O, E, R> => {
  const resolved = resolveOperation(spec)
  const run = (input: I, options?: CallOptions) =>
    Effect.flatMap(tag, (client) =>
      Execute.execute(client, resolved, input as Readonly<Record<string, unknown>>, options)
    )
  const call = ((input: I, options?: CallOptions) =>
    Effect.map(run(input, options), (r) => r.output)) as Operation<I, O, E, R>
  return Object.assign(call, {
    model: resolved.model,
    withResponse: run,
    presign: (input: I, options: PresignOptions) =>
      Effect.flatMap(tag, (client) =>
        Execute.presign(client, resolved, input as Readonly<Record<string, unknown>>, options)
      )
  }) as unknown as Operation<I, O, E, R>
}
