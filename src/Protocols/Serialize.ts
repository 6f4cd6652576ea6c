/**
 * The frame of every protocol's `serialize`: unset idempotency tokens are filled first, then the
 * protocol builds the request, then the operation's host prefix is resolved from the same input.
 *
 * @since 0.1.0
 */
import { hostPrefixOf } from "./HostPrefix.js"
import { fillIdempotencyTokens } from "./Idempotency.js"
import type { ProtocolCodec, SerializedRequest } from "./Protocol.js"
import type { OperationModel } from "./Shape.js"

/** Builds a protocol's request from the (token-filled) input. */
export type BuildRequest = (
  operation: OperationModel,
  input: Readonly<Record<string, unknown>>
) => SerializedRequest

/** A codec's `serialize` around a protocol's request builder. */
export const serializer =
  (build: BuildRequest): ProtocolCodec["serialize"] =>
  (operation, given, options) => {
    const shape = operation.input?.shape
    const input = shape === undefined ? given : fillIdempotencyTokens(shape, given, options?.idempotencyToken)
    const request = build(operation, input)
    const hostPrefix = hostPrefixOf(operation)(input)
    return hostPrefix === undefined ? request : { ...request, hostPrefix }
  }
