/**
 * The local servers integration tests run against, as scoped resources: `s3rver` (S3, with its
 * one account `S3RVER`/`S3RVER`) and `dynalite` (DynamoDB, any credentials), both on 127.0.0.1
 * port 0, stopped and cleaned up when the scope closes.
 *
 * s3rver needs `--openssl-legacy-provider` for listings cut by MaxKeys (the test command sets it).
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Credentials from "../../src/Credentials/Credentials.js"
import type * as Retry from "../../src/Request/Retry.js"
import type { Transport } from "../../src/Request/Transport.js"
import * as Session from "../../src/Session/Session.js"

const require = createRequire(import.meta.url)

export interface LocalServer {
  readonly endpoint: string
  readonly port: number
}

interface S3rverInstance {
  run(): Promise<{ readonly port: number }>
  close(): Promise<void>
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance

interface DynaliteServer {
  listen(port: number, host: string, cb: () => void): void
  address(): { readonly port: number }
  close(cb: () => void): void
}

const tempDir = (prefix: string): string => {
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir()
  return fs.mkdtempSync(path.join(base, prefix))
}

/** A fresh s3rver on a free loopback port, in a temporary directory removed afterwards. */
export const s3rver: Effect.Effect<LocalServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const S3rver = require("s3rver") as S3rverClass
    const directory = tempDir("s3rver-")
    const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, vhostBuckets: false })
    const { port } = await server.run()
    return { server, directory, endpoint: `http://127.0.0.1:${port}`, port }
  }),
  ({ server, directory }) =>
    Effect.promise(async () => {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    })
)

/** A fresh in-memory dynalite on a free loopback port. */
export const dynalite: Effect.Effect<LocalServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ server: DynaliteServer; endpoint: string; port: number }>((resolve) => {
        const make = require("dynalite") as (options: Record<string, unknown>) => DynaliteServer
        const server = make({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
        server.listen(0, "127.0.0.1", () => {
          const port = server.address().port
          resolve({ server, endpoint: `http://127.0.0.1:${port}`, port })
        })
      })
  ),
  ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

/**
 * A session (over the `Transport` layer) for an S3 look-alike at `endpoint`: s3rver, the fake S3
 * or a fault server. Path-style addressing, checksums only where an operation requires them, the
 * credentials s3rver accepts (the others check none), and `retry` when given.
 */
export const s3Session = (
  endpoint: string,
  retry?: Retry.RetryPolicy
): Layer.Layer<Session.Session, never, Transport> =>
  Session.layerWithoutTransport({
    region: "us-east-1",
    endpoint,
    credentials: Credentials.fromStatic(
      Credentials.make({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" })
    ),
    s3: { forcePathStyle: true },
    requestChecksumCalculation: "when_required",
    retry
  })
