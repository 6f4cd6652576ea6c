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

describe("ConfigFile.parse, rule by rule (issue 26)", () => {
  const props = (
    set: ProfileSet,
    name: string,
    kind: "profiles" | "ssoSessions" | "services" = "profiles"
  ) => {
    const section = set[kind].get(name)
    return section === undefined ? undefined : Object.fromEntries(section.properties)
  }

  it("skips comment lines starting with # or ; and blank lines of spaces and tabs", () => {
    const set = parseOk("# top\n; top\n[default]\n \t \n# a = b\nregion = x\n; c = d\n\t\noutput = json\n")
    expect(props(set, "default")).toEqual({ region: "x", output: "json" })
  })

  it("reads files with CRLF line ends: no \\r in headers or values", () => {
    const set = parseOk(
      "[profile a]\r\nregion = x\r\ns3 =\r\n  addressing_style = path\r\n",
      "[a]\r\noutput = json\r\n"
    )
    expect(props(set, "a")).toEqual({ region: "x", s3: "\naddressing_style = path", output: "json" })
  })

  it("trims the text between a header's brackets and cuts the header at # or ;, whichever comes first", () => {
    const set = parseOk(
      [
        "[  profile   a  ]",
        "k = 1",
        "[profile b] # a comment ; with a semicolon",
        "k = 2",
        "[profile c] ; a comment # with a hash",
        "k = 3",
        "[profile d]#tight",
        "k = 4",
        "[profile e];tight",
        "k = 5"
      ].join("\n")
    )
    expect(["a", "b", "c", "d", "e"].map((n) => props(set, n))).toEqual([
      { k: "1" },
      { k: "2" },
      { k: "3" },
      { k: "4" },
      { k: "5" }
    ])
  })

  it("a header cut by a comment before its ']' is an error", () => {
    for (const header of ["[profile a # ]", "[profile a ; ]", "[profile a"]) {
      const error = parseError({ config: { path: "cfg", contents: `[default]\n${header}\nk = v` } })
      expect([error.line, error.problem]).toEqual([2, "Profile definition must end with ']'"])
    }
  })

  it("joins continuation lines (indented by a space or a tab) with newlines, trimmed", () => {
    const set = parseOk("[default]\nk = first\n  second  \n\tthird\nother = x")
    expect(props(set, "default")).toEqual({ k: "first\nsecond\nthird", other: "x" })
  })

  it("a continuation of a plain value needs no '='; one in a sub-property block does", () => {
    expect(props(parseOk("[default]\nk = v\n  no equals here"), "default")).toEqual({
      k: "v\nno equals here"
    })
    const error = parseError({ config: { path: "cfg", contents: "[default]\nk =\n  no equals here" } })
    expect([error.line, error.problem]).toEqual([3, "Expected an '=' sign defining a sub-property"])
  })

  it("names each problem and its line", () => {
    const cases: ReadonlyArray<readonly [string, number, string]> = [
      ["region = x", 1, "Expected a profile definition"],
      ["  region = x", 1, "Expected a profile definition"],
      ["# c\n\tregion = x", 2, "Expected a profile definition"],
      ["[default]\n  region = x", 2, "Expected a property definition, found continuation"],
      ["[default]\nk = v\n[profile b]\n  more", 4, "Expected a property definition, found continuation"],
      ["[default]\n= v", 2, "Property did not have a name"],
      ["[default]\n \t= v", 2, "Expected a property definition, found continuation"],
      ["[default]\n  = v", 2, "Expected a property definition, found continuation"],
      ["[default]\ns3 =\n  = v", 3, "Sub-property did not have a name"],
      ["[default]\nregion", 2, "Expected an '=' sign defining a property"]
    ]
    for (const [contents, line, problem] of cases) {
      const error = parseError({ config: { path: "cfg", contents } })
      expect({ contents, line: error.line, problem: error.problem }).toEqual({ contents, line, problem })
      expect(error.message).toBe(`error parsing cfg on line ${line}: ${problem}`)
    }
  })

  it("a malformed config file fails even when the credentials file is malformed too", () => {
    const error = parseError({
      config: { path: "cfg", contents: "[default]\noops" },
      credentials: { path: "creds", contents: "oops" }
    })
    expect([error.path, error.line]).toEqual(["cfg", 2])
  })

  it("reads either file alone, or none", () => {
    const onlyCredentials = ConfigFile.parse({ credentials: { path: "creds", contents: "[dev]\nk = v" } })
    expect(Either.isRight(onlyCredentials) && props(onlyCredentials.right, "dev")).toEqual({ k: "v" })
    const none = ConfigFile.parse({})
    expect(
      Either.isRight(none) && [
        none.right.profiles.size,
        none.right.ssoSessions.size,
        none.right.services.size
      ]
    ).toEqual([0, 0, 0])
  })

  it("needs a space or a tab after the section prefix; other sections of the config file are ignored", () => {
    const set = parseOk(
      [
        "[profile\tdev]",
        "k = 1",
        "[sso-session\tcorp]",
        "k = 2",
        "[services\tlocal]",
        "k = 3",
        "[profiledev2]",
        "k = 4",
        "[sso-sessioncorp2]",
        "k = 5",
        "[serviceslocal2]",
        "k = 6",
        "[plain]",
        "k = 7",
        "[profile]",
        "k = 8",
        "[preview dev]",
        "k = 9"
      ].join("\n")
    )
    expect([...set.profiles.keys()]).toEqual(["dev"])
    expect([...set.ssoSessions.keys()]).toEqual(["corp"])
    expect([...set.services.keys()]).toEqual(["local"])
    expect([set.profiles, set.ssoSessions, set.services].map((m) => [...m.values()][0]!.describe())).toEqual([
      'profile "dev"',
      'sso-session "corp"',
      'services "local"'
    ])
    expect([props(set, "dev"), props(set, "corp", "ssoSessions"), props(set, "local", "services")]).toEqual([
      { k: "1" },
      { k: "2" },
      { k: "3" }
    ])
  })

  it("in the credentials file every section is a profile named as written", () => {
    const set = parseOk(
      "[default]\nregion = x",
      "[dev]\nk = 1\n[profile prod]\nk = 2\n[sso-session corp]\nk = 3"
    )
    expect([...set.profiles.keys()].sort()).toEqual(["default", "dev"])
    expect(set.ssoSessions.size).toBe(0)
  })

  it("accepts names and keys of A-Za-z0-9 and - _ / . % @ : +, and ignores any other", () => {
    const set = parseOk(
      [
        "[profile aZ09-_/.%@:+]",
        "kA9-_/.%@:+ = 1",
        "bad! = 2",
        "with space = 3",
        "[profile bad!]",
        "k = 4",
        "[profile a b]",
        "k = 5",
        "[profile é]",
        "k = 6"
      ].join("\n")
    )
    expect([...set.profiles.keys()]).toEqual(["aZ09-_/.%@:+"])
    expect(props(set, "aZ09-_/.%@:+")).toEqual({ "ka9-_/.%@:+": "1" })
    expect(ConfigFile.isValidIdentifier("")).toBe(false)
    expect(ConfigFile.isValidIdentifier("ok\n")).toBe(false)
  })

  it("a repeated section merges into the first; a repeated key keeps its last value", () => {
    const set = parseOk("[profile a]\nk = 1\nx = 1\n[profile b]\nk = b\n[profile a]\nk = 2\ny = 2\nk = 3")
    expect(props(set, "a")).toEqual({ k: "3", x: "1", y: "2" })
    expect(props(set, "b")).toEqual({ k: "b" })
  })

  it("[profile default] hides [default] in the config file, before or after it", () => {
    for (const contents of [
      "[default]\nfrom = bare\nbare = 1\n[profile default]\nfrom = prefixed",
      "[profile default]\nfrom = prefixed\n[default]\nfrom = bare\nbare = 1"
    ]) {
      expect(props(parseOk(contents), "default")).toEqual({ from: "prefixed" })
    }
    // only a profile named default hides it
    const set = parseOk("[default]\nfrom = bare\n[sso-session default]\nk = 1\n[services default]\nk = 2")
    expect(props(set, "default")).toEqual({ from: "bare" })
    expect(props(set, "default", "ssoSessions")).toEqual({ k: "1" })
    // [profile default] in the config file does not hide the credentials file's [default]
    expect(props(parseOk("[profile default]\na = 1", "[default]\nb = 2"), "default")).toEqual({
      a: "1",
      b: "2"
    })
  })

  it("the credentials file wins over the config file for the same key, whatever the order of the sections", () => {
    const set = parseOk("[profile dev]\nk = config\nonly = config", "[dev]\nk = credentials")
    expect(props(set, "dev")).toEqual({ k: "credentials", only: "config" })
  })
})
