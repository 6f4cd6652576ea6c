/**
 * The cross-SDK profile chain suite (`credentials/smithy-rs-aws-config/assume-role-tests.json`):
 * profiles in, the chain of providers the selected profile resolves to (base provider first,
 * then each role to assume) or an error containing a given text, compared structurally.
 */
import * as fs from "node:fs"
import { isDeepStrictEqual } from "node:util"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { type BaseProvider, type ProfileChain, resolveChain } from "../../../src/Credentials/ProfileChain.js"
import { asciiLowerCase, type ProfileSet, Section } from "../../../src/Session/ProfileSet.js"
import { loadExceptions } from "../CredentialsSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

type Props = Record<string, string>

interface Case {
  readonly docs: string
  readonly input: {
    readonly profiles: Record<string, Props>
    readonly sso_sessions?: Record<string, Props>
    readonly selected_profile: string
  }
  readonly output: { readonly ProfileChain: ReadonlyArray<unknown> } | { readonly Error: string }
}

const sections = (kind: "profile" | "sso-session", input: Record<string, Props> | undefined) =>
  new Map(
    Object.entries(input ?? {}).map(([name, props]) => [
      name,
      new Section(kind, name, new Map(Object.entries(props).map(([k, v]) => [asciiLowerCase(k), v])))
    ])
  )

/** Drops undefined members, as the suite leaves absent fields out. */
const defined = (o: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined))

const representBase = (base: BaseProvider): unknown => {
  switch (base._tag) {
    case "AccessKey":
      return {
        AccessKey: defined({
          access_key_id: base.accessKeyId,
          secret_access_key: Redacted.value(base.secretAccessKey),
          session_token: base.sessionToken === undefined ? undefined : Redacted.value(base.sessionToken),
          account_id: base.accountId
        })
      }
    case "NamedSource":
      return { NamedSource: base.source }
    case "WebIdentityToken":
      return {
        WebIdentityToken: defined({
          role_arn: base.roleArn,
          web_identity_token_file: base.tokenFile,
          role_session_name: base.roleSessionName
        })
      }
    case "Sso":
      return {
        Sso: defined({
          sso_session: base.ssoSession,
          sso_region: base.ssoRegion,
          sso_start_url: base.ssoStartUrl,
          sso_account_id: base.ssoAccountId,
          sso_role_name: base.ssoRoleName
        })
      }
    case "CredentialProcess":
      return { CredentialProcess: defined({ command: base.command, account_id: base.accountId }) }
  }
}

/** A chain in the suite's form: the base provider, then one `AssumeRole` per role, in order. */
export const represent = (chain: ProfileChain): ReadonlyArray<unknown> => [
  representBase(chain.base),
  ...chain.chain.map((step) => ({
    AssumeRole: defined({
      role_arn: step.roleArn,
      external_id: step.externalId,
      role_session_name: step.roleSessionName,
      duration_seconds: step.durationSeconds === undefined ? undefined : String(step.durationSeconds),
      mfa_serial: step.mfaSerial
    })
  }))
]

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("credentials/smithy-rs-aws-config/assume-role-tests.json")
  const suite = JSON.parse(fs.readFileSync(file, "utf8")) as ReadonlyArray<Case>
  const { skip, wording } = loadExceptions("assume-role-chain")
  const tally = new Tally()
  for (const c of suite) {
    if (skip.has(c.docs)) {
      tally.skip()
      continue
    }
    const set: ProfileSet = {
      profiles: sections("profile", c.input.profiles),
      ssoSessions: sections("sso-session", c.input.sso_sessions),
      services: new Map()
    }
    const resolved = resolveChain(set, c.input.selected_profile)
    const actual = Either.isLeft(resolved)
      ? { Error: resolved.left.problem }
      : { ProfileChain: represent(resolved.right) }
    let ok: boolean
    if ("Error" in c.output) {
      const contains = wording.get(c.docs)?.contains ?? c.output.Error
      ok = "Error" in actual && actual.Error.includes(contains)
    } else {
      ok = isDeepStrictEqual(actual, c.output)
    }
    if (ok) tally.pass()
    else tally.fail({ where: c.docs, expected: c.output, actual })
  }
  return tally.result()
}
