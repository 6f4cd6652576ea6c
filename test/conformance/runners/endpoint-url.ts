/**
 * The configured endpoint URL suite (`config/botocore-configured_endpoint_urls/profile-tests.json`):
 * profiles and `[services x]` sections (written out as a config file and parsed), environment and
 * client configuration in, the endpoint URL a client uses out. When nothing is configured the
 * SDK's own endpoint is expected; this runner stands in for endpoint resolution with the
 * `https://<service>.<region>.amazonaws.com` form the suite expects.
 */
import * as fs from "node:fs"
import { Either, Option } from "effect"
import * as ConfigFile from "../../../src/Session/ConfigFile.js"
import * as ConfiguredEndpoint from "../../../src/Session/ConfiguredEndpoint.js"
import { loadSkips } from "../ConfigSkips.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

type Flat = Readonly<Record<string, string>>

interface Case {
  readonly name: string
  readonly profile: string
  readonly client_config: string
  readonly environment: string
  readonly service: string
  readonly output: { readonly endpointUrl: string }
}

interface Suite {
  readonly profiles: Readonly<Record<string, Flat>>
  readonly services: Readonly<Record<string, Readonly<Record<string, Flat>>>>
  readonly client_configs: Readonly<
    Record<string, { readonly endpoint_url?: string; readonly ignore_configured_endpoint_urls?: boolean }>
  >
  readonly environments: Readonly<Record<string, Flat>>
  readonly endpointUrlTests: ReadonlyArray<Case>
}

/** The suite's profiles and services as the text of a config file. */
const configText = (suite: Suite): string => {
  const lines: Array<string> = []
  for (const [name, props] of Object.entries(suite.profiles)) {
    lines.push(name === "default" ? "[default]" : `[profile ${name}]`)
    for (const [k, v] of Object.entries(props)) lines.push(`${k} = ${v}`)
  }
  for (const [name, blocks] of Object.entries(suite.services)) {
    lines.push(`[services ${name}]`)
    for (const [service, props] of Object.entries(blocks)) {
      lines.push(`${service} =`)
      for (const [k, v] of Object.entries(props)) lines.push(`  ${k} = ${v}`)
    }
  }
  return lines.join("\n")
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const file = args[0] ?? dataPath("config/botocore-configured_endpoint_urls/profile-tests.json")
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as { readonly testSuites: ReadonlyArray<Suite> }
  const skips = loadSkips("endpoint-url")
  const tally = new Tally()
  for (const suite of data.testSuites) {
    const parsed = ConfigFile.parse({ config: { path: "config", contents: configText(suite) } })
    if (Either.isLeft(parsed)) throw parsed.left
    const profileSet = parsed.right
    for (const c of suite.endpointUrlTests) {
      if (skips.has(c.name)) {
        tally.skip()
        continue
      }
      const profile = profileSet.profiles.get(c.profile)
      const client = suite.client_configs[c.client_config] ?? {}
      const resolved = ConfiguredEndpoint.resolve({
        serviceId: c.service,
        env: suite.environments[c.environment] ?? {},
        profile,
        profileSet,
        client: {
          endpointUrl: client.endpoint_url,
          ignoreConfiguredEndpointUrls: client.ignore_configured_endpoint_urls
        }
      })
      const actual = Either.isLeft(resolved)
        ? { error: resolved.left.message }
        : Option.match(resolved.right, {
            onNone: () => `https://${c.service}.${profile?.get("region") ?? "us-east-1"}.amazonaws.com`,
            onSome: (found) => found.url
          })
      if (actual === c.output.endpointUrl) tally.pass()
      else tally.fail({ where: c.name, expected: c.output.endpointUrl, actual })
    }
  }
  return tally.result()
}
