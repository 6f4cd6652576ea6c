/**
 * `idempotencyToken` members: when the caller leaves one unset, the SDK fills it with a fresh
 * token, so that a retried call is recognised by the service as the same call.
 *
 * @since 0.1.0
 */
import { memoize } from "./Memo.js"
import type { StructureShape } from "./Shape.js"

/** The default token: a random UUID v4 (Web Crypto, available in Node 20 and browsers). */
const randomToken = (): string => globalThis.crypto.randomUUID()

const tokenMembersOf = memoize(
  (shape: StructureShape): ReadonlyArray<string> =>
    Object.entries(shape.members)
      .filter(([, ref]) => ref.idempotencyToken === true)
      .map(([name]) => name)
)

/** The input with its unset top-level idempotency tokens filled (the same object when none is missing). */
export const fillIdempotencyTokens = (
  shape: StructureShape,
  input: Readonly<Record<string, unknown>>,
  generate: () => string = randomToken
): Readonly<Record<string, unknown>> => {
  const missing = tokenMembersOf(shape).filter((name) => input[name] === undefined || input[name] === null)
  if (missing.length === 0) return input
  const out: Record<string, unknown> = { ...input }
  for (const name of missing) out[name] = generate()
  return out
}
