/**
 * The request pipeline: everything between "an operation was called" and "a typed output or a
 * typed error came back" (DESIGN.md section 3), composed of one stage per file in `Pipeline/`,
 * named as aws-sdk-go v1's handler lists name them:
 *
 * - `Plan`: the operation's facts, derived once from its model;
 * - `Validate`: the input against the model, every problem at once (`InvalidParams`);
 * - `Build`: the HTTP request: serialized, payload headers, endpoint, headers;
 * - `Retry`: attempts under the retry policy; each attempt is
 *   - `Send`: credentials, `Sign` (SigV4), the transport, `Unmarshal` (output or typed error);
 * - `Telemetry`: metrics and spans of the call and its attempts;
 * - `Presign`: a presigned URL instead of a call.
 *
 * Interruption stops everything at once: the transport aborts the request, a backoff sleep ends, a
 * credentials fetch is abandoned, and the attempt's scope releases the connection.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type { CredentialsError } from "../Credentials/Credentials.js"
import type { EndpointError } from "../Endpoints/EndpointError.js"
import type {
  CallOptions,
  PresignedRequest,
  PresignOptions,
  ResolvedOperation,
  ServiceClient
} from "./Client.js"
import { InvalidParams, type PresignError, RequestTimeout, type SerializationError } from "./Errors.js"
import * as Build from "./Pipeline/Build.js"
import type { CallError, CallResult } from "./Pipeline/Outcome.js"
import { type OperationPlan, planOf } from "./Pipeline/Plan.js"
import * as Presign from "./Pipeline/Presign.js"
import * as Retry from "./Pipeline/Retry.js"
import * as Telemetry from "./Pipeline/Telemetry.js"
import { validateInput } from "./Pipeline/Validate.js"
import * as ResponseChecksum from "./ResponseChecksum.js"

export type { CallError, CallResult } from "./Pipeline/Outcome.js"

/** Validate, then build. */
const prepare: Build.Prepare = (client, plan, input, options) => {
  const valid = validateInput(client, plan.spec.model, input)
  return valid instanceof InvalidParams ? Either.left(valid) : Build.build(client, plan, valid, options)
}

const withCallTimeout = <A, E, R>(
  call: Effect.Effect<A, E, R>,
  plan: OperationPlan,
  timeout: Duration.DurationInput
): Effect.Effect<A, E | RequestTimeout, R> =>
  Effect.timeoutFail(call, {
    duration: timeout,
    onTimeout: () =>
      new RequestTimeout({
        message: `${plan.spanName} did not complete within ${Duration.format(timeout)}`,
        phase: "call",
        timeoutMs: Duration.toMillis(timeout)
      })
  })

/** Runs one call of an operation. Streaming outputs need the caller's `Scope`. */
export const execute = (
  client: ServiceClient,
  spec: ResolvedOperation,
  input: Readonly<Record<string, unknown>>,
  options: CallOptions | undefined
): Effect.Effect<CallResult, CallError, Scope.Scope> => {
  const plan = planOf(client, spec)
  return Effect.withFiberRuntime<CallResult, CallError, Scope.Scope>((fiber) => {
    const telemetry = Telemetry.start(fiber, plan)
    // a call asks for the response checksum; a presigned URL does not (it would bind its user
    // to sending the header)
    const model = plan.spec.model
    const asked = ResponseChecksum.withValidationMode(model, input, client.config.responseChecksumValidation)
    const built = prepare(client, plan, asked, options)
    if (Either.isLeft(built)) return telemetry.failed(built.left)
    const call = Retry.retry(client, plan, built.right, options, telemetry.traced, prepare)
    return telemetry.observe(
      options?.timeout === undefined ? call : withCallTimeout(call, plan, options.timeout),
      client
    )
  })
}

/** A presigned request for one call of an operation (see `Pipeline/Presign`). */
export const presign = (
  client: ServiceClient,
  spec: ResolvedOperation,
  input: Readonly<Record<string, unknown>>,
  options: PresignOptions
): Effect.Effect<
  PresignedRequest,
  InvalidParams | SerializationError | EndpointError | CredentialsError | PresignError
> => Presign.presign(client, planOf(client, spec), input, options, prepare)
