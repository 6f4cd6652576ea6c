/**
 * The shape model every protocol codec is driven by: the AWS api-2 model, with shape names resolved
 * to object references. Generated clients emit each shape as a plain const object of these types;
 * the conformance runner builds them from the api-2 JSON of the official test suites
 * (`fromApi2`), so both feed the very same codecs.
 *
 * Member references carry the api-2 member traits (`location`, `locationName`, `flattened`, ...);
 * the shape they point at is reached through `shape` (a getter in generated code when the
 * reference is recursive or forward).
 *
 * @since 0.1.0
 */

/** Timestamp wire formats (`timestampFormat`). */
export type TimestampFormat = "iso8601" | "rfc822" | "unixTimestamp"

/** Where a member is bound in an HTTP message (REST protocols). */
export type Location = "uri" | "querystring" | "header" | "headers" | "statusCode"

/** An XML namespace declaration (`xmlNamespace`). */
export interface XmlNamespace {
  readonly uri: string
  readonly prefix?: string
}

/** Traits that can sit on a member reference (and, for some, on the shape itself). */
export interface MemberTraits {
  readonly location?: Location
  readonly locationName?: string
  readonly queryName?: string
  readonly flattened?: boolean
  readonly xmlAttribute?: boolean
  readonly xmlNamespace?: XmlNamespace
  readonly timestampFormat?: TimestampFormat
  readonly jsonvalue?: boolean
  readonly idempotencyToken?: boolean
  readonly hostLabel?: boolean
  readonly streaming?: boolean
  readonly eventpayload?: boolean
  readonly eventheader?: boolean
  readonly contextParam?: { readonly name: string }
  readonly deprecated?: boolean
}

/** A reference from a structure member, list member or map key/value to a shape. */
export interface MemberRef extends MemberTraits {
  readonly shape: Shape
}

interface ShapeBase {
  /** The shape's name in the model (error codes, XML element names, messages). */
  readonly name: string
  readonly locationName?: string
  readonly xmlNamespace?: XmlNamespace
  readonly location?: Location
}

export interface StructureShape extends ShapeBase {
  readonly type: "structure"
  readonly members: { readonly [name: string]: MemberRef }
  readonly required?: ReadonlyArray<string>
  /** The member bound to the whole HTTP payload (REST protocols). */
  readonly payload?: string
  readonly union?: boolean
  readonly document?: boolean
  readonly exception?: boolean
  readonly fault?: boolean
  readonly error?: {
    readonly code?: string
    readonly httpStatusCode?: number
    readonly senderFault?: boolean
  }
  readonly event?: boolean
  readonly eventstream?: boolean
  readonly resultWrapper?: string
}

export interface ListShape extends ShapeBase {
  readonly type: "list"
  readonly member: MemberRef
  readonly flattened?: boolean
  readonly min?: number
  readonly max?: number
}

export interface MapShape extends ShapeBase {
  readonly type: "map"
  readonly key: MemberRef
  readonly value: MemberRef
  readonly flattened?: boolean
  readonly min?: number
  readonly max?: number
}

export interface StringShape extends ShapeBase {
  readonly type: "string"
  readonly enum?: ReadonlyArray<string>
  readonly min?: number
  readonly max?: number
  readonly pattern?: string
  readonly jsonvalue?: boolean
  readonly sensitive?: boolean
}

export interface NumberShape extends ShapeBase {
  readonly type: "integer" | "long" | "float" | "double" | "byte" | "short" | "bigdecimal" | "biginteger"
  readonly min?: number
  readonly max?: number
}

export interface BooleanShape extends ShapeBase {
  readonly type: "boolean"
}

export interface CharacterShape extends ShapeBase {
  readonly type: "character"
}

export interface TimestampShape extends ShapeBase {
  readonly type: "timestamp"
  readonly timestampFormat?: TimestampFormat
}

