/**
 * The fallback resolver, for a service that ships no endpoint rule set: the standard AWS pattern,
 * written as a rule set and compiled by the same engine, so it behaves like the generated rule sets
 * of regional services (DynamoDB, STS without its legacy global endpoint, ...):
 *
 * 1. `Endpoint` set: used as is (an error with FIPS or dual-stack, as the rule sets do);
 * 2. no `Region`: an error;
 * 3. a global service in this partition (IAM, Route 53, CloudFront, ...; or only some pseudo
 *    regions, as STS's `aws-global`), neither FIPS nor dual-stack: `https://{hostname}`, signed
 *    for the partition's global signing region;
 * 4. FIPS and dual-stack: `https://{prefix}-fips.{region}.{dualStackDnsSuffix}`;
 * 5. FIPS: `https://{prefix}-fips.{region}.{dnsSuffix}` (the plain endpoint in partitions listed
 *    in `fipsIsDefault`);
 * 6. dual-stack: `https://{prefix}.{region}.{dualStackDnsSuffix}`;
 * 7. else `https://{prefix}.{region}.{dnsSuffix}`;
 *
 * each variant failing with the rule sets' own message when the partition lacks it.
 *
 * @since 0.1.0
 */
import type { Condition, EndpointRule, ErrorRule, Rule, RuleSet } from "./RuleSet.js"
import { type CompileOptions, compileRuleSet, type EndpointResolver } from "./RulesEngine.js"

/** What the fallback needs to know about a service (from its api-2 metadata and endpoints model). */
export interface FallbackService {
  /** The host prefix: api-2 `metadata.endpointPrefix` (`dynamodb`, `email`, `runtime.sagemaker`). */
  readonly endpointPrefix: string
  /**
   * Partition id to the global endpoint of a non-regionalized service: api-2
   * `metadata.globalEndpoint` for `aws`, or the `partitionEndpoint` of the endpoints model.
   */
  readonly global?: {
    readonly [partitionId: string]: {
      readonly hostname: string
      readonly signingRegion: string
      /**
       * Only these region ids use the global endpoint (STS: `["aws-global"]`); without it every
       * region of the partition does (IAM, Route 53).
       */
      readonly regions?: ReadonlyArray<string>
    }
  }
  /**
   * Partitions whose plain regional endpoint already is the FIPS one, so FIPS alone keeps
   * `https://{prefix}.{region}.{dnsSuffix}` (DynamoDB and STS in `aws-us-gov`).
   */
  readonly fipsIsDefault?: ReadonlyArray<string>
  /** The signing name for global endpoints' auth scheme (default: `endpointPrefix`). */
  readonly signingName?: string
}

const ref = (name: string) => ({ ref: name })
const isTrue = (name: string): Condition => ({ fn: "booleanEquals", argv: [ref(name), true] })
const attrTrue = (attr: string): Condition => ({
  fn: "booleanEquals",
  argv: [true, { fn: "getAttr", argv: [ref("PartitionResult"), attr] }]
})
const inPartition = (partition: string): Condition => ({
  fn: "stringEquals",
  argv: [{ fn: "getAttr", argv: [ref("PartitionResult"), "name"] }, partition]
})
const endpoint = (url: string, conditions: ReadonlyArray<Condition> = []): EndpointRule => ({
  type: "endpoint",
  conditions,
  endpoint: { url }
})
const error = (message: string, conditions: ReadonlyArray<Condition> = []): ErrorRule => ({
  type: "error",
  conditions,
  error: message
})
/** Braces in data (host names) must not read as template placeholders. */
const literal = (s: string): string => s.replace(/[{}]/g, (c) => c + c)

/**
 * The standard rule set for a service without one (see the module comment for what it does).
 * Exposed so the generator can inspect or extend it; `fallbackResolver` compiles it.
 */
