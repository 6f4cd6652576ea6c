import * as util from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Either, Option, Redacted } from "effect"
import * as ConfigFile from "../../../src/Session/ConfigFile.js"
import type { Section } from "../../../src/Session/ProfileSet.js"
import * as ProfileSettings from "../../../src/Session/ProfileSettings.js"

const profile = (body: string, name = "dev"): Section => {
  const set = Either.getOrThrow(
    ConfigFile.parse({ config: { path: "config", contents: `[profile ${name}]\n${body}` } })
  )
  return set.profiles.get(name)!
}

const value = <A>(section: Section, s: ProfileSettings.Setting<A>): Option.Option<A> =>
  Either.getOrThrow(ProfileSettings.read(section, s))

const failure = <A>(section: Section, s: ProfileSettings.Setting<A>): ProfileSettings.ConfigValueError =>
  Either.getOrThrowWith(Either.flip(ProfileSettings.read(section, s)), () => new Error("expected a failure"))

describe("ProfileSettings", () => {
  it("decodes booleans in any case", () => {
    expect(value(profile("use_fips_endpoint = TRUE"), ProfileSettings.UseFipsEndpoint)).toEqual(
      Option.some(true)
    )
    expect(value(profile("use_fips_endpoint = False"), ProfileSettings.UseFipsEndpoint)).toEqual(
      Option.some(false)
    )
  })

  it("names the profile, the key and the value of a bad boolean", () => {
    const error = failure(profile("use_dualstack_endpoint = yes"), ProfileSettings.UseDualstackEndpoint)
    expect(error._tag).toBe("ConfigValueError")
    expect(error.source).toBe('profile "dev"')
    expect(error.key).toBe("use_dualstack_endpoint")
    expect(error.message).toBe(
      'invalid use_dualstack_endpoint in profile "dev": expected "true" or "false", got "yes"'
    )
  })

  it("decodes integers and rejects what is not a whole number of at least 1", () => {
    expect(value(profile("max_attempts = 5"), ProfileSettings.MaxAttempts)).toEqual(Option.some(5))
    expect(value(profile("duration_seconds = 3600"), ProfileSettings.DurationSeconds)).toEqual(
      Option.some(3600)
    )
    expect(failure(profile("max_attempts = 2.5"), ProfileSettings.MaxAttempts).message).toBe(
      'invalid max_attempts in profile "dev": expected an integer, got "2.5"'
    )
    expect(failure(profile("max_attempts = 1e3"), ProfileSettings.MaxAttempts).problem).toContain("integer")
    expect(failure(profile("max_attempts = 0"), ProfileSettings.MaxAttempts).problem).toBe(
      "expected an integer of at least 1, got 0"
    )
  })

  it("decodes enumerations in any case to their canonical spelling", () => {
    expect(value(profile("retry_mode = STANDARD"), ProfileSettings.RetryMode)).toEqual(
      Option.some("standard")
    )
    expect(
      value(
        profile("ec2_metadata_service_endpoint_mode = ipv6"),
        ProfileSettings.Ec2MetadataServiceEndpointMode
      )
    ).toEqual(Option.some("IPv6"))
    expect(failure(profile("retry_mode = fast"), ProfileSettings.RetryMode).problem).toBe(
      'expected one of "legacy", "standard", "adaptive", got "fast"'
    )
  })

  it("reads s3 sub-properties", () => {
    const p = profile("s3 =\n  addressing_style = PATH\n  use_arn_region = true")
    expect(value(p, ProfileSettings.S3AddressingStyle)).toEqual(Option.some("path"))
    expect(value(p, ProfileSettings.S3UseArnRegion)).toEqual(Option.some(true))
    expect(failure(profile("s3 =\n  use_arn_region = maybe"), ProfileSettings.S3UseArnRegion).key).toBe(
      "s3.use_arn_region"
    )
  })

  it("treats absent and empty values as not set", () => {
    expect(value(profile("region ="), ProfileSettings.Region)).toEqual(Option.none())
    expect(value(profile(""), ProfileSettings.Region)).toEqual(Option.none())
    expect(Either.getOrThrow(ProfileSettings.read(undefined, ProfileSettings.Region))).toEqual(Option.none())
  })

  it("reads every known setting at once", () => {
    const all = Either.getOrThrow(
      ProfileSettings.readAll(
        profile(
          [
            "region = eu-west-1",
            "role_arn = arn:aws:iam::123456789012:role/r",
            "source_profile = base",
            "credential_source = ecscontainer",
            "sts_regional_endpoints = regional",
            "request_checksum_calculation = WHEN_REQUIRED",
            "ec2_metadata_v1_disabled = true",
            "unknown_key = kept out"
          ].join("\n")
        )
      )
    )
    expect(all).toEqual({
      region: "eu-west-1",
      roleArn: "arn:aws:iam::123456789012:role/r",
      sourceProfile: "base",
      credentialSource: "EcsContainer",
      stsRegionalEndpoints: "regional",
      requestChecksumCalculation: "when_required",
      ec2MetadataV1Disabled: true
    })
    expect(Either.isLeft(ProfileSettings.readAll(profile("region = x\nmax_attempts = many")))).toBe(true)
  })

  it("holds secrets as Redacted values that never print", () => {
    const p = profile(
      "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRET-KEY-1\naws_session_token = TOKEN-2"
    )
    const all = Either.getOrThrow(ProfileSettings.readAll(p))
    expect(all.awsAccessKeyId).toBe("AKIDEXAMPLE")
    expect(Redacted.value(all.awsSecretAccessKey!)).toBe("SECRET-KEY-1")
    expect(Redacted.value(all.awsSessionToken!)).toBe("TOKEN-2")
    const secret = value(p, ProfileSettings.AwsSecretAccessKey)
    for (const shown of [
      String(all.awsSecretAccessKey),
      String(all.awsSessionToken),
      JSON.stringify(all),
      util.inspect(all, { depth: 10 }),
      String(secret),
      JSON.stringify(secret),
      util.inspect(secret)
    ]) {
      expect(shown).not.toContain("SECRET-KEY-1")
      expect(shown).not.toContain("TOKEN-2")
    }
  })

  it("keeps secret values out of error messages", () => {
    const error = Either.getOrThrowWith(
      Either.flip(
        ProfileSettings.decodeValue(
          { key: "aws_secret_access_key", schema: ProfileSettings.IntegerFromText, secret: true },
          "SECRET-KEY-1",
          'profile "dev"'
        )
      ),
      () => new Error("expected a failure")
    )
    expect(error.message).toBe('invalid aws_secret_access_key in profile "dev": invalid value')
  })
})
