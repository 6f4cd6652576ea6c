/**
 * The CBOR writer: the examples of RFC 8949 Appendix A where it writes the preferred form, and
 * integers at every head boundary in the shortest form.
 */
import { describe, expect, it } from "vitest"
import { decodeCbor, encodeCbor } from "../../../src/Protocols/Cbor.js"
import { examples } from "../../support/Rfc8949.js"

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

describe("encodeCbor", () => {
  it.each(examples.filter(([, , exact]) => exact))("writes %s as %s", (value, encoding) => {
    expect(toHex(encodeCbor(value))).toBe(encoding)
  })

  it("writes integers around every head boundary in the shortest form and reads them back", () => {
    const edges = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]
    for (const n of edges) {
      for (const v of [n, -n - 1]) {
        const bytes = encodeCbor(v)
        const size = n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : n < 2 ** 32 ? 5 : 9
        expect(bytes.length, String(v)).toBe(size)
        expect(decodeCbor(bytes)).toBe(v)
      }
    }
  })
})
