/**
 * The AWS calls some providers make, as small function interfaces: STS `AssumeRole` and
 * `AssumeRoleWithWebIdentity`, SSO `GetRoleCredentials`, SSO OIDC `CreateToken`.
 *
 * Providers take these as options, so tests (and programs with special needs) can supply their
 * own; {@link live} implements them with the generated clients, each call made from a session
 * resolved like any other (the environment, the selected profile's endpoint URLs, FIPS and
 * dual-stack settings, retry policy) with the credentials and region the provider chooses.
 *
 * Every call {@link live} makes is bounded ({@link CallLimits}): a connect timeout (default
 * 5 s), an idle timeout (default 10 s), a total deadline per call, retries included (default
 * 20 s), and a cap on the answer's size (default 256 KiB, refused while it is read), so that an
 * endpoint that accepts the connection and never answers, trickles, or streams megabytes cannot
 * hold or swell a credentials fetch. The region a call is made in (from a profile's `sso_region`
 * or `region`, or `AWS_REGION`) must be a region name, a DNS label: it becomes part of the
 * endpoint's host name, and `sso_region = evil.example#` would otherwise send the SSO access
 * token (or the web identity token) to `portal.sso.evil.example`.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { CallOptions, ClientOverrides } from "../Request/Client.js"
import { Transport } from "../Request/Transport.js"
import type * as SSO from "../Services/SSO/index.js"
import type * as SSOOIDC from "../Services/SSOOIDC/index.js"
import type * as STS from "../Services/STS/index.js"
import * as SessionResolve from "../Session/Resolve.js"
import type * as Session from "../Session/Session.js"
import * as SharedConfig from "../Session/SharedConfig.js"
import { Credentials, CredentialsError, type CredentialsProvider } from "./Credentials.js"

/**
 * The STS, SSO and SSO OIDC clients, imported when a provider first needs them: importing the SDK
 * (or a credentials provider) does not load three service clients a program may never call.
 */
export const loadSts: Effect.Effect<typeof STS> = Effect.promise(() => import("../Services/STS/index.js"))
const loadSso: Effect.Effect<typeof SSO> = Effect.promise(() => import("../Services/SSO/index.js"))
const loadSsoOidc: Effect.Effect<typeof SSOOIDC> = Effect.promise(
  () => import("../Services/SSOOIDC/index.js")
)

/** Where and as whom a call is made. */
export interface CallContext {
  /** The region to call in. */
  readonly region: string
  /** The credentials to sign with (`Credentials.anonymous` for the unsigned calls). */
  readonly credentials: CredentialsProvider
}

/** The STS operations of the assume-role and web identity providers. */
export interface StsCalls {
  readonly assumeRole: (
    input: STS.AssumeRoleRequest,
    context: CallContext
  ) => Effect.Effect<STS.AssumeRoleResponse, STS.AssumeRoleError | CredentialsError>
  readonly assumeRoleWithWebIdentity: (
    input: STS.AssumeRoleWithWebIdentityRequest,
    context: CallContext
  ) => Effect.Effect<
    STS.AssumeRoleWithWebIdentityResponse,
    STS.AssumeRoleWithWebIdentityError | CredentialsError
  >
}

/** The SSO operation of the SSO provider. */
export interface SsoCalls {
  readonly getRoleCredentials: (
    input: SSO.GetRoleCredentialsRequest,
    context: CallContext
  ) => Effect.Effect<SSO.GetRoleCredentialsResponse, SSO.GetRoleCredentialsError | CredentialsError>
}

/** The SSO OIDC operation that refreshes an SSO session's token. */
export interface SsoOidcCalls {
  readonly createToken: (
    input: SSOOIDC.CreateTokenRequest,
    context: CallContext
  ) => Effect.Effect<SSOOIDC.CreateTokenResponse, SSOOIDC.CreateTokenError | CredentialsError>
}

/** Every call the providers make. */
export interface ServiceCalls {
  readonly sts: StsCalls
  readonly sso: SsoCalls
  readonly ssoOidc: SsoOidcCalls
}

/** The bounds of every call a credential provider makes to STS, SSO or SSO OIDC. */
export interface CallLimits {
  /** Connect timeout of each attempt (default 5 seconds). */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Idle timeout while waiting for or reading an answer (default 10 seconds). */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** The deadline of one call, its retries included (default 20 seconds). */
  readonly callTimeout?: Duration.DurationInput | undefined
  /** The most bytes an answer may hold (default 256 KiB). */
  readonly maxResponseBytes?: number | undefined
}

/** The defaults of {@link CallLimits}. */
export const defaultCallLimits = {
  connectTimeout: Duration.seconds(5),
  idleTimeout: Duration.seconds(10),
  callTimeout: Duration.seconds(20),
  maxResponseBytes: 256 * 1024
} as const

/** Limits resolved to what a client and a call take. */
export interface ResolvedLimits {
  readonly overrides: Pick<ClientOverrides, "connectTimeoutMs" | "idleTimeoutMs" | "maxResponseBytes">
  readonly callOptions: CallOptions
}

/** The client overrides and call options that apply `limits` to a call. */
export const resolveLimits = (limits: CallLimits): ResolvedLimits => {
  const millis = (d: Duration.DurationInput) => Math.max(1, Duration.toMillis(Duration.decode(d)))
  const maxBytes = limits.maxResponseBytes ?? defaultCallLimits.maxResponseBytes
  return {
    overrides: {
      connectTimeoutMs: millis(limits.connectTimeout ?? defaultCallLimits.connectTimeout),
      idleTimeoutMs: millis(limits.idleTimeout ?? defaultCallLimits.idleTimeout),
      maxResponseBytes: Math.max(1, Math.floor(maxBytes))
    },
    callOptions: { timeout: Duration.millis(millis(limits.callTimeout ?? defaultCallLimits.callTimeout)) }
  }
}