export const standardRuleSet = (service: FallbackService): RuleSet => {
  const prefix = literal(service.endpointPrefix)
  const notFipsNorDualStack: ReadonlyArray<Condition> = [
    { fn: "not", argv: [{ fn: "booleanEquals", argv: [ref("UseFIPS"), true] }] },
    { fn: "not", argv: [{ fn: "booleanEquals", argv: [ref("UseDualStack"), true] }] }
  ]
  const globalRules: Array<Rule> = Object.entries(service.global ?? {}).flatMap(([partition, g]) =>
    (g.regions ?? [undefined]).map(
      (region): Rule => ({
        type: "endpoint",
        conditions: [
          ...notFipsNorDualStack,
          inPartition(partition),
          ...(region === undefined ? [] : [{ fn: "stringEquals", argv: [ref("Region"), region] }])
        ],
        endpoint: {
          url: `https://${literal(g.hostname)}`,
          properties: {
            authSchemes: [
              {
                name: "sigv4",
                signingName: literal(service.signingName ?? service.endpointPrefix),
                signingRegion: literal(g.signingRegion)
              }
            ]
          }
        }
      })
    )
  )
  return {
    version: "1.0",
    parameters: {
      Region: { type: "string", builtIn: "AWS::Region", required: false },
      UseDualStack: { type: "boolean", builtIn: "AWS::UseDualStack", required: true, default: false },
      UseFIPS: { type: "boolean", builtIn: "AWS::UseFIPS", required: true, default: false },
      Endpoint: { type: "string", builtIn: "SDK::Endpoint", required: false }
    },
    rules: [
      {
        type: "tree",
        conditions: [{ fn: "isSet", argv: [ref("Endpoint")] }],
        rules: [
          error("Invalid Configuration: FIPS and custom endpoint are not supported", [isTrue("UseFIPS")]),
          error("Invalid Configuration: Dualstack and custom endpoint are not supported", [
            isTrue("UseDualStack")
          ]),
          { type: "endpoint", conditions: [], endpoint: { url: ref("Endpoint") } }
        ]
      },
      {
        type: "tree",
        conditions: [
          { fn: "isSet", argv: [ref("Region")] },
          { fn: "aws.partition", argv: [ref("Region")], assign: "PartitionResult" }
        ],
        rules: [
          // A tree would be final once its conditions hold; the global rules must fall through.
          ...globalRules,
          {
            type: "tree",
            conditions: [isTrue("UseFIPS"), isTrue("UseDualStack")],
            rules: [
              endpoint(`https://${prefix}-fips.{Region}.{PartitionResult#dualStackDnsSuffix}`, [
                attrTrue("supportsFIPS"),
                attrTrue("supportsDualStack")
              ]),
              error("FIPS and DualStack are enabled, but this partition does not support one or both")
            ]
          },
          {
            type: "tree",
            conditions: [isTrue("UseFIPS")],
            rules: [
              ...(service.fipsIsDefault ?? []).map((partition) =>
                endpoint(`https://${prefix}.{Region}.{PartitionResult#dnsSuffix}`, [inPartition(partition)])
              ),
              endpoint(`https://${prefix}-fips.{Region}.{PartitionResult#dnsSuffix}`, [
                attrTrue("supportsFIPS")
              ]),
              error("FIPS is enabled but this partition does not support FIPS")
            ]
          },
          {
            type: "tree",
            conditions: [isTrue("UseDualStack")],
            rules: [
              endpoint(`https://${prefix}.{Region}.{PartitionResult#dualStackDnsSuffix}`, [
                attrTrue("supportsDualStack")
              ]),
              error("DualStack is enabled but this partition does not support DualStack")
            ]
          },
          endpoint(`https://${prefix}.{Region}.{PartitionResult#dnsSuffix}`)
        ]
      },
      error("Invalid Configuration: Missing Region")
    ]
  }
}

/**
 * A resolver for a service with no rule set: `compileRuleSet(standardRuleSet(service))`. Takes the
 * usual `Region`, `UseFIPS`, `UseDualStack` and `Endpoint` parameters.
 *
 * @example
 * ```ts
 * const resolver = Endpoints.fallbackResolver({ endpointPrefix: "dynamodb" })
 * resolver.resolve({ Region: "eu-west-1", UseFIPS: true }) // https://dynamodb-fips.eu-west-1.amazonaws.com
 * ```
 */
export const fallbackResolver = (service: FallbackService, options?: CompileOptions): EndpointResolver =>
  compileRuleSet(standardRuleSet(service), options)
