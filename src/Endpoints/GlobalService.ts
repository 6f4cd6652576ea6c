/**
 * Whether a service is global (one endpoint for a whole partition: IAM, Route 53, CloudFront) or
 * regional, read from the service's own endpoint rules rather than from a list that ages: the
 * rules are asked for two regions of the partition, and a global service answers both with the
 * same host.
 *
 * @example
 * ```ts
 * const iam = yield* IAM.IAM
 * Endpoints.isGlobalService(iam.endpoints()) // true
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { regionsOf } from "./Partitions.js"
import type { EndpointResolver } from "./RulesEngine.js"

const hostOf = (resolver: EndpointResolver, region: string): string | undefined => {
  const resolved = resolver.resolve({ Region: region })
  if (Either.isLeft(resolved)) return undefined
  try {
    return new URL(resolved.right.url).host
  } catch {
    return undefined
  }
}

/** True when the service answers every region of the partition on one host. */
export const isGlobalService = (resolver: EndpointResolver, partitionId = "aws"): boolean => {
  const regions = regionsOf(partitionId).filter((r) => !r.endsWith("-global"))
  const [first, second] = regions
  if (first === undefined || second === undefined) return false
  const a = hostOf(resolver, first)
  return a !== undefined && a === hostOf(resolver, second)
}
