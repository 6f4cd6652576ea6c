/**
 * Amazon Resource Names as the endpoint rules see them (`aws.parseArn`).
 *
 * @since 0.1.0
 */

/** The parts of an ARN; `resourceId` is the resource split on `:` and `/`. */
export interface Arn {
  readonly partition: string
  readonly service: string
  /** May be empty (global resources, S3 buckets). */
  readonly region: string
  /** May be empty. */
  readonly accountId: string
  /** `accesspoint/my-ap` and `accesspoint:my-ap` both give `["accesspoint", "my-ap"]`. */
  readonly resourceId: ReadonlyArray<string>
}

const splitResource = /[:/]/

/**
 * Parses `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; `undefined` when the value is not an ARN
 * (fewer than six parts, not starting with `arn`, or an empty partition, service or resource).
 *
 * @example
 * ```ts
 * Endpoints.parseArn("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap")?.resourceId
 * // ["accesspoint", "my-ap"]
 * ```
 */
export const parseArn = (value: string): Arn | undefined => {
  if (!value.startsWith("arn:")) return undefined
  // The first five colons delimit the fixed parts; the rest (colons included) is the resource.
  let at = 4
  const parts: Array<string> = []
  for (let i = 0; i < 4; i++) {
    const next = value.indexOf(":", at)
    if (next === -1) return undefined
    parts.push(value.slice(at, next))
    at = next + 1
  }
  const resource = value.slice(at)
  const [partition, service, region, accountId] = parts as [string, string, string, string]
  if (partition === "" || service === "" || resource === "") return undefined
  return { partition, service, region, accountId, resourceId: resource.split(splitResource) }
}
