/**
 * What the stages hand each other: a call's result and failures, and why one attempt failed.
 *
 * @since 0.1.0
 */
import type { CredentialsError } from "../../Credentials/Credentials.js"
import type { EndpointError } from "../../Endpoints/EndpointError.js"
import type { RawResponse } from "../Client.js"
import type {
  BodyNotReplayable,
  ErrorClassification,
  InvalidParams,
  NetworkError,
  RequestTimeout,
  SerializationError,
  ServiceErrorInstance
} from "../Errors.js"

/** What a call returns internally: the output and the raw response. */
export interface CallResult {
  readonly output: Record<string, unknown>
  readonly response: RawResponse
}

/** Every way a call can fail. */
export type CallError =
  | ServiceErrorInstance<string>
  | BodyNotReplayable
  | InvalidParams
  | SerializationError
  | NetworkError
  | RequestTimeout
  | EndpointError
  | CredentialsError

/** Why an attempt failed, and whether (and how) it may be retried. */
export interface AttemptFailure {
  readonly error: CallError
  readonly retry: ErrorClassification | "timeout" | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly redirectRegion?: string | undefined
}
