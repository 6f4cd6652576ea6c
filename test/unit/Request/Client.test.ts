import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import type { OperationModel, StructureShape } from "../../../src/Protocols/Shape.js"
import * as Client from "../../../src/Request/Client.js"
import { ServiceError, ThrottlingException } from "../../../src/Request/Errors.js"
import * as TestService from "../../support/TestService.js"

const queued: StructureShape = {
  type: "structure",
  name: "QueueDoesNotExist",
  members: {},
  exception: true,
  error: { code: "AWS.SimpleQueueService.NonExistentQueue", httpStatusCode: 400, senderFault: true }
}
class QueueDoesNotExist extends ServiceError("QueueDoesNotExist", queued) {}

const model: OperationModel = { name: "GetQueueUrl", http: { method: "POST", requestUri: "/" } }

describe("Client.operation error list", () => {
  it("keeps each class's tag and shape", () => {
    expect(QueueDoesNotExist.tag).toBe("QueueDoesNotExist")
    expect(QueueDoesNotExist.shape).toBe(queued)
    expect(ThrottlingException.tag).toBe("ThrottlingException")
    expect(ThrottlingException.shape).toBeUndefined()
  })

  it("derives the model's error shapes and the classes by tag and custom code from one list", () => {
    const resolved = Client.resolveOperation({ model, errors: [QueueDoesNotExist, TestService.NotFound] })
    expect(resolved.model.errors).toEqual([queued, TestService.notFoundShape])
    expect(resolved.model.name).toBe("GetQueueUrl")
    expect([...resolved.errorClasses.entries()]).toEqual([
      ["QueueDoesNotExist", QueueDoesNotExist],
      ["AWS.SimpleQueueService.NonExistentQueue", QueueDoesNotExist],
      ["NotFound", TestService.NotFound]
    ])
  })

  it("leaves a model without modeled errors as it is", () => {
    const resolved = Client.resolveOperation({ model })
    expect(resolved.model).toBe(model)
    expect(resolved.errorClasses.size).toBe(0)
  })

  it("publishes the derived shapes as `operation.model.errors`, made once at definition", () => {
    class Queues extends Context.Tag("test/Queues")<Queues, Client.ServiceClient>() {}
    const op = Client.operation(Queues, { model, errors: [QueueDoesNotExist] })
    expect(op.model.errors).toEqual([queued])
    expect(TestService.echo.model.errors).toEqual([TestService.notFoundShape])
  })
})
