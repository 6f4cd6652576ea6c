/**
 * The one failure of endpoint resolution.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * No endpoint could be resolved: the rule set's own error text (for example `"Invalid region: region
 * was not a valid DNS name."`), a missing or mistyped parameter (`"Missing required parameter:
 * 'Region'"`), or no rule matching.
 *
 * @example
 * ```ts
 * Effect.catchTag("EndpointError", (e) => Console.error(e.message))
 * ```
 * @since 0.1.0
 */
export class EndpointError extends Data.TaggedError("EndpointError")<{
  readonly message: string
  /** The parameter at fault, when the error is about one. */
  readonly parameter?: string
}> {}
