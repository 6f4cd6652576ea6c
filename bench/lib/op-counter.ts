/**
 * Counts the Effect operations a program executes (each costs a run-loop turn and a closure), by a
 * supervisor with op supervision on; `trace` keeps a line per operation: its op code and the
 * start of its function's source. Shared by `bench/tools/op-count*.ts`.
 */
import * as Effect from "effect/Effect"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Supervisor from "effect/Supervisor"

const describe = (effect: unknown): string => {
  const e = effect as { _op?: string; effect_instruction_i0?: unknown; effect_instruction_i1?: unknown }
  const f = [e.effect_instruction_i1, e.effect_instruction_i0].find((x) => typeof x === "function")
  const src = typeof f === "function" ? String(f).replace(/\s+/g, " ").slice(0, 110) : ""
  return `${e._op ?? "?"} ${src}`
}

class Counter extends Supervisor.AbstractSupervisor<number> {
  count = 0
  log: Array<string> = []
  value = Effect.sync(() => this.count)
  constructor(readonly trace: boolean) {
    super()
  }
  override onEffect(_fiber: unknown, effect: unknown): void {
    this.count++
    if (this.trace) this.log.push(describe(effect))
  }
}

/**
 * The operations of `effect`'s second run through `run` (the first warms up caches), and one line
 * each when `trace`. The count includes the supervision wrapper's own operations: subtract
 * `Effect.void`'s count for the effect's alone.
 */
export const operationsOf = async <R>(
  effect: Effect.Effect<unknown, unknown, R>,
  run: (effect: Effect.Effect<unknown, never, R>) => unknown,
  trace = false
): Promise<{ readonly count: number; readonly log: ReadonlyArray<string> }> => {
  const counter = new Counter(trace)
  const supervised = Effect.orDie(
    effect.pipe(
      Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)),
      Effect.supervised(counter)
    )
  )
  await run(supervised)
  counter.count = 0
  counter.log = []
  await run(supervised)
  return { count: counter.count, log: counter.log }
}

/** Prints `operationsOf(effect)`, with one line per operation when `trace`. */
export const countOps = async <R>(
  name: string,
  effect: Effect.Effect<unknown, unknown, R>,
  run: (effect: Effect.Effect<unknown, never, R>) => unknown,
  trace: boolean
): Promise<void> => {
  const { count, log } = await operationsOf(effect, run, trace)
  console.log(`${name}: ${count} Effect operations`)
  for (const line of log) console.log(`  ${line}`)
}
