/**
 * Credentials from an assumed role, as the Go SDK's `stscreds.NewCredentials(sess, roleArn)`.
 *
 *   npm run example:assume-role -- --role arn:aws:iam::123456789012:role/reader
 *
 * The session's credentials call STS AssumeRole; the temporary credentials that come back sign
 * the S3 calls (and are refreshed before they expire). Without a configured AWS region it runs
 * against a local S3 and a small loopback STS started here, which answers AssumeRole with
 * credentials the local S3 accepts.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Credentials } from "../src/index.js"
import * as S3 from "../src/Services/S3/index.js"
import * as Environment from "./support/Environment.js"

const roleArn = Environment.flag("--role") ?? "arn:aws:iam::123456789012:role/example-reader"

/** A loopback STS that hands out credentials for any role (local mode only). */
const localSts = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<http.Server>((resolve) => {
        const server = http.createServer((req, res) => {
          let body = ""
          req.on("data", (c: Buffer) => {
            body += c.toString()
          })
          req.on("end", () => {
            const params = new URLSearchParams(body)
            const expires = new Date(Date.now() + 3600_000).toISOString()
            res.writeHead(200, { "content-type": "text/xml" })
            res.end(
              `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
                `<Credentials><AccessKeyId>S3RVER</AccessKeyId><SecretAccessKey>S3RVER</SecretAccessKey>` +
                `<SessionToken>local-session-token</SessionToken><Expiration>${expires}</Expiration></Credentials>` +
                `<AssumedRoleUser><Arn>${params.get("RoleArn")}/${params.get("RoleSessionName")}</Arn>` +
                `<AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId></AssumedRoleUser>` +
                `</AssumeRoleResult></AssumeRoleResponse>`
            )
          })
        })
        server.listen(0, "127.0.0.1", () => resolve(server))
      })
  ),
  (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

const program = Effect.gen(function* () {
  const local = Environment.isLocal()
  const stsEndpoint = local
    ? `http://127.0.0.1:${((yield* localSts).address() as AddressInfo).port}`
    : undefined
  const credentials = yield* Credentials.AssumeRole.fromSession({
    roleArn,
    roleSessionName: "effect-aws-sdk-example",
    endpoint: stsEndpoint
  })
  const assumed = yield* credentials.get
  yield* Console.log(
    `assumed ${roleArn} as ${assumed.accessKeyId} until ${assumed.expiration?.toISOString()}`
  )
  const asRole = S3.layer({ credentials })
  if (local) yield* S3.createBucket({ Bucket: "assumed" }).pipe(Effect.provide(asRole))
  const buckets = yield* S3.listBuckets({}).pipe(Effect.provide(asRole))
  yield* Console.log(
    `the role sees ${buckets.Buckets?.length ?? 0} bucket(s): ${(buckets.Buckets ?? []).map((b) => b.Name).join(", ")}`
  )
}).pipe(Effect.scoped, Effect.provide(Environment.session("s3")))

Environment.run("assume-role", program)
