/**
 * The classic SigV4 test suite layout: `<case>/<case>.{req,creq,sts,authz,sreq}`, possibly nested
 * one level. Each raw request is parsed, signed with the suite's fixed context, and the canonical
 * request, string to sign and Authorization header are compared.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as Sigv4 from "../../../src/Request/Sigv4.js"
import { dataPath, type RunResult, Tally } from "../Report.js"

const identity = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
}
const date = new Date("2015-08-30T12:36:00Z")

interface RawRequest {
  readonly request: Sigv4.SignableRequest
  readonly body: string
}

/** Parses a `.req` file: request line, headers (with folded continuation lines), blank line, body. */
const parseRaw = (text: string): RawRequest => {
  const lines = text.split("\n")
  const requestLine = lines[0]!
  const method = requestLine.slice(0, requestLine.indexOf(" "))
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(" HTTP/"))
  const headers: Record<string, string> = {}
  let last: string | undefined
  let i = 1
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (line === "") break
    if (/^\s/.test(line) && last !== undefined) {
      headers[last] += `\n${line}`
      continue
    }
    const colon = line.indexOf(":")
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 1)
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`
    last = name
  }
  const q = target.indexOf("?")
  const rawPath = q === -1 ? target : target.slice(0, q)
  const query: Array<[string, string]> = []
  if (q !== -1) {
    for (const pair of target.slice(q + 1).split("&")) {
      if (pair === "") continue
      const eq = pair.indexOf("=")
      const k = eq === -1 ? pair : pair.slice(0, eq)
      const v = eq === -1 ? "" : pair.slice(eq + 1)
      query.push([decodeURIComponent(k), decodeURIComponent(v)])
    }
  }
  return {
    request: { method, hostname: headers.host ?? "", path: rawPath, query, headers },
    body: lines.slice(i + 1).join("\n")
  }
}

const caseDirs = (root: string): Array<string> => {
  const out: Array<string> = []
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = path.join(root, entry.name)
    if (fs.existsSync(path.join(dir, `${entry.name}.req`))) out.push(dir)
    else out.push(...caseDirs(dir))
  }
  return out.sort()
}

export const run = async (args: ReadonlyArray<string>): Promise<RunResult> => {
  const root = args[0] ?? dataPath("sigv4/botocore-aws4_testsuite")
  const tally = new Tally()
  for (const dir of caseDirs(root)) {
    const name = path.basename(dir)
    const read = (ext: string) => fs.readFileSync(path.join(dir, `${name}.${ext}`), "utf8")
    const { request, body } = parseRaw(read("req"))
    // A session token the signed request carries but the raw one lacks comes from the identity;
    // one that is sent but not signed ("header-after") was added after signing.
    const signedReq = read("sreq")
    const token = /^X-Amz-Security-Token:(.*)$/m.exec(signedReq)?.[1]
    const signsToken = /SignedHeaders=[^,]*x-amz-security-token/.test(signedReq)
    const fromIdentity =
      token !== undefined && signsToken && request.headers["x-amz-security-token"] === undefined
    const { headers: signed, parts } = Sigv4.sign(
      request,
      fromIdentity ? { ...identity, sessionToken: token } : identity,
      {
        region: "us-east-1",
        service: "service",
        date,
        payloadHash: Sigv4.sha256Hex(body),
        uriEscapePath: true,
        contentSha256Header: false
      }
    )
    const checks: Array<[string, string, string]> = [
      ["canonical request", read("creq"), parts.canonicalRequest],
      ["string to sign", read("sts"), parts.stringToSign],
      ["authorization", read("authz"), signed.authorization!]
    ]
    const failed = checks.find(([, expected, actual]) => expected.trimEnd() !== actual.trimEnd())
    if (failed)
      tally.fail({
        where: `${path.relative(root, dir)} ${failed[0]}`,
        expected: failed[1],
        actual: failed[2]
      })
    else tally.pass()
  }
  return tally.result()
}
