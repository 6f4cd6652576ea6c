/**
 * Endpoints: partitions and regions, the Smithy endpoint rules engine, and the fallback resolver
 * for services without a rule set.
 *
 * @since 0.1.0
 */
export { type Arn, parseArn } from "./Arn.js"
export { EndpointError } from "./EndpointError.js"
export * from "./Fallback.js"
export {
  type AttrStep,
  type EndpointFunction,
  isValidHostLabel,
  isVirtualHostableS3Bucket,
  makeFunctions,
  split,
  substring,
  uriEncode
} from "./Functions.js"
export { isGlobalService } from "./GlobalService.js"
export * from "./Partitions.js"
export * from "./PartitionsData.js"
export * from "./RuleSet.js"
export {
  type CompileOptions,
  compile,
  compileDecisionDiagram,
  compileRuleSet,
  type EndpointResolver,
  type ResolvedEndpoint
} from "./RulesEngine.js"
export { type EndpointUrl, isIpv4, parseUrl } from "./Url.js"
