/**
 * The event loop's meter: how busy the loop was over a window, which the adaptive `download`
 * reads to decide whether more connections would help.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"

/**
 * The shortest stretch of the event loop's time worth judging: long enough that a pause of the
 * sender's, or code compiled on first use, does not decide, and short enough to decide within a
 * few batches.
 */
const WINDOW_MS = 10

/**
 * A window on the event loop: once `WINDOW_MS` have passed since it opened, how busy the loop was
 * since (0 to 1; the next window opens then), before that `undefined`. `undefined` itself where the
 * loop cannot be measured (no `performance.eventLoopUtilization`).
 */
const loopWindow = (): (() => number | undefined) | undefined => {
  const clock = globalThis.performance as
    | { now(): number; eventLoopUtilization?: (from?: unknown) => { utilization: number } }
    | undefined
  if (clock?.eventLoopUtilization === undefined) return undefined
  const elu = clock.eventLoopUtilization.bind(clock)
  let from = elu()
  let opened = clock.now()
  return () => {
    if (clock.now() - opened < WINDOW_MS) return undefined
    const busy = elu(from).utilization
    from = elu()
    opened = clock.now()
    return busy
  }
}

/**
 * What the adaptive `download` reads to decide whether to fan out (see `DownloadOptions.adaptive`):
 * called once per download, it returns a reader of how busy the event loop was since the last
 * reading, 0 to 1, or `undefined` while too little time has passed to tell; or no reader at all
 * where the loop cannot be measured (the download then fans out from the start). The default
 * measures Node's event loop over windows of at least 10 ms; provide another to measure something
 * else (or, in tests, to decide).
 */
export class LoopMeter extends Context.Reference<LoopMeter>()("effect-aws-sdk/s3/manager/LoopMeter", {
  defaultValue: (): (() => (() => number | undefined) | undefined) => loopWindow
}) {}
