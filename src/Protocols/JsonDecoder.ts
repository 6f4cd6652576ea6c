/**
 * Decoding JSON response bodies, shared by rest-json and json (1.0 / 1.1): the shape-driven fast
 * path over the body's bytes where it can (`JsonFastPath`), else `JSON.parse` and the readers
 * over its tree (`JsonReader`), with equal results either way. Unknown members are ignored; null
 * members and null map values are left out; unions keep exactly the member present.
 *
 * @since 0.1.0
 */
import { readJsonBodyFast } from "./JsonFastPath.js"
import { jsonReader, parseJsonBody } from "./JsonReader.js"
import type { Shape } from "./Shape.js"

export { readJsonBodyFast } from "./JsonFastPath.js"
export { type JsonRead, jsonReader, parseJsonBody } from "./JsonReader.js"

/**
 * Decodes a JSON response body as `shape` says: `undefined` for an empty body, else what
 * `jsonReader(shape)(parseJsonBody(body))` returns (or throws), by the fast path where it can.
 */
export const readJsonBody = (shape: Shape, body: Uint8Array): unknown => {
  if (body.length === 0) return undefined
  const fast = readJsonBodyFast(shape, body)
  if (fast !== undefined) return fast.value
  const parsed = parseJsonBody(body)
  return parsed === undefined ? undefined : jsonReader(shape)(parsed)
}
