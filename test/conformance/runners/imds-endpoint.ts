/**
 * The instance metadata endpoint suite (`credentials/smithy-rs-aws-config/imds-config/
 * imds-endpoint-tests.json`): environment, config file and explicit overrides in, the URL of the
 * IMDSv2 token request (or an error containing a given text) out.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as InstanceMetadataSettings from "../../../src/Credentials/InstanceMetadataSettings.js"
import * as SharedConfig from "../../../src/Session/SharedConfig.js"
import { loadExceptions } from "../CredentialsSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"
import * as RootedFileSystem from "../RootedFileSystem.js"

interface Case {
  readonly docs: string
  readonly env: Readonly<Record<string, string>>
  readonly fs: Readonly<Record<string, string>>
  readonly endpoint_override?: string
  readonly mode_override?: string
  readonly result: { readonly Ok: string } | { readonly Err: string }
}

const modeOf = (text: string | undefined): InstanceMetadataSettings.EndpointMode | undefined =>
  text === undefined ? undefined : text.toLowerCase() === "ipv6" ? "IPv6" : "IPv4"

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("credentials/smithy-rs-aws-config/imds-config/imds-endpoint-tests.json")
  const suite = JSON.parse(fs.readFileSync(file, "utf8")) as { readonly tests: ReadonlyArray<Case> }
  const { skip, wording } = loadExceptions("imds-endpoint")
  const tally = new Tally()
  for (const c of suite.tests) {
    if (skip.has(c.docs)) {
      tally.skip()
      continue
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "imds-endpoint-"))
    try {
      for (const [name, contents] of Object.entries(c.fs)) {
        fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
        fs.writeFileSync(path.join(root, name), contents)
      }
      const program = Effect.gen(function* () {
        const loaded = yield* SharedConfig.load()
        return InstanceMetadataSettings.resolveSettings({
          env: c.env,
          profile: Option.getOrUndefined(loaded.profile),
          endpoint: c.endpoint_override,
          endpointMode: modeOf(c.mode_override)
        })
      }).pipe(
        Effect.provide(RootedFileSystem.layer(root)),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(c.env))))
      )
      const settings = await Effect.runPromise(Effect.either(program))
      const resolved: Either.Either<InstanceMetadataSettings.ImdsSettings, string> = Either.isLeft(settings)
        ? Either.left(settings.left.message)
        : Either.mapLeft(settings.right, (e) => e.message)
      const actual = Either.isLeft(resolved)
        ? { Err: resolved.left }
        : { Ok: InstanceMetadataSettings.tokenUrl(resolved.right) }
      const ok =
        "Ok" in c.result
          ? "Ok" in actual && actual.Ok === c.result.Ok
          : "Err" in actual && actual.Err.includes(wording.get(c.docs)?.contains ?? c.result.Err)
      if (ok) tally.pass()
      else tally.fail({ where: c.docs, expected: c.result, actual })
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
  return tally.result()
}