export interface BlobShape extends ShapeBase {
  readonly type: "blob"
  readonly streaming?: boolean
  readonly requiresLength?: boolean
  readonly min?: number
  readonly max?: number
  readonly sensitive?: boolean
}

export type Shape =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | CharacterShape
  | TimestampShape
  | BlobShape

export type ShapeType = Shape["type"]

/** How an operation's input or output is referenced (api-2 `input` / `output`). */
export interface OperationShapeRef {
  readonly shape: StructureShape
  readonly locationName?: string
  readonly xmlNamespace?: XmlNamespace
  readonly resultWrapper?: string
  /** The member bound to the whole HTTP payload, when the model puts it on the reference. */
  readonly payload?: string
}

/** An operation of the api-2 model: what the codecs need to (de)serialize one call. */
export interface OperationModel {
  readonly name: string
  readonly http: {
    readonly method: string
    readonly requestUri: string
    readonly responseCode?: number
  }
  readonly input?: OperationShapeRef
  readonly output?: OperationShapeRef
  readonly errors?: ReadonlyArray<StructureShape>
  readonly endpoint?: { readonly hostPrefix: string }
  readonly idempotent?: boolean
  readonly httpChecksumRequired?: boolean
  readonly httpChecksum?: {
    readonly requestChecksumRequired?: boolean
    readonly requestAlgorithmMember?: string
    readonly requestValidationModeMember?: string
    readonly responseAlgorithms?: ReadonlyArray<string>
  }
  readonly requestcompression?: { readonly encodings: ReadonlyArray<string> }
  readonly authtype?: string
  readonly auth?: ReadonlyArray<string>
  readonly unsignedPayload?: boolean
  readonly deprecated?: boolean
  /** Endpoint rule-set parameters this operation always sets (`UseS3ExpressControlEndpoint`). */
  readonly staticContextParams?: { readonly [name: string]: { readonly value: string | boolean } }
  /**
   * Endpoint rule-set parameters read from top-level input members, by parameter (DynamoDB's
   * `ResourceArn` from `TableName`), besides the members' own `contextParam`.
   */
  readonly contextParams?: { readonly [name: string]: string }
  /** Endpoint rule-set parameters read from the input by a path (`keys(RequestItems)`). */
  readonly operationContextParams?: { readonly [name: string]: { readonly path: string } }
}

/** The api-2 service metadata the codecs and the pipeline read. */
export interface ServiceMetadata {
  readonly protocol: "rest-xml" | "rest-json" | "json" | "query" | "ec2" | "smithy-rpc-v2-cbor"
  /** Every protocol the service speaks, preferred first (newer models; `protocol` is the one used). */
  readonly protocols?: ReadonlyArray<string>
  readonly apiVersion: string
  readonly jsonVersion?: string
  readonly targetPrefix?: string
  readonly xmlNamespace?: string
  /** Present (api-2 writes `{}`) when a json service keeps the error codes of its former awsQuery protocol. */
  readonly awsQueryCompatible?: boolean | Readonly<Record<string, unknown>>
  readonly endpointPrefix?: string
  readonly signingName?: string
  readonly signatureVersion?: string
  readonly serviceId?: string
  readonly serviceFullName?: string
  readonly globalEndpoint?: string
  readonly uid?: string
}

/** The member's own trait if set, else the target shape's. */
export const traitOf = <K extends keyof MemberTraits & keyof ShapeTraitSource>(
  ref: MemberRef,
  key: K
): MemberTraits[K] | ShapeTraitSource[K] =>
  ref[key] !== undefined ? ref[key] : (ref.shape as ShapeTraitSource)[key]

type ShapeTraitSource = {
  readonly locationName?: string
  readonly xmlNamespace?: XmlNamespace
  readonly flattened?: boolean
  readonly timestampFormat?: TimestampFormat
  readonly jsonvalue?: boolean
  readonly streaming?: boolean
  readonly location?: Location
}
