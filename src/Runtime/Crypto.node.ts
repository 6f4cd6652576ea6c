/**
 * The Node implementation of `#runtime/crypto` (see `Crypto.ts`): `node:crypto` and `node:zlib`,
 * the fast paths the benchmarks measure. Selected by the `node` export condition, which Node, Bun
 * and Deno all set (the latter two implement both modules natively).
 *
 * @since 0.1.0
 */
import * as crypto from "node:crypto"
import * as zlib from "node:zlib"
import type { Hash, HashAlgorithm } from "./Crypto.js"

/** @see {@link RuntimeCrypto.implementation} */
export const implementation = "node" as const

// `crypto.hash` (Node 20.12+, Bun, Deno) hashes in one call, without a `Hash` object per digest;
// older versions take the object route. Chosen once, here.
const oneShot = (
  crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: string) => string }
).hash

/** Lower-case hex SHA-256 of a string (as UTF-8) or bytes. */
export const sha256Hex: (data: string | Uint8Array) => string =
  oneShot !== undefined
    ? (data) => oneShot("sha256", data, "hex")
    : (data) => crypto.createHash("sha256").update(data).digest("hex")

/** HMAC-SHA-256 of a string (as UTF-8) under a key. */
export const hmacSha256 = (key: string | Uint8Array, data: string): Uint8Array =>
  crypto.createHmac("sha256", key).update(data).digest()

/** Lower-case hex HMAC-SHA-256. */
export const hmacSha256Hex = (key: Uint8Array, data: string): string =>
  crypto.createHmac("sha256", key).update(data).digest("hex")

/** A fresh incremental digest. */
export const createHash = (algorithm: HashAlgorithm): Hash => {
  const h = crypto.createHash(algorithm)
  return {
    update: (data) => {
      h.update(data)
    },
    digest: () => new Uint8Array(h.digest())
  }
}

/** Continues a CRC32 (IEEE) over `data` from `crc`: `zlib.crc32` (Node 20.15+, Bun, Deno). */
export const crc32 = (data: Uint8Array, crc = 0): number => zlib.crc32(data, crc)

/** gzip of `data`, off the main thread (zlib's thread pool). */
export const gzip = (data: Uint8Array): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    zlib.gzip(data, (error, out) =>
      error ? reject(error) : resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength))
    )
  })

/** Synchronous gzip of `data` (`zlib.gzipSync`), as the build stage compresses request bodies. */
export const gzipSync: ((data: Uint8Array) => Uint8Array) | undefined = (data) => {
  const out = zlib.gzipSync(data)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}
