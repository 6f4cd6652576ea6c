/**
 * The Smithy endpoint rule set language as data: the JSON document of `endpoint-rule-set-1.json`
 * (the `smithy.rules#endpointRuleSet` trait), the decision-diagram form that the AWS SDK for
 * JavaScript v3 ships per client (`smithy.rules#endpointBdd`), and the values rules compute with.
 *
 * @since 0.1.0
 */

/**
 * A value of the rules language: strings, booleans, integers, arrays and records (the results of
 * `aws.partition`, `aws.parseArn`, `parseURL`); `undefined` is "not set".
 */
export type Value =
  | string
  | boolean
  | number
  | ReadonlyArray<Value>
  | { readonly [key: string]: Value }
  | undefined

/** A parameter's value as the caller passes it. */
export type ParameterValue = string | boolean | ReadonlyArray<string>

/** The parameters of one resolution, by parameter name; unset ones may be absent or `undefined`. */
export type EndpointParams = { readonly [name: string]: ParameterValue | undefined }

/** `{ "ref": "Region" }`: the value of a parameter or of an `assign`ed name. */
export interface Reference {
  readonly ref: string
}

/** `{ "fn": "stringEquals", "argv": [...] }`: a function call. */
export interface FunctionCall {
  readonly fn: string
  readonly argv: ReadonlyArray<Expression>
}

/** An expression: a literal (strings are templates: `"https://{Region}.{PartitionResult#dnsSuffix}"`), a reference or a call. */
export type Expression = string | boolean | number | Reference | FunctionCall | ReadonlyArray<Expression>

/** A condition: a function call whose result decides, optionally bound to a name. */
export interface Condition extends FunctionCall {
  readonly assign?: string
}

/** A parameter declaration. */
export interface ParameterDefinition {
  readonly type: "string" | "boolean" | "stringArray" | "String" | "Boolean" | "StringArray"
  /** The SDK setting that supplies it (`AWS::Region`, `AWS::UseFIPS`, `SDK::Endpoint`, ...). */
  readonly builtIn?: string
  readonly required?: boolean
  readonly default?: ParameterValue
  readonly documentation?: string
  readonly deprecated?: { readonly message?: string; readonly since?: string }
}

/** Literal endpoint properties (strings in them are templates). */
export type PropertyValue =
  | string
  | boolean
  | number
  | ReadonlyArray<PropertyValue>
  | { readonly [key: string]: PropertyValue }

/** What an endpoint rule produces. */
export interface EndpointTemplate {
  readonly url: Expression
  readonly properties?: { readonly [key: string]: PropertyValue }
  readonly headers?: { readonly [name: string]: ReadonlyArray<Expression> }
}

export interface EndpointRule {
  readonly type: "endpoint"
  readonly conditions: ReadonlyArray<Condition>
  readonly endpoint: EndpointTemplate
  readonly documentation?: string
}

export interface ErrorRule {
  readonly type: "error"
  readonly conditions: ReadonlyArray<Condition>
  readonly error: Expression
  readonly documentation?: string
}

export interface TreeRule {
  readonly type: "tree"
  readonly conditions: ReadonlyArray<Condition>
  readonly rules: ReadonlyArray<Rule>
  readonly documentation?: string
}

export type Rule = EndpointRule | ErrorRule | TreeRule

/** An `endpoint-rule-set-1.json` document. */
export interface RuleSet {
  readonly version: string
  readonly parameters: { readonly [name: string]: ParameterDefinition }
  readonly rules: ReadonlyArray<Rule>
  readonly documentation?: string
}

/**
 * The decision-diagram form of a rule set, as `@aws-sdk/client-*` packages ship it in
 * `dist-es/endpoint/bdd.js` (conditions and results as tuples, nodes as `[condition, high, low]`
 * triples), plus the parameter declarations that the package keeps elsewhere.
 *
 * A node reference `r` is `1` / `-1` (no match), `>= 100_000_000` (result `r - 100_000_000`), or
 * a node `|r|` (1-based; a negative reference complements the condition).
 */
export interface DecisionDiagram {
  readonly parameters: { readonly [name: string]: ParameterDefinition }
  readonly conditions: ReadonlyArray<
    | readonly [fn: string, argv: ReadonlyArray<Expression>]
    | readonly [fn: string, argv: ReadonlyArray<Expression>, assign: string]
  >
  /** `[url, properties, headers?]` for an endpoint, `[-1, message]` for an error, `[-1]` for no match. */
  readonly results: ReadonlyArray<
    | readonly [-1]
    | readonly [-1, Expression]
    | readonly [
        Expression,
        { readonly [key: string]: PropertyValue },
        { readonly [name: string]: ReadonlyArray<Expression> }?
      ]
  >
  readonly nodes: ArrayLike<number>
  readonly root: number
}
