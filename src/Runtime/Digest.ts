/**
 * SHA-256 (FIPS 180-4), SHA-1 (FIPS 180-4) and MD5 (RFC 1321) as incremental digests, HMAC-SHA-256
 * (RFC 2104) and CRC32 (IEEE), in plain JavaScript over `Uint8Array`: the Web implementation of
 * the runtime seam (`Crypto.web.ts`), for runtimes without `node:crypto`. Synchronous, so the
 * signer stays synchronous; held to `node:crypto` and `node:zlib` by
 * `test/unit/Runtime/Digest.test.ts`.
 *
 * @since 0.1.0
 */
import { crc32 as crc32Of } from "../Protocols/Crc32.js"
import type { Hash } from "./Crypto.js"

const encoder = new TextEncoder()
const bytesOf = (data: string | Uint8Array): Uint8Array =>
  typeof data === "string" ? encoder.encode(data) : data

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** Lower-case hex of bytes. */
export const toHex = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!
  return out
}

/**
 * The Merkle-Damgard frame the three digests share: 64-byte blocks, a final 0x80, zero padding
 * and the message length in bits as the last 8 bytes (big-endian for the SHAs, little-endian for
 * MD5). A subclass compresses one block, read through `view` at `offset`.
 */
abstract class BlockHash implements Hash {
  readonly #block = new Uint8Array(64)
  readonly #blockView = new DataView(this.#block.buffer)
  #used = 0
  #bytes = 0
  #done = false

  constructor(private readonly littleEndian: boolean) {}

  protected abstract compress(view: DataView, offset: number): void
  protected abstract output(): Uint8Array

