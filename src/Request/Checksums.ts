/**
 * The checksums S3 accepts and returns (`x-amz-checksum-*`): CRC32, CRC32C, SHA-1 and SHA-256,
 * as incremental hashers so large bodies are checksummed as they stream.
 *
 * CRC32 and the SHAs come from the runtime seam (`#runtime/Crypto`: Node's `zlib.crc32` and
 * `node:crypto` there, plain JavaScript on the Web); CRC32C with the slice-by-8 CRC of `Protocols/Crc32` (the
 * `@aws-crypto/crc32c` package bundles to 21 KB and is about three times slower; tests hold this
 * implementation to it).
 *
 * @since 0.1.0
 */
import { crc32, createHash } from "#runtime/Crypto"
import { base64Encode } from "../Protocols/Bytes.js"
import { reflectedCrc32 } from "../Protocols/Crc32.js"

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "SHA1" | "SHA256"

/** Cheapest first (the order a response's checksums are looked for in). */
export const algorithms: ReadonlyArray<ChecksumAlgorithm> = ["CRC32", "CRC32C", "SHA1", "SHA256"]

/** An incremental checksum. */
export interface Hasher {
  update(data: Uint8Array): void
  /** The checksum's bytes (big-endian for the CRCs). */
  digest(): Uint8Array
}

const crcBytes = (value: number): Uint8Array => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value >>> 0, false)
  return out
}

/** Continues a CRC32C (Castagnoli, reflected polynomial 0x82F63B78) over `data` from `crc` (0 to start). */
export const crc32c: (data: Uint8Array, crc?: number) => number = reflectedCrc32(0x82f63b78)

/** A fresh hasher for an algorithm. */
export const hasher = (algorithm: ChecksumAlgorithm): Hasher => {
  switch (algorithm) {
    case "CRC32": {
      let value = 0
      return {
        update: (data) => {
          value = crc32(data, value)
        },
        digest: () => crcBytes(value)
      }
    }
    case "CRC32C": {
      let value = 0
      return {
        update: (data) => {
          value = crc32c(data, value)
        },
        digest: () => crcBytes(value)
      }
    }
    case "SHA1":
    case "SHA256": {
      return createHash(algorithm === "SHA1" ? "sha1" : "sha256")
    }
  }
}

/** A hasher's checksum in base64, as the `x-amz-checksum-*` headers carry it. */
export const digestBase64 = (h: Hasher): string => base64Encode(h.digest())

/** The base64 checksum of `data`, as the `x-amz-checksum-*` headers carry it. */
export const checksumBase64 = (algorithm: ChecksumAlgorithm, data: Uint8Array): string => {
  const h = hasher(algorithm)
  h.update(data)
  return digestBase64(h)
}

/** `x-amz-checksum-crc32`, ... */
export const headerOf = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`

/** The algorithm a caller named (`"crc32c"`, `"CRC32C"`), if S3 knows it and this SDK computes it. */
export const parseAlgorithm = (name: string): ChecksumAlgorithm | undefined => {
  const upper = name.toUpperCase()
  return (algorithms as ReadonlyArray<string>).includes(upper) ? (upper as ChecksumAlgorithm) : undefined
}
