/**
 * The telemetry stage: a call's metrics (calls, failures, attempts, duration, tagged with the
 * service and the operation) and its spans. Spans are made only when a tracer other than Effect's
 * built-in one is installed: they cost real time on every call, and the built-in tracer exports
 * nothing.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"
import type { ServiceClient } from "../Client.js"
import type { OperationPlan } from "./Plan.js"

/** The metrics of one operation. */
export interface Instruments {
  readonly calls: Metric.Metric.Counter<number>
  readonly failures: Metric.Metric.Counter<number>
  readonly attempts: Metric.Metric.Counter<number>
  readonly duration: Metric.Metric.Histogram<number>
}

const durationBoundaries = MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 })

/** The metrics of an operation, made once with its plan. */
export const instruments = (service: string, operation: string): Instruments => {
  // The tags go into the metric's key: a metric made with `Metric.tagged` merges its tags into a
  // new array and looks the key up in the global registry on every update; one made from a
  // tagged key resolves its registry entry once.
  const labels = [MetricLabel.make("aws.service", service), MetricLabel.make("aws.operation", operation)]
  const counter = (name: string, description: string) =>
    Metric.fromMetricKey(MetricKey.taggedWithLabels(MetricKey.counter(name, { description }), labels))
  return {
    calls: counter("aws_sdk_calls_total", "AWS calls made"),
    failures: counter("aws_sdk_call_failures_total", "AWS calls that failed"),
    attempts: counter("aws_sdk_attempts_total", "HTTP attempts made"),
    duration: Metric.fromMetricKey(
      MetricKey.taggedWithLabels(
        MetricKey.histogram(
          "aws_sdk_call_duration_ms",
          durationBoundaries,
          "AWS call duration in milliseconds"
        ),
        labels
      )
    )
  }
}

/**
 * Adds one to a counter with the fiber's metric labels (`Effect.tagMetrics`), as
 * `Metric.increment` does, but inside an operation the pipeline runs anyway (`Metric.increment`
 * is several run-loop operations of its own, a few times a call).
 */
export const count = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  counter: Metric.Metric.Counter<number>
): void => counter.unsafeUpdate(1, fiber.getFiberRef(FiberRef.currentMetricLabels))

let nativeTracer: Tracer.Tracer | undefined
const isNative = (tracer: Tracer.Tracer): boolean => {
  nativeTracer ??= Effect.runSync(Effect.tracer)
  return tracer === nativeTracer
}

/** One call being measured, from its start on the fiber that runs it. */
export class CallTelemetry {
  /** Whether the call and its attempts get spans. */
  readonly traced: boolean
  private readonly clock: Clock.Clock
  private readonly started: number
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>

  constructor(
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private readonly plan: OperationPlan
  ) {
    count(fiber, plan.instruments.calls)
    this.clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    this.started = this.clock.unsafeCurrentTimeMillis()
    this.labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
    this.traced = !isNative(fiber.currentTracer)
  }

  private finished(failed: boolean): void {
    const { duration, failures } = this.plan.instruments
    duration.unsafeUpdate(this.clock.unsafeCurrentTimeMillis() - this.started, this.labels)
    if (failed) failures.unsafeUpdate(1, this.labels)
  }

  /** A call that failed before its first attempt (no span: nothing was sent). */
  failed<E>(error: E): Effect.Effect<never, E> {
    this.finished(true)
    return Effect.fail(error)
  }

  /** The call in its span (when traced), its duration and any failure recorded when it ends. */
  observe<A, E, R>(call: Effect.Effect<A, E, R>, client: ServiceClient): Effect.Effect<A, E, R> {
    const spanned = this.traced
      ? Effect.withSpan(call, this.plan.spanName, {
          kind: "client",
          attributes: {
            "rpc.system": "aws-api",
            "rpc.service": client.config.serviceId,
            "rpc.method": this.plan.name,
            "aws.region": client.config.region ?? ""
          }
        })
      : call
    return Effect.matchEffect(spanned, {
      onSuccess: (result) => {
        this.finished(false)
        return Effect.succeed(result)
      },
      onFailure: (error) => {
        this.finished(true)
        return Effect.fail(error)
      }
    })
  }
}

/** Starts measuring a call: counts it and notes the time. */
export const start = (fiber: Fiber.RuntimeFiber<unknown, unknown>, plan: OperationPlan): CallTelemetry =>
  new CallTelemetry(fiber, plan)

/** An attempt in its own span, numbered. */
export const attemptSpan = <A, E, R>(
  attempt: Effect.Effect<A, E, R>,
  plan: OperationPlan,
  n: number
): Effect.Effect<A, E, R> =>
  Effect.withSpan(attempt, `${plan.spanName} attempt`, { kind: "client", attributes: { "aws.attempt": n } })
