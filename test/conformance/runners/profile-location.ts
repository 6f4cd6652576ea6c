/**
 * The cross-SDK file location suite (`config/smithy-rs/file-location-tests.json`): environment and
 * platform in, config file, credentials file and selected profile out.
 */
import * as fs from "node:fs"
import { isDeepStrictEqual } from "node:util"
import * as FileLocation from "../../../src/Session/FileLocation.js"
import { loadSkips } from "../ConfigSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

interface Case {
  readonly name: string
  readonly environment: Readonly<Record<string, string>>
  readonly platform: string
  readonly profile?: string
  readonly configLocation: string
  readonly credentialsLocation: string
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("config/smithy-rs/file-location-tests.json")
  const suite = JSON.parse(fs.readFileSync(file, "utf8")) as { readonly tests: ReadonlyArray<Case> }
  const skips = loadSkips("profile-location")
  const tally = new Tally()
  for (const c of suite.tests) {
    if (skips.has(c.name)) {
      tally.skip()
      continue
    }
    const located = FileLocation.resolveFileLocations(c.environment, FileLocation.platformOf(c.platform))
    const actual = {
      configLocation: located.configFile,
      credentialsLocation: located.credentialsFile,
      ...(c.profile === undefined ? {} : { profile: located.profile })
    }
    const expected = {
      configLocation: c.configLocation,
      credentialsLocation: c.credentialsLocation,
      ...(c.profile === undefined ? {} : { profile: c.profile })
    }
    if (isDeepStrictEqual(actual, expected)) tally.pass()
    else tally.fail({ where: `${c.name} [${c.platform}]`, expected, actual })
  }
  return tally.result()
}
