/**
 * Shared by the one-call programs: the call loop (BENCH_CALLS calls, BENCH_CONCURRENCY in flight;
 * one by default) and the report on exit: peak RSS in KiB on stdout when BENCH_CALLS is set.
 */
const calls = Number(process.env.BENCH_CALLS ?? 1)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1)

export const pool = async (one: () => Promise<unknown>): Promise<void> => {
  let started = 0
  await Promise.all(
    Array.from({ length: Math.min(calls, concurrency) }, async () => {
      while (started < calls) {
        started++
        await one()
      }
    })
  )
}

export const report = (): void => {
  if (process.env.BENCH_CALLS !== undefined)
    console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }))
  process.exit(0)
}
