/**
 * The fields of credentials as providers read them from untrusted places (metadata endpoints,
 * process output, cache files, service answers, variables, profile files), checked where they are
 * read so that a broken or hostile source fails there, naming the provider and the field:
 *
 * - the access key id and session token travel in HTTP headers (`Authorization`,
 *   `X-Amz-Security-Token`), as do bearer tokens: visible ASCII only, so no CR/LF can inject a
 *   header;
 * - a secret access key is never sent, but one holding a control character (a stray CR from a
 *   file with Windows line endings) is corrupt: refused too;
 * - dates must be real dates (an `Expiration` of `1e20` ms is no date at all).
 *
 * Problems name the field, never its value.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { type AwsCredentials, make as makeCredentials } from "./Credentials.js"

const VISIBLE_ASCII = /^[\x21-\x7e]+$/
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what is rejected
const CONTROL = /[\u0000-\u001f\u007f]/

/** True for a value an HTTP header can carry as is: one or more visible ASCII characters. */
export const isHeaderSafe = (value: string): boolean => VISIBLE_ASCII.test(value)

/** True for a secret without control characters (CR, LF, NUL, ...), and not empty. */
export const isCleanSecret = (value: string): boolean => value !== "" && !CONTROL.test(value)

/** An access key id: visible ASCII, not empty. */
export const AccessKeyId = Schema.String.pipe(Schema.filter(isHeaderSafe))

/** A secret access key: not empty, no control characters. */
export const SecretAccessKey = Schema.String.pipe(Schema.filter(isCleanSecret))

/** A session or bearer token: visible ASCII (empty allowed: it is then not sent). */
export const SessionToken = Schema.String.pipe(Schema.filter((s) => s === "" || isHeaderSafe(s)))

/** A bearer token that must be present: visible ASCII, not empty. */
export const BearerToken = AccessKeyId

/** An ISO 8601 date string that is a real date. */
export const DateString = Schema.DateFromString.pipe(Schema.filter((d) => !Number.isNaN(d.getTime())))

/** Epoch milliseconds that make a real date. */
export const EpochMillis = Schema.Number.pipe(
  Schema.filter((n) => Number.isFinite(n) && !Number.isNaN(new Date(n).getTime()))
)

/** A duration in seconds that is a finite number, not negative. */
export const Seconds = Schema.Number.pipe(Schema.filter((n) => Number.isFinite(n) && n >= 0))

/** Names the fields that do not decode, without their values (they may be secrets). */
export const describeIssues = (error: ParseResult.ParseError): ReadonlyArray<string> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
    const where = issue.path.length === 0 ? "the document" : issue.path.map(String).join(".")
    return `${where}: ${issue._tag === "Missing" ? "is missing" : "has an invalid value"}`
  })

/**
 * The first problem of credentials read from a place without a schema (variables, profile
 * files), or undefined. `names` says what each field is called there.
 *
 * @example
 * checkFields(
 *   { accessKeyId: "AKID\r\nX: y", secretAccessKey: "s" },
 *   { accessKeyId: "AWS_ACCESS_KEY_ID", secretAccessKey: "AWS_SECRET_ACCESS_KEY", sessionToken: "AWS_SESSION_TOKEN" }
 * )
 * // "AWS_ACCESS_KEY_ID holds characters an HTTP header cannot carry (only visible ASCII is allowed)"
 */
export const checkFields = (
  fields: {
    readonly accessKeyId: string
    readonly secretAccessKey: string
    readonly sessionToken?: string | undefined
  },
  names: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string }
): string | undefined => {
  if (!isHeaderSafe(fields.accessKeyId)) {
    return `${names.accessKeyId} holds characters an HTTP header cannot carry (only visible ASCII is allowed)`
  }
  if (!isCleanSecret(fields.secretAccessKey)) {
    return `${names.secretAccessKey} holds a control character (a line break?)`
  }
  if (fields.sessionToken !== undefined && fields.sessionToken !== "" && !isHeaderSafe(fields.sessionToken)) {
    return `${names.sessionToken} holds characters an HTTP header cannot carry (only visible ASCII is allowed)`
  }
  return undefined
}

/** A body that must be JSON, or the problem (never quoting the body: it may hold secrets). */
export const parseJson = (body: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(body))
  } catch {
    return Either.left("the credentials document is not valid JSON")
  }
}

/** The fields of the credentials documents the instance and container endpoints answer with. */
export interface MetadataDocument {
  readonly AccessKeyId: string
  readonly SecretAccessKey: string
  readonly Token?: string | undefined
  readonly Expiration?: Date | undefined
  readonly AccountId?: string | undefined
}

/**
 * Decodes a metadata credentials document into credentials of `source`; a failure says what the
 * document lacks (`lacks`) and names the fields that do not decode, never their values.
 */
export const decodeMetadataDocument = <A extends MetadataDocument, I>(
  schema: Schema.Schema<A, I>,
  json: unknown,
  lacks: string,
  source: string
): Either.Either<AwsCredentials, string> =>
  Either.mapBoth(Schema.decodeUnknownEither(schema)(json, { errors: "all" }), {
    onLeft: (error) =>
      `the credentials document lacks ${lacks}, or has a field of the wrong type or with characters a header cannot carry (${describeIssues(error).join("; ")})`,
    onRight: (doc) =>
      makeCredentials({
        accessKeyId: doc.AccessKeyId,
        secretAccessKey: doc.SecretAccessKey,
        sessionToken: doc.Token,
        expiration: doc.Expiration,
        accountId: doc.AccountId,
        source
      })
  })