/** A region name: one DNS label (letters, digits, hyphens; 1-63 characters, no leading or trailing hyphen). */
const regionPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

/**
 * Checks that a region is a region name before it goes into an endpoint's host name; the error
 * says which provider and that the value is not one (described by its length, not quoted).
 */
export const checkRegion = (provider: string, region: string): Effect.Effect<string, CredentialsError> =>
  regionPattern.test(region)
    ? Effect.succeed(region)
    : Effect.fail(
        new CredentialsError({
          provider,
          message: `the region to call ${provider} in is not a region name (${region.length} characters; expected one DNS label such as us-east-1): check sso_region / region in the profile and AWS_REGION`
        })
      )

/** Options of {@link live}. */
export interface LiveOptions extends CallLimits {
  /** The shared config to take endpoint and FIPS/dual-stack settings from (loaded when absent). */
  readonly sharedConfig?: SharedConfig.LoadedSharedConfig | undefined
}

/**
 * The calls made with the generated STS, SSO and SSO OIDC clients, over the `Transport` and
 * `FileSystem` in place (and the `ConfigProvider` in place) when this is made.
 */
export const live = (options: LiveOptions = {}): Effect.Effect<ServiceCalls, never, Transport | FileSystem> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const context = yield* Effect.context<FileSystem>()
    const configProvider = yield* Effect.configProviderWith((p: ConfigProvider.ConfigProvider) =>
      Effect.succeed(p)
    )
    const sharedConfig = yield* Effect.cached(
      options.sharedConfig === undefined
        ? Effect.mapError(
            SharedConfig.load(),
            (cause) =>
              new CredentialsError({
                provider: "sts",
                message: `cannot load the shared config: ${cause.message}`,
                cause
              })
          ).pipe(Effect.provide(context), Effect.withConfigProvider(configProvider))
        : Effect.succeed(options.sharedConfig)
    )

    const limits = resolveLimits(options)

    /** Runs one client call, bounded by the limits, in a session made for it. */
    const call = <A, E, Client>(
      provider: string,
      operation: (options: CallOptions) => Effect.Effect<A, E, Client>,
      clientLayer: (
        overrides: ClientOverrides
      ) => Layer.Layer<Client, Session.SessionConfigError, Session.Session>,
      callContext: CallContext
    ): Effect.Effect<A, E | CredentialsError> =>
      Effect.flatMap(Effect.zipRight(checkRegion(provider, callContext.region), sharedConfig), (loaded) =>
        operation(limits.callOptions).pipe(
          Effect.provide(
            clientLayer(limits.overrides).pipe(
              Layer.provide(SessionResolve.layerFrom({ region: callContext.region })),
              Layer.provide(Layer.succeed(Credentials, callContext.credentials)),
              Layer.provide(Layer.succeed(Transport, transport)),
              Layer.provide(Layer.succeed(SharedConfig.SharedConfig, loaded)),
              Layer.mapError(
                (cause) =>
                  new CredentialsError({ provider, message: `invalid settings: ${cause.message}`, cause })
              )
            )
          ),
          Effect.withConfigProvider(configProvider)
        )
      )

    // The clients are loaded when a provider first calls them, not with the root entry point.
    return {
      sts: {
        assumeRole: (input, c) =>
          Effect.flatMap(loadSts, (STS) => call("sts", (o) => STS.assumeRole(input, o), STS.layer, c)),
        assumeRoleWithWebIdentity: (input, c) =>
          Effect.flatMap(loadSts, (STS) =>
            call("sts", (o) => STS.assumeRoleWithWebIdentity(input, o), STS.layer, c)
          )
      },
      sso: {
        getRoleCredentials: (input, c) =>
          Effect.flatMap(loadSso, (SSO) => call("sso", (o) => SSO.getRoleCredentials(input, o), SSO.layer, c))
      },
      ssoOidc: {
        createToken: (input, c) =>
          Effect.flatMap(loadSsoOidc, (SSOOIDC) =>
            call("sso-oidc", (o) => SSOOIDC.createToken(input, o), SSOOIDC.layer, c)
          )
      }
    }
  })

/** The region for STS: the option, else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, else `us-east-1`. */
export const stsRegion = (input: {
  readonly region?: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly sharedConfig?: SharedConfig.LoadedSharedConfig | undefined
}): string => {
  const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim())
  const profileRegion =
    input.sharedConfig === undefined
      ? undefined
      : Option.getOrUndefined(Option.map(input.sharedConfig.profile, (p) => nonEmpty(p.get("region"))))
  return (
    nonEmpty(input.region) ??
    nonEmpty(input.env.AWS_REGION) ??
    nonEmpty(input.env.AWS_DEFAULT_REGION) ??
    profileRegion ??
    "us-east-1"
  )
}

/** A call's failure in a sentence: `InvalidIdentityTokenException: No OpenIDConnect provider ...`. */
export const describeCallError = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const tag = (error as { readonly _tag?: unknown })._tag
    const message = (error as { readonly message?: unknown }).message
    const text = typeof message === "string" && message !== "" ? message : undefined
    if (tag === "CredentialsError" && text !== undefined) return text
    if (typeof tag === "string") return text === undefined ? tag : `${tag}: ${text}`
    if (text !== undefined) return text
  }
  return String(error)
}
