/**
 * Hand-written DynamoDB behaviour, wired into the generated client by the generator: the
 * `x-amz-crc32` check of every response body, as the Go SDK does (a body damaged in transit fails
 * the attempt with a retryable `NetworkError` instead of decoding garbage).
 *
 * @since 0.1.0
 */
import { crc32 } from "#runtime/Crypto"
import type * as Client from "../../Request/Client.js"

export const customizations: Client.Customizations = {
  checkResponse: (_operation, response) => {
    const header = response.headers["x-amz-crc32"]
    if (header === undefined) return undefined
    const actual = crc32(response.body) >>> 0
    return String(actual) === header.trim()
      ? undefined
      : `x-amz-crc32 is ${header} but the body's CRC32 is ${actual}`
  }
}
