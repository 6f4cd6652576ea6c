/**
 * Generated clients against a loopback HTTP server: one operation of each service of issue 5's
 * list, checking what goes on the wire (method, path, target, body) and the typed output.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as CloudFormation from "../../../src/Services/CloudFormation/index.js"
import * as CloudWatch from "../../../src/Services/CloudWatch/index.js"
import * as CloudWatchLogs from "../../../src/Services/CloudWatchLogs/index.js"
import * as EC2 from "../../../src/Services/EC2/index.js"
import * as ECR from "../../../src/Services/ECR/index.js"
import * as ECS from "../../../src/Services/ECS/index.js"
import * as EventBridge from "../../../src/Services/EventBridge/index.js"
import * as IAM from "../../../src/Services/IAM/index.js"
import * as Kinesis from "../../../src/Services/Kinesis/index.js"
import * as KMS from "../../../src/Services/KMS/index.js"
import * as Lambda from "../../../src/Services/Lambda/index.js"
import * as Route53 from "../../../src/Services/Route53/index.js"
import * as SecretsManager from "../../../src/Services/SecretsManager/index.js"
import * as SNS from "../../../src/Services/SNS/index.js"
import * as SQS from "../../../src/Services/SQS/index.js"
import * as SSM from "../../../src/Services/SSM/index.js"
import * as STS from "../../../src/Services/STS/index.js"
import * as StepFunctions from "../../../src/Services/StepFunctions/index.js"
import type * as FaultServer from "../../support/FaultServer.js"
import { sessionOn, withServer } from "../../support/LoopbackSession.js"

const xml = (body: string): FaultServer.Reply => ({
  status: 200,
  headers: { "content-type": "text/xml", "x-amzn-requestid": "req-1" },
  body: `<?xml version="1.0" encoding="UTF-8"?>${body}`
})
const json = (body: unknown, version = "1.1"): FaultServer.Reply => ({
  status: 200,
  headers: { "content-type": `application/x-amz-json-${version}`, "x-amzn-requestid": "req-1" },
  body: JSON.stringify(body)
})

const form = (body: Buffer) => Object.fromEntries(new URLSearchParams(body.toString()))

interface JsonCase {
  readonly name: string
  readonly target: string
  readonly version: string
  readonly run: (server: FaultServer.FaultServer) => Effect.Effect<unknown, unknown>
  readonly request: unknown
  readonly response: unknown
  readonly expected: unknown
}

const jsonCases: ReadonlyArray<JsonCase> = [
  {
    name: "SQS GetQueueUrl (json 1.0)",
    target: "AmazonSQS.GetQueueUrl",
    version: "1.0",
    run: (s) =>
      SQS.getQueueUrl({ QueueName: "jobs" }).pipe(Effect.provide(SQS.layer()), Effect.provide(sessionOn(s))),
    request: { QueueName: "jobs" },
    response: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/1/jobs" },
    expected: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/1/jobs" }
  },
  {
    name: "KMS Encrypt (blobs)",
    target: "TrentService.Encrypt",
    version: "1.1",
    run: (s) =>
      KMS.encrypt({ KeyId: "alias/k", Plaintext: new Uint8Array([104, 105]) }).pipe(
        Effect.provide(KMS.layer()),
        Effect.provide(sessionOn(s))
      ),
    request: { KeyId: "alias/k", Plaintext: "aGk=" },
    response: { CiphertextBlob: "AQID", KeyId: "arn:k", EncryptionAlgorithm: "SYMMETRIC_DEFAULT" },
    expected: {
      CiphertextBlob: new Uint8Array([1, 2, 3]),
      KeyId: "arn:k",
      EncryptionAlgorithm: "SYMMETRIC_DEFAULT"
    }
  },
  {
    name: "Secrets Manager GetSecretValue (timestamps)",
    target: "secretsmanager.GetSecretValue",
    version: "1.1",
    run: (s) =>
      SecretsManager.getSecretValue({ SecretId: "db" }).pipe(
        Effect.provide(SecretsManager.layer()),
        Effect.provide(sessionOn(s))
      ),
    request: { SecretId: "db" },
    response: { Name: "db", SecretString: "pw", CreatedDate: 1_600_000_000 },
    expected: { Name: "db", SecretString: "pw", CreatedDate: new Date(1_600_000_000_000) }
  },
  {
    name: "SSM GetParameter",
    target: "AmazonSSM.GetParameter",
    version: "1.1",
    run: (s) =>
      SSM.getParameter({ Name: "/app/db", WithDecryption: true }).pipe(
        Effect.provide(SSM.layer()),
        Effect.provide(sessionOn(s))
      ),
    request: { Name: "/app/db", WithDecryption: true },
    response: { Parameter: { Name: "/app/db", Type: "SecureString", Value: "v", Version: 3 } },
    expected: { Parameter: { Name: "/app/db", Type: "SecureString", Value: "v", Version: 3 } }
  },
  {
    name: "CloudWatch Logs DescribeLogGroups",
    target: "Logs_20140328.DescribeLogGroups",
    version: "1.1",
    run: (s) =>
      CloudWatchLogs.describeLogGroups({ logGroupNamePrefix: "/aws" }).pipe(
        Effect.provide(CloudWatchLogs.layer()),
        Effect.provide(sessionOn(s))
      ),
    request: { logGroupNamePrefix: "/aws" },
    response: { logGroups: [{ logGroupName: "/aws/lambda/f", storedBytes: 10 }] },
    expected: { logGroups: [{ logGroupName: "/aws/lambda/f", storedBytes: 10 }] }
  },
  {
    name: "Kinesis ListStreams",
    target: "Kinesis_20131202.ListStreams",
    version: "1.1",
    run: (s) =>
      Kinesis.listStreams({ Limit: 5 }).pipe(Effect.provide(Kinesis.layer()), Effect.provide(sessionOn(s))),
    request: { Limit: 5 },
    response: { StreamNames: ["a", "b"], HasMoreStreams: false },
    expected: { StreamNames: ["a", "b"], HasMoreStreams: false }
  },
  {
    name: "EventBridge PutEvents",
    target: "AWSEvents.PutEvents",
    version: "1.1",
    run: (s) =>
      EventBridge.putEvents({
        Entries: [{ Source: "app", DetailType: "t", Detail: "{}" }]
      }).pipe(Effect.provide(EventBridge.layer()), Effect.provide(sessionOn(s))),
    request: { Entries: [{ Source: "app", DetailType: "t", Detail: "{}" }] },
    response: { FailedEntryCount: 0, Entries: [{ EventId: "e1" }] },
    expected: { FailedEntryCount: 0, Entries: [{ EventId: "e1" }] }
  },
  {
    name: "Step Functions StartExecution (json 1.0)",
    target: "AWSStepFunctions.StartExecution",
    version: "1.0",
    run: (s) =>
      StepFunctions.startExecution({ stateMachineArn: "arn:sm", input: "{}" }).pipe(
        Effect.provide(StepFunctions.layer()),
        Effect.provide(sessionOn(s))
      ),
    request: { stateMachineArn: "arn:sm", input: "{}" },
    response: { executionArn: "arn:ex", startDate: 1_700_000_000.5 },
    expected: { executionArn: "arn:ex", startDate: new Date(1_700_000_000_500) }
  },
  {
    name: "ECS ListClusters",
    target: "AmazonEC2ContainerServiceV20141113.ListClusters",
    version: "1.1",
    run: (s) => ECS.listClusters({}).pipe(Effect.provide(ECS.layer()), Effect.provide(sessionOn(s))),
    request: {},
    response: { clusterArns: ["arn:c1"] },
    expected: { clusterArns: ["arn:c1"] }
  },
  {
    name: "ECR DescribeRepositories",
    target: "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
    version: "1.1",
    run: (s) =>
      ECR.describeRepositories({ repositoryNames: ["app"] }).pipe(
        Effect.provide(ECR.layer()),
        Effect.provide(sessionOn(s))
      ),
    request: { repositoryNames: ["app"] },
    response: { repositories: [{ repositoryName: "app", repositoryUri: "1.dkr.ecr/app" }] },
    expected: { repositories: [{ repositoryName: "app", repositoryUri: "1.dkr.ecr/app" }] }
  }
]

describe("generated clients on the wire", () => {
  for (const c of jsonCases) {
    it.effect(c.name, () =>
      withServer((server) =>
        Effect.gen(function* () {
          server.script([json(c.response, c.version)])
          const out = yield* c.run(server)
          expect(out).toEqual(c.expected)
          const req = server.received[0]!
          expect(req.method).toBe("POST")
          expect(req.url).toBe("/")
          expect(req.headers["x-amz-target"]).toBe(c.target)
          expect(req.headers["content-type"]).toBe(`application/x-amz-json-${c.version}`)
          expect(JSON.parse(req.body.toString())).toEqual(c.request)
        })
      )
    )
  }

  it.effect("STS GetCallerIdentity (query)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/bob</Arn><UserId>AID</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
          )
        ])
        const out = yield* STS.getCallerIdentity({}).pipe(
          Effect.provide(STS.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out).toEqual({ Arn: "arn:aws:iam::1:user/bob", UserId: "AID", Account: "123456789012" })
        const req = server.received[0]!
        expect(req.method).toBe("POST")
        expect(form(req.body)).toEqual({ Action: "GetCallerIdentity", Version: "2011-06-15" })
      })
    )
  )

  it.effect("SNS Publish (query)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(`<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>`)
        ])
        const out = yield* SNS.publish({ TopicArn: "arn:t", Message: "hi" }).pipe(
          Effect.provide(SNS.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out).toEqual({ MessageId: "m-1" })
        expect(form(server.received[0]!.body)).toEqual({
          Action: "Publish",
          Version: "2010-03-31",
          TopicArn: "arn:t",
          Message: "hi"
        })
      })
    )
  )

  it.effect("IAM GetUser (query, timestamps)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            `<GetUserResponse><GetUserResult><User><Path>/</Path><UserName>bob</UserName><UserId>AID</UserId><Arn>arn:u</Arn><CreateDate>2020-01-02T03:04:05Z</CreateDate></User></GetUserResult></GetUserResponse>`
          )
        ])
        const out = yield* IAM.getUser({ UserName: "bob" }).pipe(
          Effect.provide(IAM.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out.User?.CreateDate).toEqual(new Date("2020-01-02T03:04:05Z"))
        expect(out.User?.UserName).toBe("bob")
        expect(form(server.received[0]!.body)).toEqual({
          Action: "GetUser",
          Version: "2010-05-08",
          UserName: "bob"
        })
      })
    )
  )

  it.effect("CloudWatch ListMetrics (query)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            `<ListMetricsResponse><ListMetricsResult><Metrics><member><Namespace>AWS/EC2</Namespace><MetricName>CPUUtilization</MetricName><Dimensions><member><Name>InstanceId</Name><Value>i-1</Value></member></Dimensions></member></Metrics></ListMetricsResult></ListMetricsResponse>`
          )
        ])
        const out = yield* CloudWatch.listMetrics({ Namespace: "AWS/EC2" }).pipe(
          Effect.provide(CloudWatch.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out.Metrics).toEqual([
          {
            Namespace: "AWS/EC2",
            MetricName: "CPUUtilization",
            Dimensions: [{ Name: "InstanceId", Value: "i-1" }]
          }
        ])
        expect(form(server.received[0]!.body)).toMatchObject({ Action: "ListMetrics", Namespace: "AWS/EC2" })
      })
    )
  )

  it.effect("CloudFormation DescribeStacks (query)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>app</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2021-05-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`
          )
        ])
        const out = yield* CloudFormation.describeStacks({ StackName: "app" }).pipe(
          Effect.provide(CloudFormation.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out.Stacks).toEqual([
          { StackName: "app", StackStatus: "CREATE_COMPLETE", CreationTime: new Date("2021-05-01T00:00:00Z") }
        ])
        expect(form(server.received[0]!.body)).toEqual({
          Action: "DescribeStacks",
          Version: "2010-05-15",
          StackName: "app"
        })
      })
    )
  )

  it.effect("EC2 DescribeInstances (ec2)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`
          )
        ])
        const out = yield* EC2.describeInstances({ InstanceIds: ["i-1", "i-2"] }).pipe(
          Effect.provide(EC2.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out.Reservations).toEqual([
          { ReservationId: "r-1", Instances: [{ InstanceId: "i-1", State: { Code: 16, Name: "running" } }] }
        ])
        expect(form(server.received[0]!.body)).toEqual({
          Action: "DescribeInstances",
          Version: "2016-11-15",
          "InstanceId.1": "i-1",
          "InstanceId.2": "i-2"
        })
      })
    )
  )

  it.effect("Lambda GetFunction (rest-json)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          {
            status: 200,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              Configuration: { FunctionName: "f", Runtime: "nodejs20.x", MemorySize: 128 }
            })
          }
        ])
        const out = yield* Lambda.getFunction({ FunctionName: "f", Qualifier: "live" }).pipe(
          Effect.provide(Lambda.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out.Configuration).toEqual({ FunctionName: "f", Runtime: "nodejs20.x", MemorySize: 128 })
        const req = server.received[0]!
        expect(req.method).toBe("GET")
        expect(req.url).toBe("/2015-03-31/functions/f?Qualifier=live")
      })
    )
  )

  it.effect("Route 53 ListHostedZones (rest-xml)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          xml(
            `<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones><HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name><CallerReference>ref</CallerReference><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone></HostedZones><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems></ListHostedZonesResponse>`
          )
        ])
        const out = yield* Route53.listHostedZones({ MaxItems: "10" }).pipe(
          Effect.provide(Route53.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(out).toEqual({
          HostedZones: [
            { Id: "/hostedzone/Z1", Name: "example.com.", CallerReference: "ref", ResourceRecordSetCount: 2 }
          ],
          IsTruncated: false,
          MaxItems: "10"
        })
        const req = server.received[0]!
        expect(req.method).toBe("GET")
        expect(req.url).toBe("/2013-04-01/hostedzone?maxitems=10")
      })
    )
  )

  it.effect("any operation presigns (query-string SigV4)", () =>
    withServer((server) =>
      Effect.gen(function* () {
        const presigned = yield* STS.getCallerIdentity
          .presign({}, { expiresIn: 300 })
          .pipe(Effect.provide(STS.layer()), Effect.provide(sessionOn(server)))
        const url = new URL(presigned.url)
        expect(url.origin).toBe(server.url.replace(/\/$/, ""))
        expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256")
        expect(url.searchParams.get("X-Amz-Expires")).toBe("300")
        expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/)
      })
    )
  )

  it.effect("a modeled error is raised as its tagged class, by its awsQuery code", () =>
    withServer((server) =>
      Effect.gen(function* () {
        server.script([
          {
            status: 400,
            headers: {
              "content-type": "application/x-amz-json-1.0",
              "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"
            },
            body: JSON.stringify({ __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "no queue" })
          }
        ])
        const error = yield* SQS.getQueueUrl({ QueueName: "missing" }).pipe(
          Effect.flip,
          Effect.provide(SQS.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(error._tag).toBe("QueueDoesNotExist")
        expect(error).toBeInstanceOf(SQS.QueueDoesNotExist)
        const caught = yield* SQS.getQueueUrl({ QueueName: "missing" }).pipe(
          Effect.catchTag("QueueDoesNotExist", (e) => Effect.succeed(e.message)),
          Effect.provide(SQS.layer()),
          Effect.provide(sessionOn(server))
        )
        expect(caught).toBe("no queue")
      })
    )
  )
})
