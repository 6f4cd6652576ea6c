import { describe, expect, it } from "@effect/vitest"
import * as ContextPath from "../../../src/Endpoints/ContextPath.js"
import { contextParams } from "../../../src/Request/Endpoint.js"

const select = (path: string, input: unknown) => ContextPath.evaluate(ContextPath.parse(path), input)

describe("ContextPath (operationContextParams paths)", () => {
  it("follows field paths, own properties only", () => {
    expect(select("A.B", { A: { B: "x" } })).toBe("x")
    expect(select("A.B", { A: {} })).toBeUndefined()
    expect(select("A.B", {})).toBeUndefined()
    expect(select("A.B", { A: "not an object" })).toBeUndefined()
    // nothing inherited is read
    expect(select("toString", {})).toBeUndefined()
    expect(select("A.constructor", { A: {} })).toBeUndefined()
  })

  it("keys() of a map, in insertion order", () => {
    expect(select("keys(RequestItems)", { RequestItems: { t1: {}, t2: {} } })).toEqual(["t1", "t2"])
    expect(select("keys(RequestItems)", {})).toBeUndefined()
    expect(select("keys(RequestItems)", { RequestItems: ["a"] })).toBeUndefined()
  })

  it("projects with [*], dropping what comes out null", () => {
    const input = {
      Items: [{ Get: { TableName: "a" } }, { Put: { TableName: "b" } }, { Get: { TableName: "c" } }]
    }
    expect(select("Items[*].Get.TableName", input)).toEqual(["a", "c"])
    expect(select("Items[*].Get.TableName", { Items: {} })).toBeUndefined()
  })

  it("multi-select lists then flatten: one name per item, whichever member holds it", () => {
    const input = {
      TransactItems: [
        { ConditionCheck: { TableName: "a" } },
        { Put: { TableName: "b" } },
        { Delete: { TableName: "c" } },
        { Update: { TableName: "d" } },
        {}
      ]
    }
    expect(
      select(
        "TransactItems[*].[ConditionCheck.TableName, Put.TableName, Delete.TableName, Update.TableName][]",
        input
      )
    ).toEqual(["a", "b", "c", "d"])
  })

  it("[] flattens what its left side gives; [*] nests", () => {
    const input = { A: [{ B: [1, 2] }, { B: [3] }, {}] }
    expect(select("A[*].B", input)).toEqual([[1, 2], [3]])
    expect(select("A[*].B[]", input)).toEqual([1, 2, 3])
    expect(select("A[].B", input)).toEqual([[1, 2], [3]])
    expect(select("A[*].B[*]", input)).toEqual([[1, 2], [3]])
  })

  it("refuses what is outside the subset, naming the path and the position", () => {
    expect(() => ContextPath.parse("A[0]")).toThrow(/"A\[0\]": unexpected text at 1/)
    expect(() => ContextPath.parse("A | B")).toThrow(/unexpected text at 2/)
    expect(() => ContextPath.parse("keys(A")).toThrow(/expected \) at 6/)
  })
})

describe("contextParams of an operation", () => {
  const operation = {
    name: "BatchGetItem",
    http: { method: "POST", requestUri: "/" },
    contextParams: { ResourceArn: "TableName" },
    operationContextParams: { ResourceArnList: { path: "keys(RequestItems)" } },
    staticContextParams: { IsSearchOperation: { value: false } }
  }

  it("binds members, paths and static values; wrong types are left out", () => {
    expect(contextParams(operation, { TableName: "t", RequestItems: { a: {}, b: {} } })).toEqual({
      ResourceArn: "t",
      ResourceArnList: ["a", "b"],
      IsSearchOperation: false
    })
    expect(contextParams(operation, { TableName: 42, RequestItems: "x" })).toEqual({
      IsSearchOperation: false
    })
  })
})
