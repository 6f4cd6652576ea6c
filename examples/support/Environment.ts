/**
 * Where the examples run: against real AWS when you have configured it the usual way (a region
 * in `AWS_REGION` / `AWS_DEFAULT_REGION` or a profile in `AWS_PROFILE`, and credentials from the
 * default chain), otherwise against local servers the example starts on 127.0.0.1 (s3rver for S3,
 * dynalite for DynamoDB) and stops when it ends.
 *
 * `--endpoint URL` points an example at a server of your own (e.g. MinIO, LocalStack) instead.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { Credentials, Session } from "../../src/index.js"

const require = createRequire(import.meta.url)

export type LocalService = "s3" | "dynamodb"

const awsConfigured = (): boolean =>
  Boolean(process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || process.env.AWS_PROFILE)

interface Running {
  readonly endpoint: string
  readonly close: () => Promise<void>
}

const startS3rver = async (): Promise<Running> => {
  const S3rver = require("s3rver") as new (
    o: Record<string, unknown>
  ) => {
    run(): Promise<{ port: number }>
    close(): Promise<void>
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "example-s3-"))
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, vhostBuckets: false })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    }
  }
}

const startDynalite = async (): Promise<Running> => {
  const dynalite = require("dynalite") as (o: Record<string, unknown>) => {
    listen(port: number, host: string, cb: () => void): void
    address(): { port: number }
    close(cb: () => void): void
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const localServer = (service: LocalService) =>
  Effect.acquireRelease(
    Effect.promise(() => (service === "s3" ? startS3rver() : startDynalite())),
    (s) => Effect.promise(s.close)
  )

/** True when the example runs against local servers (no AWS configured and no `--endpoint`). */
export const isLocal = (): boolean => flag("--endpoint") === undefined && !awsConfigured()

/** The value of `--name value` on the command line. */
export const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i === -1 ? undefined : process.argv[i + 1]
}

/**
 * The session of an example: real AWS when configured, else a local server for `service` (or the
 * `--endpoint` given), with the settings S3 look-alikes need.
 */
export const session = (service: LocalService): Layer.Layer<Session.Session, never> => {
  const endpoint = flag("--endpoint")
  if (endpoint === undefined && !isLocal()) {
    return Layer.orDie(Session.layer())
  }
  return Layer.unwrapScoped(
    Effect.gen(function* () {
      const url = endpoint ?? (yield* localServer(service)).endpoint
      if (endpoint === undefined)
        yield* Console.error(`(no AWS region configured: using a local ${service} at ${url})`)
      return Layer.orDie(
        Session.layer({
          region: "us-east-1",
          endpoint: url,
          s3: { forcePathStyle: true },
          requestChecksumCalculation: "when_required",
          // s3rver's one account; dynalite accepts any keys.
          credentials: Credentials.layerStatic({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" })
        })
      )
    })
  )
}

/**
 * Runs an example's program: `LOG_LEVEL=debug` shows the SDK's debug logs; a failure is printed
 * (the typed error's tag and message) and sets a non-zero exit code.
 */
export const run = <A, E extends { readonly _tag?: string; readonly message?: string }>(
  name: string,
  program: Effect.Effect<A, E>
): void => {
  const level = LogLevel.allLevels.find(
    (l) => l.label.toLowerCase() === (process.env.LOG_LEVEL ?? "info").toLowerCase()
  )
  Effect.runPromise(
    program.pipe(
      Logger.withMinimumLogLevel(level ?? LogLevel.Info),
      Effect.catchAllCause((cause) =>
        Effect.zipRight(
          Console.error(`${name} failed: ${Cause.pretty(cause)}`),
          Effect.sync(() => {
            process.exitCode = 1
          })
        )
      )
    )
  )
}
