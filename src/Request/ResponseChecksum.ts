/**
 * Response checksums (the `httpChecksum` trait's `requestValidationModeMember` and
 * `responseAlgorithms`: S3 `GetObject`). With `responseChecksumValidation: "when_supported"` (the
 * default) the validation mode member is set to `ENABLED` unless the caller set it, so the service
 * sends the object's checksum; with `"when_required"` only a caller who sets it gets validation.
 * When validation is on and a whole body (HTTP 200) comes with an `x-amz-checksum-*` header of an
 * algorithm this SDK computes, the body is checksummed as it is read and, if it does not match,
 * its stream fails at the end with a `NetworkError` that names the header and both values.
 *
 * Not checked, as the other AWS SDKs do not: a composite checksum of a multipart object
 * (`...-N`, a checksum of the parts' checksums, not of the bytes), and partial bodies (HTTP 206:
 * a checksum header there describes the whole object).
 *
 * @since 0.1.0
 */
import type * as Stream from "effect/Stream"
import type { OperationModel } from "../Protocols/Shape.js"
import type { ChecksumMode } from "../Session/Session.js"
import * as Body from "./Body.js"
import * as Checksums from "./Checksums.js"
import { NetworkError } from "./Errors.js"

/** The input with the validation mode member set to `ENABLED`, when the setting asks for it. */
export const withValidationMode = (
  model: OperationModel,
  input: Readonly<Record<string, unknown>>,
  mode: ChecksumMode
): Readonly<Record<string, unknown>> => {
  const member = model.httpChecksum?.requestValidationModeMember
  if (member === undefined || mode !== "when_supported" || input[member] !== undefined) return input
  return { ...input, [member]: "ENABLED" }
}

/** The checksum a response asks its body to be checked against, if any. */
export const expectedChecksum = (
  model: OperationModel,
  input: Readonly<Record<string, unknown>>,
  status: number,
  headers: Readonly<Record<string, string>>
): { readonly algorithm: Checksums.ChecksumAlgorithm; readonly value: string } | undefined => {
  const trait = model.httpChecksum
  const member = trait?.requestValidationModeMember
  if (trait?.responseAlgorithms === undefined || member === undefined || status !== 200) return undefined
  if (input[member] !== "ENABLED") return undefined
  // cheapest first: the one checked when a response carries several
  for (const algorithm of Checksums.algorithms) {
    if (!trait.responseAlgorithms.includes(algorithm)) continue
    const value = headers[Checksums.headerOf(algorithm)]
    if (value === undefined) continue
    // a composite checksum (of the parts' checksums) says nothing the bytes can be checked against
    return /-\d+$/.test(value) ? undefined : { algorithm, value }
  }
  return undefined
}

/** The body, checksummed as it is read; a mismatch fails it at the end. */
export const validated = <E>(
  body: Stream.Stream<Uint8Array, E>,
  expected: { readonly algorithm: Checksums.ChecksumAlgorithm; readonly value: string }
): Stream.Stream<Uint8Array, E | NetworkError> => {
  const hasher = Checksums.hasher(expected.algorithm)
  return Body.observed(
    body,
    (chunk) => hasher.update(chunk),
    () => {
      const actual = Checksums.digestBase64(hasher)
      return actual === expected.value
        ? undefined
        : new NetworkError({
            message: `the response body does not match its ${Checksums.headerOf(expected.algorithm)}: expected ${expected.value}, computed ${actual}`,
            code: "ChecksumMismatch"
          })
    }
  )
}
