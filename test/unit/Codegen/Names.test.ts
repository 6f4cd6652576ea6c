/**
 * The names pass (`codegen/Names.ts`): who keeps a name when two want it, and the order names are
 * claimed in.
 */
import { describe, expect, it } from "vitest"
import type { MinModel, ServiceModel } from "../../../codegen/Models.js"
import { assignNames, operationName } from "../../../codegen/Names.js"
import { shapeGraph } from "../../../codegen/ShapeGraph.js"
import { type Overlay, readSource } from "../../../codegen/Source.js"
import { pascal } from "../../../codegen/Syntax.js"

const model: MinModel = {
  metadata: { protocol: "json", apiVersion: "2020-01-01", endpointPrefix: "toy", serviceId: "Toy" },
  operations: {
    Put: {
      name: "Put",
      input: { shape: "S1" },
      output: { type: "structure", members: { Thing: { shape: "S1" }, Map: { shape: "S2" } } }
    },
    Import: { name: "Import", input: { type: "structure", members: { Kind: {}, Other: {} } } }
  },
  shapes: {
    S1: { type: "structure", members: { Id: {} } },
    S2: { type: "structure", members: {} }
  }
}

const service: ServiceModel = {
  key: "toy",
  className: "Toy",
  id: "toy",
  folder: "Toy",
  file: "toy-2020-01-01.min.json",
  model,
  paginators: {},
  waiters: { "thing-exists": { delay: 1, maxAttempts: 1, operation: "Put", acceptors: [] } }
}

const overlay: Overlay = {
  package: "@aws-sdk/client-toy@1.0.0",
  operations: { Put: [0] },
  errors: { Thing: { type: "structure", members: {} } },
  shapes: {},
  names: { S1: "Thing", S2: "Map", "Put.output": "CommonError" },
  enums: { Kind: ["a"], Thing: ["b"] },
  enumAt: {}
}

describe("codegen names", () => {
  const source = readSource(service, overlay)
  const graph = shapeGraph(source)
  const names = assignNames(source, graph)
  const node = (id: string) => graph.nodes.get(id)!

  it("spells identifiers and operations", () => {
    expect(pascal("thing-exists")).toBe("Thing_exists")
    expect(pascal("3d")).toBe("N3d")
    expect(operationName("Import")).toBe("import_")
    expect(operationName("Put")).toBe("put")
  })

  it("lets error classes keep their names and moves types that collide or shadow globals", () => {
    expect(names.errorClass.get("Thing")).toBe("Thing")
    // used on both sides: `Thing` was taken, so `Thing_` as input; `ThingOutput` is free
    expect(node("S1").inputType).toBe("Thing_")
    expect(node("S1").outputType).toBe("ThingOutput")
    expect(node("S2").outputType).toBe("Map_")
    // a model structure took `CommonError` first, so the service's union moves
    expect(node("Put.output").outputType).toBe("CommonError")
    expect(names.commonError).toBe("CommonError_")
  })

  it("names operations, error unions and waiters", () => {
    expect(names.operation.get("Import")).toBe("import_")
    expect(names.errorUnion.get("Put")).toBe("PutError")
    expect(names.waiter.get("thing-exists")).toBe("waitUntilThing_exists")
  })

  it("gives shape constants a namespace of their own", () => {
    expect(node("S1").constName).toBe("Thing$")
    expect(graph.nodes.get("!error.Thing")!.constName).toBe("Thing$_")
  })

  it("names enums on first use, after every other type", () => {
    expect(names.enumTypes()).toEqual([])
    expect(names.enumType("Thing")).toBe("Thing_2")
    expect(names.enumType("Kind")).toBe("Kind")
    expect(names.enumType("Thing")).toBe("Thing_2")
    expect(names.enumTypes()).toEqual([
      ["Kind", "Kind"],
      ["Thing", "Thing_2"]
    ])
  })
})
