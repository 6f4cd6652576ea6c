/**
 * The sign stage: a built request signed with SigV4 for one attempt, with the credentials of that
 * attempt and the time it is sent (corrected by the clock offset the client learned).
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { type AwsCredentials, CredentialsError } from "../../Credentials/Credentials.js"
import type { ServiceClient } from "../Client.js"
import * as ClockSkew from "../ClockSkew.js"
import * as Sigv4 from "../Sigv4.js"
import type { HttpRequest } from "../Transport.js"
import type { BuiltRequest } from "./Build.js"

const HEADER_SAFE = /^[\x21-\x7e]*$/

/**
 * Credentials go into headers (the access key id in Authorization, the session token on its
 * own): from a hostile or broken source they could inject headers, so they are checked before
 * signing. The error names the field, never its value.
 */
const unsendableCredentials = (credentials: AwsCredentials): CredentialsError | undefined => {
  const field = !HEADER_SAFE.test(credentials.accessKeyId)
    ? "access key id"
    : credentials.sessionToken !== undefined && !HEADER_SAFE.test(Redacted.value(credentials.sessionToken))
      ? "session token"
      : undefined
  return field === undefined
    ? undefined
    : new CredentialsError({
        message: `the credentials' ${field} holds characters an HTTP header cannot carry; nothing was sent`,
        provider: credentials.source ?? "unknown"
      })
}

/** The identity a request is signed with: the secrets revealed only here, for the signer. */
export const identityOf = (credentials: AwsCredentials): Sigv4.SigningIdentity => ({
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: Redacted.value(credentials.secretAccessKey),
  sessionToken: credentials.sessionToken === undefined ? undefined : Redacted.value(credentials.sessionToken)
})

/**
 * The stage: the request signed at `nowMs` (the caller's clock), or as built when there are no
 * credentials (an anonymous client or an unsigned operation), or the `CredentialsError` of
 * credentials no header can carry.
 */
export const sign = (
  client: ServiceClient,
  built: BuiltRequest,
  credentials: AwsCredentials | undefined,
  nowMs: number
): HttpRequest | CredentialsError => {
  if (credentials === undefined) return built.request
  const unsendable = unsendableCredentials(credentials)
  if (unsendable !== undefined) return unsendable
  const s3 = client.definition.customizations?.s3Signing === true
  const { headers } = Sigv4.sign(
    built.request,
    identityOf(credentials),
    {
      region: built.signingRegion,
      service: built.signingName,
      date: ClockSkew.signingDate(nowMs, client.state.clockOffsetMs),
      payloadHash: built.payloadHash,
      uriEscapePath: !s3,
      contentSha256Header: s3
    },
    client.state.keyCache
  )
  return { ...built.request, headers }
}
