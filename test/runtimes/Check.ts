/**
 * The runtime slice's checks that load nothing but the runtime seam: the helpers every slice entry
 * shares (`Check`, `assert`, `equal`, `runChecks`) and the check of `#runtime/Crypto`. A page or
 * Worker imports this statically and the SDK (`Services.ts`) after it, so the seam is checked even
 * where the SDK does not load yet.
 */
import * as Seam from "#runtime/Crypto"

/** A named check: resolves when it holds, rejects with what differed. */
export type Check = readonly [name: string, run: () => Promise<void>]

export const assert: (condition: unknown, message: string) => asserts condition = (condition, message) => {
  if (!condition) throw new Error(message)
}
export const equal = (actual: unknown, expected: unknown, what: string) =>
  assert(
    JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`
  )

/** The UTF-8 bytes of a string. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** `#runtime/Crypto` is the implementation expected here, and computes the published vectors. */
export const seamCheck = (expected: string): Check => [
  `#runtime/Crypto resolves to the ${expected} implementation`,
  async () => {
    equal(Seam.implementation, expected, "implementation")
    equal(
      Seam.sha256Hex("abc"),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "SHA-256 of abc"
    )
    const h = Seam.createHash("md5")
    h.update(text("message digest"))
    equal(
      Array.from(h.digest(), (b) => b.toString(16).padStart(2, "0")).join(""),
      "f96b697d7cb7938d525a2f31aaf161d0",
      "MD5 of the RFC 1321 message"
    )
    equal(Seam.crc32(text("123456789")), 0xcbf43926, "CRC32 check value")
  }
]

/** Runs checks in order; one line each through `log`, then `N passed, N failed`. */
export const runChecks = async (
  checks: ReadonlyArray<Check>,
  log: (line: string) => void
): Promise<{ readonly passed: number; readonly failed: number }> => {
  let passed = 0
  let failed = 0
  for (const [name, check] of checks) {
    try {
      await check()
      passed++
      log(`ok   ${name}`)
    } catch (e) {
      failed++
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
      log(`FAIL ${name}\n  ${message.split("\n").slice(0, 6).join("\n  ")}`)
    }
  }
  log(`${passed} passed, ${failed} failed`)
  return { passed, failed }
}
