/**
 * The protocol runner itself: a case that leaves out an optional field (`http.requestUri`,
 * `http.method`, the whole `http`, `params`, `serialized`, a response's `status_code`, `headers`
 * or `body`, a suite's `shapes`) is run with the protocol's default, never ended by a TypeError.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { Skips } from "./protocol/Skips.js"
import { runProtocolSuites } from "./runners/protocol.js"

const shapes = {
  In: { type: "structure", members: { Name: { shape: "S", location: "header", locationName: "x-name" } } },
  Out: { type: "structure", members: { Name: { shape: "S", location: "header", locationName: "x-name" } } },
  S: { type: "string" }
}

const suites = [
  {
    description: "rest-json cases with optional fields left out",
    metadata: { protocol: "rest-json", apiVersion: "2020-01-01" },
    shapes,
    cases: [
      {
        id: "NoRequestUri",
        given: { name: "Op", http: { method: "PUT" }, input: { shape: "In" } },
        params: { Name: "n" },
        serialized: { method: "PUT", uri: "/", headers: { "x-name": "n" } }
      },
      {
        id: "NoMethod",
        given: { name: "Op", http: { requestUri: "/things" }, input: { shape: "In" } },
        params: {},
        serialized: { method: "POST", uri: "/things" }
      },
      { id: "NoHttpNoParamsNoSerialized", given: { name: "Op", input: { shape: "In" } } },
      {
        id: "ResponseWithoutStatusOrBody",
        given: { name: "Op", output: { shape: "Out" } },
        response: { headers: { "X-Name": "n" } },
        result: { Name: "n" }
      },
      { id: "ResponseWithNothing", given: { name: "Op", output: { shape: "Out" } }, response: {}, result: {} }
    ]
  },
  {
    description: "a query suite without shapes",
    metadata: { protocol: "query", apiVersion: "2020-01-01" },
    cases: [
      {
        id: "NoShapes",
        given: { name: "Op", http: {} },
        serialized: { body: "Action=Op&Version=2020-01-01" }
      }
    ]
  }
]

describe("the protocol runner", () => {
  it("runs cases without optional fields with the protocol's defaults", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "protocol-runner-"))
    try {
      const file = path.join(dir, "optional-fields.json")
      fs.writeFileSync(file, JSON.stringify(suites))
      const { result } = runProtocolSuites([file], new Skips({}))
      expect(result.failures).toEqual([])
      expect(result.passed).toBe(6)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
