import { describe, expect, it } from "@effect/vitest"
import * as FileLocation from "../../../src/Session/FileLocation.js"

describe("FileLocation", () => {
  it("counts empty variables as unset", () => {
    expect(
      FileLocation.resolveFileLocations({ HOME: "/h", AWS_CONFIG_FILE: "", AWS_PROFILE: "" }, "posix")
    ).toEqual({ configFile: "/h/.aws/config", credentialsFile: "/h/.aws/credentials", profile: "default" })
  })

  it("ignores the Windows variables on other platforms", () => {
    const located = FileLocation.resolveFileLocations({ USERPROFILE: "C:\\u" }, "posix")
    expect(located.configFile).toBeUndefined()
    expect(FileLocation.resolveFileLocations({ USERPROFILE: "C:\\u" }, "windows").configFile).toBe(
      "C:\\u\\.aws\\config"
    )
  })

  it("expands only a leading ~ and leaves other paths alone", () => {
    expect(FileLocation.expandHome("~", "/h", "posix")).toBe("/h")
    expect(FileLocation.expandHome("~/x", "/h/", "posix")).toBe("/h/x")
    expect(FileLocation.expandHome("~x/y", "/h", "posix")).toBe("~x/y")
    expect(FileLocation.expandHome("~\\x", "C:\\h", "windows")).toBe("C:\\h\\x")
    expect(FileLocation.expandHome("/etc/aws", undefined, "posix")).toBe("/etc/aws")
    expect(FileLocation.expandHome("~/x", undefined, "posix")).toBeUndefined()
  })

  it("maps Node platform names", () => {
    expect(FileLocation.platformOf("win32")).toBe("windows")
    expect(FileLocation.platformOf("darwin")).toBe("posix")
  })
})
