/**
 * An operation's plan: the facts every call of it needs, derived once from its (immutable) model
 * and kept per operation.
 *
 * @since 0.1.0
 */
import { streamingOutputMember } from "../../Protocols/Streaming.js"
import type { ResolvedOperation, ServiceClient } from "../Client.js"
import * as Telemetry from "./Telemetry.js"

export interface OperationPlan {
  readonly spec: ResolvedOperation
  readonly name: string
  /** The output streams its body (S3 GetObject): attempts run in the caller's scope. */
  readonly streamingOutput: boolean
  /** The operation is never signed (`authtype: none`, `smithy.api#noAuth`). */
  readonly unsigned: boolean
  readonly spanName: string
  readonly instruments: Telemetry.Instruments
}

const plans = new WeakMap<ResolvedOperation, OperationPlan>()

/** The plan of an operation, made on its first call. */
export const planOf = (client: ServiceClient, spec: ResolvedOperation): OperationPlan => {
  const cached = plans.get(spec)
  if (cached) return cached
  const model = spec.model
  const service = client.config.serviceId
  const plan: OperationPlan = {
    spec,
    name: model.name,
    streamingOutput: model.output !== undefined && streamingOutputMember(model.output.shape) !== undefined,
    unsigned:
      model.authtype === "none" || (model.auth?.length === 1 && model.auth[0] === "smithy.api#noAuth"),
    spanName: `${service}.${model.name}`,
    instruments: Telemetry.instruments(service, model.name)
  }
  plans.set(spec, plan)
  return plan
}
