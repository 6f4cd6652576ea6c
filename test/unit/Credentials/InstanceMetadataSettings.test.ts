import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { resolveSettings } from "../../../src/Credentials/InstanceMetadataSettings.js"
import { parse } from "../../../src/Session/ConfigFile.js"

describe("InstanceMetadataSettings.resolveSettings", () => {
  const profileWith = (text: string) =>
    Either.getOrThrow(
      parse({ config: { path: "config", contents: `[default]\n${text}\n` }, credentials: undefined })
    ).profiles.get("default")

  it("defaults to the IPv4 endpoint, IMDS on, v1 allowed", () => {
    expect(resolveSettings({ env: {} })).toEqual(
      Either.right({ endpoint: "http://169.254.169.254", disabled: false, v1Disabled: false })
    )
  })

  it("reads ec2_metadata_v1_disabled from the profile and lets the environment override it", () => {
    const profile = profileWith("ec2_metadata_v1_disabled = true")
    expect(Either.getOrThrow(resolveSettings({ env: {}, profile })).v1Disabled).toBe(true)
    expect(
      Either.getOrThrow(resolveSettings({ env: { AWS_EC2_METADATA_V1_DISABLED: "false" }, profile }))
        .v1Disabled
    ).toBe(false)
  })

  it("strips a trailing slash from a configured endpoint", () => {
    expect(
      Either.getOrThrow(resolveSettings({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://x:1/" } }))
        .endpoint
    ).toBe("http://x:1")
  })
})
