/** package.json's exports after a generation: hand-written entries stay, the generated block is replaced. */
import { describe, expect, it } from "vitest"
import { mergeExports } from "../../../codegen/generate.js"

const entry = (p: string) => ({ types: `${p}.d.ts`, default: `${p}.js` })

describe("mergeExports", () => {
  it("keeps hand-written entries, even inside a service folder; replaces the generated ones", () => {
    const current = {
      ".": entry("./dist/index"),
      "./s3/manager": entry("./dist/Services/S3/Manager/index"),
      "./old-service": entry("./dist/Services/Old/index"),
      "./s3": entry("./dist/Services/S3/index"),
      "./package.json": "./package.json"
    }
    const generated = {
      "./s3": entry("./dist/Services/S3/index"),
      "./sqs": entry("./dist/Services/SQS/index")
    }
    expect(Object.keys(mergeExports(current, generated))).toEqual([
      ".",
      "./s3/manager",
      "./s3",
      "./sqs",
      "./package.json"
    ])
  })
})
