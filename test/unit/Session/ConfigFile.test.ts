import * as util from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import * as ConfigFile from "../../../src/Session/ConfigFile.js"
import type { ProfileSet } from "../../../src/Session/ProfileSet.js"

const parseOk = (config: string, credentials?: string): ProfileSet => {
  const result = ConfigFile.parse({
    config: { path: "/home/me/.aws/config", contents: config },
    ...(credentials === undefined
      ? {}
      : { credentials: { path: "/home/me/.aws/credentials", contents: credentials } })
  })
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const parseError = (files: Parameters<typeof ConfigFile.parse>[0]): ConfigFile.ConfigFileError => {
  const result = ConfigFile.parse(files)
  if (Either.isRight(result)) throw new Error("expected a ConfigFileError")
  return result.left
}

describe("ConfigFile.parse", () => {
  it("names the file, the line and the problem of a malformed config file", () => {
    const error = parseError({
      config: { path: "/home/me/.aws/config", contents: "[profile a]\nregion = x\n\n[profile b" }
    })
    expect(error._tag).toBe("ConfigFileError")
    expect(error.path).toBe("/home/me/.aws/config")
    expect(error.line).toBe(4)
    expect(error.problem).toBe("Profile definition must end with ']'")
    expect(error.message).toBe(
      "error parsing /home/me/.aws/config on line 4: Profile definition must end with ']'"
    )
  })

  it("names the credentials file when it is the malformed one", () => {
    const error = parseError({
      config: { path: "cfg", contents: "[default]\nregion = x" },
      credentials: { path: "creds", contents: "[default]\r\naws_access_key_id = A\r\nsecret" }
    })
    expect(error.path).toBe("creds")
    expect(error.line).toBe(3)
    expect(error.message).toContain("Expected an '=' sign defining a property")
  })

  it("reports sub-property problems on their own line", () => {
    const error = parseError({
      config: { path: "cfg", contents: "[default]\ns3 =\n  addressing_style = path\n  oops" }
    })
    expect(error.line).toBe(4)
    expect(error.problem).toBe("Expected an '=' sign defining a sub-property")
  })

  it("reads keys case-insensitively and keeps names case-sensitive", () => {
    const set = parseOk("[profile Dev]\nRegion = eu-west-1")
    expect(set.profiles.get("Dev")?.get("REGION")).toBe("eu-west-1")
    expect(set.profiles.has("dev")).toBe(false)
  })

  it("parses sub-properties and services sections", () => {
    const set = parseOk(
      [
        "[profile dev]",
        "services = local",
        "s3 =",
        "  addressing_style = path ; comment",
        "  Use_Arn_Region = true",
        "[services local]",
        "dynamodb =",
        "  endpoint_url = http://127.0.0.1:8000"
      ].join("\n")
    )
    const dev = set.profiles.get("dev")!
    expect(dev.subProperty("s3", "addressing_style")).toBe("path")
    expect(dev.subProperty("s3", "use_arn_region")).toBe("true")
    expect(dev.subProperties("services")).toBeUndefined()
    expect(set.services.get("local")?.subProperty("dynamodb", "endpoint_url")).toBe("http://127.0.0.1:8000")
  })

  it("lets the credentials file win key by key and keeps sso-sessions from the config file", () => {
    const set = parseOk(
      "[profile dev]\nregion = a\noutput = json\n[sso-session corp]\nsso_region = us-east-1",
      "[dev]\nregion = b\n[sso-session corp]\nx = y"
    )
    expect(Object.fromEntries(set.profiles.get("dev")!.properties)).toEqual({ region: "b", output: "json" })
    expect(Object.fromEntries(set.ssoSessions.get("corp")!.properties)).toEqual({ sso_region: "us-east-1" })
  })

  it("ignores a byte order mark", () => {
    expect(parseOk("\uFEFF[default]\nregion = x").profiles.get("default")?.get("region")).toBe("x")
  })

  it("accepts keys that would be special on plain objects", () => {
    const section = parseOk("[default]\n__proto__ = x\nconstructor = y").profiles.get("default")!
    expect(section.get("__proto__")).toBe("x")
    expect(section.get("constructor")).toBe("y")
    const printed = JSON.parse(JSON.stringify(section)) as { properties: object }
    expect(Object.getOwnPropertyDescriptor(printed.properties, "__proto__")?.value).toBe("x")
  })

  it("never prints secrets held in a section", () => {
    const set = parseOk(
      "[default]\nregion = x",
      "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRET-KEY-1\naws_session_token = TOKEN-2"
    )
    const section = set.profiles.get("default")!
    expect(section.get("aws_secret_access_key")).toBe("SECRET-KEY-1")
    for (const shown of [String(section), JSON.stringify(section), util.inspect(section), `${section}`]) {
      expect(shown).not.toContain("SECRET-KEY-1")
      expect(shown).not.toContain("TOKEN-2")
      expect(shown).toContain("AKIDEXAMPLE")
    }
    expect(util.inspect(set, { depth: 10 })).not.toContain("SECRET-KEY-1")
  })

  it("never throws, whatever the text", () => {
    const pieces = fc.constantFrom(
      "[",
      "]",
      "profile ",
      "default",
      "=",
      " ",
      "\t",
      "\n",
      "\r\n",
      "#",
      ";",
      "a",
      "B",
      "s3"
    )
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), fc.array(pieces, { maxLength: 40 }), (a, b) => {
        const result = ConfigFile.parse({
          config: { path: "c", contents: a.join("") },
          credentials: { path: "k", contents: b.join("") }
        })
        if (Either.isLeft(result)) {
          const file = result.left.path === "c" ? a.join("") : b.join("")
          expect(result.left.line).toBeGreaterThanOrEqual(1)
          expect(result.left.line).toBeLessThanOrEqual(file.split("\n").length)
        }
      })
    )
  })
})
