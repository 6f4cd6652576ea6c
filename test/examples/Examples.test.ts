import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/**
 * Every example, run as a user would (`tsx examples/<name>.ts`) in local mode (no AWS settings in
 * the environment), with the SDK's debug logs on: each must succeed, print what it promises, and
 * never print a signature or a session token.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const tsx = path.join(root, "node_modules/.bin/tsx")

const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v
  return {
    ...env,
    AWS_CONFIG_FILE: "/nonexistent/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
    NODE_OPTIONS: "--openssl-legacy-provider",
    LOG_LEVEL: "debug"
  }
}

const run = (example: string, args: ReadonlyArray<string> = [], input = "") => {
  const result = spawnSync(
    tsx,
    ["--conditions=effect-aws-sdk/source", path.join(root, "examples", `${example}.ts`), ...args],
    {
      cwd: root,
      env: cleanEnv(),
      input,
      encoding: "utf8",
      timeout: 90_000
    }
  )
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` }
}

const secrets = [/Signature=[0-9a-f]{64}/, /local-session-token/, /x-amz-security-token/i, /authorization:/i]

const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, string, RegExp]> = [
  [
    "upload-with-timeout",
    ["-b", "mybucket", "-k", "myKey", "-d", "10m"],
    "some data\n",
    /successfully uploaded 10 bytes to mybucket\/myKey/
  ],
  ["list-objects", [], "", /2500 objects in 3 pages/],
  ["wait-for-bucket", [], "", /bucket awaited exists/],
  ["assume-role", [], "", /the role sees 1 bucket\(s\): assumed/],
  [
    "errors",
    [],
    "",
    /NoSuchKey \(HTTP 404[\s\S]*calls with per-call retry policies succeeded[\s\S]*Delete\.Objects\[1\]\.Key: required/
  ],
  ["dynamodb", [], "", /ada logged in 4 times/],
  ["transfer", ["--size-mib", "24"], "", /the downloaded file is identical \(SHA-256\)/]
]

describe("examples", () => {
  it.each(cases)("%s runs end to end against local servers", (example, args, input, expected) => {
    const { status, out } = run(example, args, input)
    expect(out).toMatch(expected)
    expect(status).toBe(0)
    for (const secret of secrets) expect(out).not.toMatch(secret)
  })

  it("upload-with-timeout prints the Go example's message and fails when the timeout runs out", () => {
    const { status, out } = run("upload-with-timeout", ["-d", "1ms"], "x".repeat(1_000_000))
    expect(out).toMatch(/upload canceled due to timeout/)
    expect(status).toBe(1)
  })
})