  update(data: Uint8Array): void {
    if (this.#done) throw new Error("digest() was already called on this hash")
    this.#bytes += data.length
    let i = 0
    if (this.#used > 0) {
      const take = Math.min(64 - this.#used, data.length)
      this.#block.set(data.subarray(0, take), this.#used)
      this.#used += take
      i = take
      if (this.#used < 64) return
      this.compress(this.#blockView, 0)
      this.#used = 0
    }
    const whole = data.length - ((data.length - i) % 64)
    if (whole > i) {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
      for (; i < whole; i += 64) this.compress(view, i)
    }
    if (i < data.length) {
      this.#block.set(data.subarray(i), 0)
      this.#used = data.length - i
    }
  }

  digest(): Uint8Array {
    if (this.#done) throw new Error("digest() was already called on this hash")
    this.#done = true
    const block = this.#block
    block[this.#used++] = 0x80
    if (this.#used > 56) {
      block.fill(0, this.#used)
      this.compress(this.#blockView, 0)
      this.#used = 0
    }
    block.fill(0, this.#used)
    // the length in bits, as two 32-bit halves (exact up to 2^53 bytes)
    const low = (this.#bytes * 8) >>> 0
    const high = Math.floor(this.#bytes / 0x20000000) >>> 0
    if (this.littleEndian) {
      this.#blockView.setUint32(56, low, true)
      this.#blockView.setUint32(60, high, true)
    } else {
      this.#blockView.setUint32(56, high, false)
      this.#blockView.setUint32(60, low, false)
    }
    this.compress(this.#blockView, 0)
    return this.output()
  }
}

const wordsOut = (state: Int32Array | Uint32Array, littleEndian: boolean): Uint8Array => {
  const out = new Uint8Array(state.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < state.length; i++) view.setUint32(i * 4, state[i]! >>> 0, littleEndian)
  return out
}

// SHA-256: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2
])

// The message schedules: one each, shared by every hash (a compression runs to its end before the
// next starts), so a digest allocates no schedule of its own.
const W256 = new Int32Array(64)
const W1 = new Int32Array(80)
const X5 = new Int32Array(16)

class Sha256 extends BlockHash {
  readonly #h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  ])

  constructor() {
    super(false)
  }

  protected compress(view: DataView, offset: number): void {
    const w = W256
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(offset + t * 4, false)
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
    }
    const h = this.#h
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    let f = h[5]!
    let g = h[6]!
    let k = h[7]!
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K256[t]! + w[t]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
      k = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
    h[4] = (h[4]! + e) | 0
    h[5] = (h[5]! + f) | 0
    h[6] = (h[6]! + g) | 0
    h[7] = (h[7]! + k) | 0
  }

  protected output(): Uint8Array {
    return wordsOut(this.#h, false)
  }
}

class Sha1 extends BlockHash {
  readonly #h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0])

  constructor() {
    super(false)
  }

  protected compress(view: DataView, offset: number): void {
    const w = W1
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(offset + t * 4, false)
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!
      w[t] = (x << 1) | (x >>> 31)
    }
    const h = this.#h
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    for (let t = 0; t < 80; t++) {
      const f =
        t < 20
          ? ((b & c) | (~b & d)) + 0x5a827999
          : t < 40
            ? (b ^ c ^ d) + 0x6ed9eba1
            : t < 60
              ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
              : (b ^ c ^ d) + 0xca62c1d6
      const temp = (((a << 5) | (a >>> 27)) + f + e + w[t]!) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
    h[4] = (h[4]! + e) | 0
  }

  protected output(): Uint8Array {
    return wordsOut(this.#h, false)
  }
}

// MD5: T[i] = floor(2^32 * |sin(i + 1)|), and the per-round shift amounts.
const T = Int32Array.from({ length: 64 }, (_, i) => Math.floor(2 ** 32 * Math.abs(Math.sin(i + 1))) | 0)
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

class Md5 extends BlockHash {
  readonly #h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476])

  constructor() {
    super(true)
  }

  protected compress(view: DataView, offset: number): void {
    const x = X5
    for (let i = 0; i < 16; i++) x[i] = view.getInt32(offset + i * 4, true)
    const h = this.#h
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    for (let i = 0; i < 64; i++) {
      const round = i >> 4
      let f: number
      let g: number
      if (round === 0) {
        f = (b & c) | (~b & d)
        g = i
      } else if (round === 1) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (round === 2) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      const s = SHIFTS[(round << 2) | (i & 3)]!
      const sum = (a + f + T[i]! + x[g]!) | 0
      a = d
      d = c
      c = b
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
  }

  protected output(): Uint8Array {
    return wordsOut(this.#h, true)
  }
}

/** A fresh incremental digest. */
export const createHash = (algorithm: "md5" | "sha1" | "sha256"): Hash =>
  algorithm === "sha256" ? new Sha256() : algorithm === "sha1" ? new Sha1() : new Md5()

/** SHA-256 of a string (as UTF-8) or bytes. */
export const sha256 = (data: string | Uint8Array): Uint8Array => {
  const h = new Sha256()
  h.update(bytesOf(data))
  return h.digest()
}

/** HMAC-SHA-256 (RFC 2104, block size 64) of a string (as UTF-8) under a key. */
export const hmacSha256 = (key: string | Uint8Array, data: string): Uint8Array => {
  let k = bytesOf(key)
  if (k.length > 64) k = sha256(k)
  const pad = new Uint8Array(64)
  pad.set(k)
  for (let i = 0; i < 64; i++) pad[i]! ^= 0x36
  const inner = new Sha256()
  inner.update(pad)
  inner.update(bytesOf(data))
  const innerDigest = inner.digest()
  // 0x36 ^ 0x5c turns the inner pad into the outer one
  for (let i = 0; i < 64; i++) pad[i]! ^= 0x36 ^ 0x5c
  const outer = new Sha256()
  outer.update(pad)
  outer.update(innerDigest)
  return outer.digest()
}

/**
 * Continues a CRC32 (IEEE, reflected polynomial 0xEDB88320, as zlib's) over `data` from `crc`:
 * the slice-by-8 implementation the codecs already carry (`Protocols/Crc32.ts`).
 */
export const crc32 = (data: Uint8Array, crc = 0): number => crc32Of(data, crc)
