/**
 * The checksums S3 accepts and returns (`x-amz-checksum-*`): CRC32, CRC32C, SHA-1 and SHA-256,
 * as incremental hashers so large bodies are checksummed as they stream.
 *
 * CRC32 and the SHAs come from the runtime seam (`#runtime/Crypto`: Node's `zlib.crc32` and
 * `node:crypto` there, plain JavaScript on the Web); CRC32C is computed here with slice-by-8 tables (the
 * `@aws-crypto/crc32c` package bundles to 21 KB and is about three times slower; tests hold this
 * implementation to it).
 *
 * @since 0.1.0
 */
import { crc32, createHash } from "#runtime/Crypto"
import { base64Encode } from "../Protocols/Bytes.js"

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

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slice-by-8.
let tables: Array<Uint32Array> | undefined
const crc32cTables = (): Array<Uint32Array> => {
  if (tables) return tables
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  const t0 = t[0]!
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t0[i] = c >>> 0
  }
  for (let i = 0; i < 256; i++) {
    let c = t0[i]!
    for (let s = 1; s < 8; s++) {
      c = (t0[c & 0xff]! ^ (c >>> 8)) >>> 0
      t[s]![i] = c
    }
  }
  tables = t
  return t
}

/** Continues a CRC32C over `data` from `crc` (0 to start). */
export const crc32c = (data: Uint8Array, crc = 0): number => {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crc32cTables() as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array
  ]
  let c = ~crc >>> 0
  let i = 0
  const end8 = data.length - (data.length % 8)
  while (i < end8) {
    const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ c
    c =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!
    i += 8
  }
  while (i < data.length) c = t0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

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
