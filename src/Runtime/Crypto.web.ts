/**
 * The Web implementation of `#runtime/crypto` (see `Crypto.ts`): hashing, HMAC and CRC32 in plain
 * JavaScript (`Digest.ts`), gzip through `CompressionStream`. Selected by the `worker` and
 * `browser` export conditions, and by `default`; it imports nothing from Node.
 *
 * @since 0.1.0
 */
import type { Hash, HashAlgorithm } from "./Crypto.js"
import * as Digest from "./Digest.js"

/** @see {@link RuntimeCrypto.implementation} */
export const implementation = "web" as const

/** Lower-case hex SHA-256 of a string (as UTF-8) or bytes. */
export const sha256Hex = (data: string | Uint8Array): string => Digest.toHex(Digest.sha256(data))

/** HMAC-SHA-256 of a string (as UTF-8) under a key. */
export const hmacSha256: (key: string | Uint8Array, data: string) => Uint8Array = Digest.hmacSha256

/** Lower-case hex HMAC-SHA-256. */
export const hmacSha256Hex = (key: Uint8Array, data: string): string =>
  Digest.toHex(Digest.hmacSha256(key, data))

/** A fresh incremental digest. */
export const createHash: (algorithm: HashAlgorithm) => Hash = Digest.createHash

/** Continues a CRC32 (IEEE) over `data` from `crc`. */
export const crc32: (data: Uint8Array, crc?: number) => number = Digest.crc32

/** gzip of `data` through `CompressionStream` (every current browser, Deno, Bun, Workers, Node 18+). */
export const gzip = async (data: Uint8Array): Promise<Uint8Array> => {
  // a Blob takes no view of a SharedArrayBuffer: such bytes are copied first
  const part = data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : data.slice()
  const stream = new Blob([part]).stream().pipeThrough(new CompressionStream("gzip"))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** No synchronous gzip on the Web (`CompressionStream` only): see {@link RuntimeCrypto.gzipSync}. */
export const gzipSync: ((data: Uint8Array) => Uint8Array) | undefined = undefined
