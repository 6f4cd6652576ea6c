import { describe, expect, it } from "@effect/vitest"
import { getAttrSteps, parseAttrPath } from "../../../src/Endpoints/Functions.js"
import * as Endpoints from "../../../src/Endpoints/index.js"

const fns = Endpoints.makeFunctions(Endpoints.defaultPartitions)
const call = (name: string, ...args: ReadonlyArray<Endpoints.Value>) => fns[name]!(...args)

describe("isValidHostLabel", () => {
  it.each([
    ["us-east-1", false, true],
    ["3aws4", false, true],
    ["a", false, true],
    ["a".repeat(63), false, true],
    ["a".repeat(64), false, false],
    ["", false, false],
    ["-a", false, false],
    ["a-", false, false],
    ["a_b", false, false],
    ["part1 part2", false, false],
    ["part1.part2", false, false],
    ["part1.part2", true, true],
    ["part1..part2", true, false],
    ["part1.", true, false]
  ])("%j (sub-domains %j) -> %j", (value, sub, expected) => {
    expect(Endpoints.isValidHostLabel(value, sub)).toBe(expected)
  })
})

describe("isVirtualHostableS3Bucket", () => {
  it.each([
    ["bucket-name", false, true],
    ["abc", false, true],
    ["ab", false, false],
    ["a".repeat(63), false, true],
    ["a".repeat(64), false, false],
    ["BucketName", false, false],
    ["bucket_name", false, false],
    ["bucket.name", false, false],
    ["bucket.name", true, true],
    ["a.b.c", true, true],
    ["192.168.5.4", true, false],
    ["bucket-.name", true, false],
    [".bucket", true, false],
    ["bucket-name-", false, false]
  ])("%j (sub-domains %j) -> %j", (value, sub, expected) => {
    expect(Endpoints.isVirtualHostableS3Bucket(value, sub)).toBe(expected)
  })
})

describe("substring", () => {
  it("counts from the start or the end, only on ASCII that fits", () => {
    expect(Endpoints.substring("abcdefg", 0, 4, false)).toBe("abcd")
    expect(Endpoints.substring("abcdefg", 0, 4, true)).toBe("defg")
    expect(Endpoints.substring("defg", 1, 3, false)).toBe("ef")
    expect(Endpoints.substring("abc", 0, 4, false)).toBeUndefined()
    expect(Endpoints.substring("abcd", 2, 2, false)).toBeUndefined()
    expect(Endpoints.substring("abcdef\u0080", 0, 4, false)).toBeUndefined()
    expect(Endpoints.substring("\u007fabcdef", 0, 4, false)).toBe("\u007fabc")
    expect(Endpoints.substring("abcdef\u{1F431}", 0, 4, false)).toBeUndefined()
  })
})

describe("uriEncode", () => {
  it("encodes all but the unreserved characters, in upper-case hex, as UTF-8", () => {
    expect(Endpoints.uriEncode("abc:defg")).toBe("abc%3Adefg")
    expect(Endpoints.uriEncode("0123456789.underscore_dash-Tilda~")).toBe("0123456789.underscore_dash-Tilda~")
    expect(Endpoints.uriEncode("!*'() /")).toBe("%21%2A%27%28%29%20%2F")
    expect(Endpoints.uriEncode("\u{1F639}")).toBe("%F0%9F%98%B9")
    expect(Endpoints.uriEncode("")).toBe("")
    expect(Endpoints.uriEncode("\uD800")).toBeUndefined()
  })
})

describe("split", () => {
  it("limits the number of parts, keeping the remainder in the last", () => {
    expect(Endpoints.split("a--b--c", "--", 0)).toEqual(["a", "b", "c"])
    expect(Endpoints.split("a--b--c", "--", 1)).toEqual(["a--b--c"])
    expect(Endpoints.split("a--b--c", "--", 2)).toEqual(["a", "b--c"])
    expect(Endpoints.split("a--b--c", "--", 5)).toEqual(["a", "b", "c"])
    expect(Endpoints.split("", "--", 0)).toEqual([""])
  })
})

