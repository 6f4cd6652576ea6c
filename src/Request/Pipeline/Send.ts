/**
 * The send stage: one attempt on the wire. The attempt's credentials are fetched, the request
 * signed (`Sign`) at the fiber's clock, sent over the client's transport, and its response
 * unmarshalled (`Unmarshal`). A transport's failures become the attempt's: connection failures
 * and timeouts may be retried.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import { type AwsCredentials, CredentialsError } from "../../Credentials/Credentials.js"
import type { ServiceClient } from "../Client.js"
import {
  boundedBytes,
  exchangeOverSend,
  type HttpRequest,
  type SendOptions,
  type TransportError,
  type WholeResponse
} from "../Transport.js"
import type { BuiltRequest } from "./Build.js"
import type { AttemptFailure, CallResult } from "./Outcome.js"
import type { OperationPlan } from "./Plan.js"
import * as Sign from "./Sign.js"
import * as Telemetry from "./Telemetry.js"
import * as Unmarshal from "./Unmarshal.js"

/** How an attempt gets its credentials: none for an anonymous call, else the provider's (fresh after an expired token). */
export type CredentialsFetch = Effect.Effect<AwsCredentials | undefined, AttemptFailure>

/** A transport's failure as an attempt's: connection failures and timeouts may be retried. */
const transportFailure = (error: TransportError): AttemptFailure => ({
  error,
  retry: error._tag === "NetworkError" ? "transient" : error._tag === "RequestTimeout" ? "timeout" : undefined
})

/** The request signed with the credentials at the fiber's clock; it counts as an attempt. */
const signedOn = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  credentials: AwsCredentials | undefined
): HttpRequest | AttemptFailure => {
  Telemetry.count(fiber, plan.instruments.attempts)
  if (credentials === undefined) return built.request
  const now = Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()
  const signed = Sign.sign(client, built, credentials, now)
  return signed instanceof CredentialsError ? { error: signed, retry: undefined } : signed
}

/**
 * One attempt whose response is read whole (every operation but those streaming their output):
 * no scope of its own, the transport's `exchange` releases the connection itself.
 */
const sendWhole = (
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  credentials: CredentialsFetch
): Effect.Effect<CallResult, AttemptFailure> => {
  const transport = client.config.transport
  // the client's settings carry the transport's (connect and idle timeouts, the response cap)
  const sendOptions: SendOptions = client.config
  const exchange = (request: HttpRequest): Effect.Effect<WholeResponse, TransportError> =>
    transport.exchange !== undefined
      ? transport.exchange(request, sendOptions)
      : exchangeOverSend(transport, request, sendOptions)
  return Effect.flatMap(credentials, (creds) =>
    Effect.withFiberRuntime<CallResult, AttemptFailure>((fiber) => {
      const signed = signedOn(fiber, client, plan, built, creds)
      if ("error" in signed) return Effect.fail(signed)
      return Effect.matchEffect(exchange(signed), {
        onFailure: (error) => Effect.fail(transportFailure(error)),
        onSuccess: (response) => Unmarshal.unmarshal(client, plan, built, response)
      })
    })
  )
}

/**
 * One attempt of an operation that streams its output, in the caller's scope: the connection of a
 * successful attempt is released when that scope closes (read or not); a failed attempt's is
 * released at once (its error body is read whole, or the transport destroyed the request).
 */
const sendStreaming = (
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  credentials: CredentialsFetch
): Effect.Effect<CallResult, AttemptFailure, Scope.Scope> =>
  Effect.flatMap(credentials, (creds) =>
    Effect.withFiberRuntime<CallResult, AttemptFailure, Scope.Scope>((fiber) => {
      const signed = signedOn(fiber, client, plan, built, creds)
      if ("error" in signed) return Effect.fail(signed)
      return Effect.matchEffect(client.config.transport.send(signed, client.config), {
        onFailure: (error) => Effect.fail(transportFailure(error)),
        onSuccess: (response) =>
          response.status >= 200 && response.status < 300
            ? Unmarshal.unmarshalStream(client, plan, built, response)
            : Effect.matchEffect(boundedBytes(signed, response, client.config.maxResponseBytes), {
                onFailure: (error) => Effect.fail(transportFailure(error)),
                onSuccess: (body) =>
                  Unmarshal.unmarshal(client, plan, built, {
                    status: response.status,
                    headers: response.headers,
                    body
                  })
              })
      })
    })
  )

/** The stage: one attempt, its response read whole, or streamed in the caller's scope. */
export const send = (
  client: ServiceClient,
  plan: OperationPlan,
  built: BuiltRequest,
  credentials: CredentialsFetch,
  streaming: boolean
): Effect.Effect<CallResult, AttemptFailure, Scope.Scope> =>
  streaming ? sendStreaming(client, plan, built, credentials) : sendWhole(client, plan, built, credentials)
