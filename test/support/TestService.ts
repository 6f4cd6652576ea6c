/**
 * A small hand-written service for pipeline tests: a JSON 1.1 protocol service with an `Echo`
 * operation (validated input, a modeled error) and a REST-JSON one with a streaming download.
 */
import * as Context from "effect/Context"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { standardRuleSet } from "../../src/Endpoints/Fallback.js"
import { linkOperation, linkShapes } from "../../src/Protocols/Api2.js"
import { makeJsonRpc } from "../../src/Protocols/JsonRpc.js"
import { makeRestJson } from "../../src/Protocols/RestJson.js"
import type { ServiceMetadata, StructureShape } from "../../src/Protocols/Shape.js"
import * as Client from "../../src/Request/Client.js"
import type { CommonError, NetworkError, RequestTimeout } from "../../src/Request/Errors.js"
import { ServiceError } from "../../src/Request/Errors.js"

const shapes = linkShapes({
  EchoInput: {
    type: "structure",
    required: ["Name"],
    members: {
      Name: { shape: "Name" },
      Count: { shape: "Count" },
      Tags: { shape: "TagList" }
    }
  },
  EchoOutput: { type: "structure", members: { Name: { shape: "Name" }, Count: { shape: "Count" } } },
  Name: { type: "string", min: 1, max: 10 },
  Count: { type: "integer", min: 0, max: 100 },
  TagList: { type: "list", member: { shape: "Tag" } },
  Tag: {
    type: "structure",
    required: ["Key"],
    members: { Key: { shape: "Name" }, Value: { shape: "Name" } }
  },
  NotFound: {
    type: "structure",
    members: { Message: { shape: "Text" }, Resource: { shape: "Text" } },
    exception: true
  },
  Text: { type: "string" },
  DownloadInput: {
    type: "structure",
    members: { Id: { shape: "Text", location: "uri", locationName: "Id" } }
  },
  DownloadOutput: {
    type: "structure",
    payload: "Body",
    members: {
      Body: { shape: "Stream" },
      Size: { shape: "Count", location: "header", locationName: "x-size" }
    }
  },
  Stream: { type: "blob", streaming: true }
})

const jsonMetadata: ServiceMetadata = {
  protocol: "json",
  apiVersion: "2020-01-01",
  jsonVersion: "1.1",
  targetPrefix: "TestService",
  endpointPrefix: "test",
  signingName: "test",
  serviceId: "Test"
}

const restMetadata: ServiceMetadata = { ...jsonMetadata, protocol: "rest-json", serviceId: "TestRest" }

export const notFoundShape = shapes.get("NotFound") as StructureShape

export class NotFound extends ServiceError("NotFound", notFoundShape)<{
  readonly Message?: string
  readonly Resource?: string
}> {}

export class TestJson extends Context.Tag("test/TestJson")<TestJson, Client.ServiceClient>() {}
export class TestRest extends Context.Tag("test/TestRest")<TestRest, Client.ServiceClient>() {}

const rules = () => standardRuleSet({ endpointPrefix: "test" })

export const layerJson = Client.layer(TestJson, {
  metadata: jsonMetadata,
  protocol: makeJsonRpc,
  endpointRules: rules
})
export const layerRest = Client.layer(TestRest, {
  metadata: restMetadata,
  protocol: makeRestJson,
  endpointRules: rules
})

export interface EchoInput {
  readonly Name: string
  readonly Count?: number
  readonly Tags?: ReadonlyArray<{ readonly Key: string; readonly Value?: string }>
}
export interface EchoOutput {
  readonly Name?: string
  readonly Count?: number
}

export const echo: Client.Operation<
  EchoInput,
  EchoOutput,
  NotFound | CommonError | Client.SdkError,
  TestJson
> = Client.operation(TestJson, {
  model: linkOperation(shapes, {
    name: "Echo",
    input: { shape: "EchoInput" },
    output: { shape: "EchoOutput" }
  }),
  errors: [NotFound]
})

export const download: Client.Operation<
  { readonly Id: string },
  { readonly Body?: Stream.Stream<Uint8Array, NetworkError | RequestTimeout>; readonly Size?: number },
  CommonError | Client.SdkError,
  TestRest | Scope.Scope
> = Client.operation(TestRest, {
  model: linkOperation(shapes, {
    name: "Download",
    http: { method: "GET", requestUri: "/download/{Id}" },
    input: { shape: "DownloadInput" },
    output: { shape: "DownloadOutput" }
  })
})