describe("getAttr paths", () => {
  it("parses keys and indexes", () => {
    expect(parseAttrPath("name")).toEqual(["name"])
    expect(parseAttrPath("resourceId[2]")).toEqual(["resourceId", 2])
    expect(parseAttrPath("a.b[0]")).toEqual(["a", "b", 0])
    expect(parseAttrPath("[1]")).toEqual([1])
    expect(parseAttrPath("[-1]")).toEqual([-1])
    expect(() => parseAttrPath("a[x]")).toThrow()
    expect(() => parseAttrPath("a..b")).toThrow()
    expect(() => parseAttrPath("a[1")).toThrow()
  })

  it("follows them, unset when a step is missing", () => {
    const v = { a: { b: ["x", "y"] }, s: "str" }
    expect(getAttrSteps(v, ["a", "b", 1])).toBe("y")
    expect(getAttrSteps(v, ["a", "b", -1])).toBe("y")
    expect(getAttrSteps(v, ["a", "b", 2])).toBeUndefined()
    expect(getAttrSteps(v, ["a", "b", -3])).toBeUndefined()
    expect(getAttrSteps(v, ["a", 0])).toBeUndefined()
    expect(getAttrSteps(v, ["s", "length"])).toBeUndefined()
    expect(getAttrSteps(v, ["toString"])).toBeUndefined()
    expect(getAttrSteps(undefined, ["a"])).toBeUndefined()
    expect(call("getAttr", v, "a.b[0]")).toBe("x")
  })
})

describe("parseArn", () => {
  it("splits the resource on ':' and '/'", () => {
    expect(Endpoints.parseArn("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap")).toEqual({
      partition: "aws",
      service: "s3",
      region: "us-west-2",
      accountId: "123456789012",
      resourceId: ["accesspoint", "my-ap"]
    })
    expect(Endpoints.parseArn("arn:aws:s3:us-east-2:012345678:outpost::")?.resourceId).toEqual([
      "outpost",
      "",
      ""
    ])
    expect(Endpoints.parseArn("arn:aws:s3:::bucket")?.region).toBe("")
  })

  it("rejects what is not an ARN", () => {
    for (const v of [
      "asdf",
      "arn:aws:s3:us-west-2:123456789012:",
      "arn:aws::us-west-2:123456789012:resource",
      "arn::s3:us-west-2:123456789012:resource",
      "arn:aws:s3:us-west-2",
      "nra:aws:s3:us-west-2:1:r"
    ]) {
      expect(Endpoints.parseArn(v), v).toBeUndefined()
    }
  })
})

describe("parseUrl", () => {
  it("keeps the authority as given and normalizes the path", () => {
    expect(Endpoints.parseUrl("https://example.com")).toEqual({
      scheme: "https",
      authority: "example.com",
      path: "",
      normalizedPath: "/",
      isIp: false
    })
    expect(Endpoints.parseUrl("http://example.com:8000/a/b")).toMatchObject({
      authority: "example.com:8000",
      path: "/a/b",
      normalizedPath: "/a/b/"
    })
    expect(Endpoints.parseUrl("https://[2001:db8::1]:443")).toMatchObject({
      authority: "[2001:db8::1]:443",
      isIp: true
    })
    expect(Endpoints.parseUrl("http://192.168.1.1/foo/")?.isIp).toBe(true)
    expect(Endpoints.parseUrl("http://999.168.1.1/")?.isIp).toBe(false)
    expect(Endpoints.parseUrl("HTTPS://x.com")?.scheme).toBe("https")
  })

  it("rejects other schemes, queries, fragments, user info and bad ports", () => {
    for (const v of [
      "acbd://example.com",
      "https://example.com/path?query1=foo",
      "https://example.com/#frag",
      "http://abc.com:a/foo",
      "http://abc.com:70000/",
      "http://user@abc.com/",
      "http:///path",
      "example.com",
      "https://[::1/",
      "https://[::1]x"
    ]) {
      expect(Endpoints.parseUrl(v), v).toBeUndefined()
    }
  })
})

