/**
 * The runtime slice as a page script, for Chromium: `scripts/runtimes.mjs` bundles it with the
 * `browser` export condition (code splitting on, so the SDK is a chunk of its own), serves it on
 * loopback and calls `runSlice(target)` through playwright-core; the answer is the lines of
 * `Check.runChecks`, closing with `N passed, N failed`. The seam is checked first, from a static
 * import; the SDK is imported after it, so a page on which the SDK does not load still reports
 * the seam and then why the SDK failed to load.
 */
import { type Check, runChecks, seamCheck } from "./Check.js"
import type { Target } from "./Services.js"

const runSlice = async (target: Target): Promise<Array<string>> => {
  const lines: Array<string> = []
  let services: Array<Check>
  try {
    const { fetchTransport, serviceChecks } = await import("./Services.js")
    services = serviceChecks(target, "fetch", fetchTransport)
  } catch (e) {
    services = [["loading the SDK (S3, DynamoDB, the fetch transport)", () => Promise.reject(e)]]
  }
  await runChecks([seamCheck("web"), ...services], (line) => lines.push(line))
  return lines
}

;(globalThis as { runSlice?: typeof runSlice }).runSlice = runSlice
