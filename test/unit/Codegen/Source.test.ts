/**
 * Reading the model (`codegen/Source.ts`): shape resolution in both documents, an operation's
 * errors (the overlay's, then the service-wide ones), names and enums from the overlay.
 */
import { describe, expect, it } from "vitest"
import type { MinModel, ServiceModel } from "../../../codegen/Models.js"
import { type Overlay, readSource } from "../../../codegen/Source.js"

const model: MinModel = {
  metadata: { protocol: "rest-xml", apiVersion: "2006-03-01", endpointPrefix: "s3", serviceId: "S3" },
  operations: {
    PutThing: { name: "PutThing", input: { type: "structure", members: { Bucket: {}, Kind: {} } } },
    ListBuckets: { name: "ListBuckets", output: { shape: "S1" } },
    HeadBucket: { name: "HeadBucket", input: { type: "structure", members: { Bucket: {} } } }
  },
  shapes: { S1: { type: "structure", members: { Buckets: { type: "list", member: {} } } } }
}

const service: ServiceModel = {
  key: "s3",
  className: "S3",
  id: "s3",
  folder: "S3",
  file: "s3-2006-03-01.min.json",
  model,
  paginators: { ListBuckets: {}, Gone: {} },
  waiters: {
    Z: { delay: 5, maxAttempts: 2, operation: "HeadBucket", acceptors: [] },
    A: { delay: 5, maxAttempts: 2, operation: "Gone", acceptors: [] }
  }
}

const overlay: Overlay = {
  package: "@aws-sdk/client-s3@1.0.0",
  operations: { PutThing: [1], HeadBucket: [0, 1] },
  errors: {
    NoSuchBucket: { type: "structure", members: {} },
    TooBig: { type: "structure", members: { Limit: { shape: "Limit" } } }
  },
  shapes: { Limit: { type: "integer" } },
  names: { S1: "ListBucketsOutput" },
  enums: { Kind: ["a"], Empty: [] },
  enumAt: { "PutThing.input.Kind": "Kind", "HeadBucket.input.Bucket": "Empty" }
}

describe("codegen source", () => {
  const source = readSource(service, overlay)

  it("resolves shared shapes of each document by id and inline ones by path", () => {
    expect(source.resolve({ shape: "S1" }, "ListBuckets.output", "model")).toEqual({
      id: "S1",
      json: model.shapes.S1,
      ns: "model"
    })
    expect(source.resolve({ shape: "Limit" }, "!error.TooBig.Limit", "overlay")).toEqual({
      id: "!Limit",
      json: { type: "integer" },
      ns: "overlay"
    })
    const inline = { type: "list", member: {} }
    expect(source.resolve(inline, "S1.Buckets", "model")).toEqual({
      id: "S1.Buckets",
      json: inline,
      ns: "model"
    })
  })

  it("adds S3's NoSuchBucket to every operation whose input names a bucket, once", () => {
    expect(source.errorsOf("PutThing")).toEqual(["TooBig", "NoSuchBucket"])
    expect(source.errorsOf("HeadBucket")).toEqual(["NoSuchBucket", "TooBig"])
    expect(source.errorsOf("ListBuckets")).toEqual([])
    expect(source.errorNames).toEqual(["NoSuchBucket", "TooBig"])
  })

  it("names from the overlay: model shapes by the names table, overlay shapes by their own name", () => {
    expect(source.mappedName("S1", "model")).toBe("ListBucketsOutput")
    expect(source.mappedName("PutThing.input", "model")).toBeUndefined()
    expect(source.mappedName("!Limit", "overlay")).toBe("Limit")
    expect(source.mappedName("!error.TooBig.Limit", "overlay")).toBeUndefined()
  })

  it("knows an enum only when it has values", () => {
    expect(source.enumAt("PutThing.input.Kind")).toBe("Kind")
    expect(source.enumValues("Kind")).toEqual(["a"])
    expect(source.enumAt("HeadBucket.input.Bucket")).toBeUndefined()
  })

  it("keeps the paginators and waiters of existing operations, sorted", () => {
    expect(source.operations).toEqual(["HeadBucket", "ListBuckets", "PutThing"])
    expect(source.paginators.map(([op]) => op)).toEqual(["ListBuckets"])
    expect(source.waiters.map(([name]) => name)).toEqual(["Z"])
  })

  it("without an overlay: no errors, names or enums", () => {
    const bare = readSource(service, undefined)
    expect(bare.errorsOf("PutThing")).toEqual([])
    expect(bare.mappedName("S1", "model")).toBeUndefined()
    expect(bare.enumAt("PutThing.input.Kind")).toBeUndefined()
  })
})