describe("the function table", () => {
  it("treats unset and mistyped arguments as false or unset", () => {
    expect(call("isSet", undefined)).toBe(false)
    expect(call("isSet", "")).toBe(true)
    expect(call("not", false)).toBe(true)
    expect(call("booleanEquals", undefined, false)).toBe(false)
    expect(call("stringEquals", "a", "a")).toBe(true)
    expect(call("stringEquals", undefined, undefined)).toBe(false)
    expect(call("parseURL", undefined)).toBeUndefined()
    expect(call("substring", "abc", 0, 2, undefined)).toBe("ab")
    expect(call("coalesce", undefined, "b", "c")).toBe("b")
    expect(call("coalesce", undefined, undefined)).toBeUndefined()
    expect(call("ite", true, "a", "b")).toBe("a")
    expect(call("ite", false, "a", "b")).toBe("b")
    expect(call("split", "a.b", ".", 0)).toEqual(["a", "b"])
    expect(call("aws.partition", "cn-north-1")).toMatchObject({
      name: "aws-cn",
      dnsSuffix: "amazonaws.com.cn"
    })
    expect(call("aws.partition", 3)).toBeUndefined()
    expect(call("aws.isVirtualHostableS3Bucket", "a.b.c", true)).toBe(true)
    expect(call("aws.isVirtualHostableS3Bucket", "a.b.c", false)).toBe(false)
  })

  it("remembers the last parse without mixing inputs", () => {
    const a = call("aws.parseArn", "arn:aws:s3:us-west-2:1:accesspoint/a")
    expect(call("aws.parseArn", "arn:aws:s3:us-west-2:1:accesspoint/a")).toBe(a)
    expect(call("aws.parseArn", "arn:aws:s3:us-west-2:1:accesspoint/b")).toMatchObject({
      resourceId: ["accesspoint", "b"]
    })
    expect(Object.isFrozen(call("parseURL", "https://x.com"))).toBe(true)
    expect(call("parseURL", "ftp://x.com")).toBeUndefined()
    expect(call("parseURL", "https://y.com")).toMatchObject({ authority: "y.com" })
  })
})

describe("the function table, argument by argument (issue 26)", () => {
  /** JSON null, which a parsed document may hold though the rules language has no such value. */
  const NULL = null as unknown as Endpoints.Value
  it("each function takes only its own types: anything else is false or unset", () => {
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<Endpoints.Value>, Endpoints.Value]> = [
      ["isSet", [NULL], false],
      ["isSet", [false], true],
      ["not", [true], false],
      ["not", [undefined], true],
      ["not", ["true"], true],
      ["booleanEquals", [true, true], true],
      ["booleanEquals", [false, false], true],
      ["booleanEquals", [true, false], false],
      ["booleanEquals", ["a", "a"], false],
      ["stringEquals", ["a", "b"], false],
      ["stringEquals", [1, 1], false],
      ["getAttr", [{ a: { b: [1, 2] } }, "a.b[1]"], 2],
      ["getAttr", [{ a: 1 }, 5], undefined],
      ["parseURL", [5], undefined],
      ["substring", ["abcd", 0, 2, true], "cd"],
      ["substring", ["abcd", 0, 2, "true"], "ab"],
      ["substring", [5, 0, 2, false], undefined],
      ["substring", ["abcd", "0", 2, false], undefined],
      ["substring", ["abcd", 0, "2", false], undefined],
      ["uriEncode", ["a b/!'()*~"], "a%20b%2F%21%27%28%29%2A~"],
      ["uriEncode", ["\uD800"], undefined],
      ["uriEncode", [5], undefined],
      ["isValidHostLabel", ["a.b", true], true],
      ["isValidHostLabel", ["a.b", "true"], false],
      ["isValidHostLabel", [5, false], false],
      ["coalesce", [NULL, false, "x"], false],
      ["coalesce", [], undefined],
      ["ite", ["true", "a", "b"], "b"],
      ["split", ["a.b.c", ".", 2], ["a", "b.c"]],
      ["split", ["a.b.c", ".", "2"], ["a", "b", "c"]],
      ["split", ["a.b", "", 0], undefined],
      ["split", [5, ".", 0], undefined],
      ["split", ["a.b", 5, 0], undefined],
      ["aws.parseArn", [5], undefined],
      ["aws.parseArn", ["not-an-arn"], undefined],
      ["aws.isVirtualHostableS3Bucket", [5, false], false],
      ["aws.isVirtualHostableS3Bucket", ["a.b.c", "true"], false],
      ["aws.isVirtualHostableS3Bucket", ["abc", undefined], true]
    ]
    for (const [name, args, expected] of cases) {
      expect({ name, args, result: call(name, ...args) }).toEqual({ name, args, result: expected })
    }
  })

  it("the remembered bucket checks do not mix the dotted and the plain one", () => {
    const table = Endpoints.makeFunctions(Endpoints.defaultPartitions)
    const bucket = table["aws.isVirtualHostableS3Bucket"]!
    expect([bucket("a.b.c", true), bucket("a.b.c", false), bucket("a.b.c", true)]).toEqual([
      true,
      false,
      true
    ])
    expect([bucket("abc", false), bucket("a.b.c", false), bucket("abc", false)]).toEqual([true, false, true])
    const url = table.parseURL!
    expect(url("https://a.com")).toMatchObject({ authority: "a.com" })
    expect(url("https://b.com")).toMatchObject({ authority: "b.com" })
  })
})
