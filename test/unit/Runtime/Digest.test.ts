import * as crypto from "node:crypto"
import * as zlib from "node:zlib"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Digest from "../../../src/Runtime/Digest.js"

/** The plain-JS digests of the Web seam against `node:crypto` and `node:zlib`. */

const algorithms = ["md5", "sha1", "sha256"] as const
const utf8 = (s: string) => new TextEncoder().encode(s)
const nodeHex = (algorithm: string, data: Uint8Array) =>
  crypto.createHash(algorithm).update(data).digest("hex")
const oursHex = (algorithm: (typeof algorithms)[number], chunks: ReadonlyArray<Uint8Array>) => {
  const h = Digest.createHash(algorithm)
  for (const c of chunks) h.update(c)
  return Digest.toHex(h.digest())
}

/** `data` cut at the given offsets (sorted, clamped). */
const cut = (data: Uint8Array, offsets: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(offsets.map((o) => Math.min(o, data.length)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let from = 0
  for (const p of points) {
    out.push(data.subarray(from, p))
    from = p
  }
  out.push(data.subarray(from))
  return out
}

describe("Digest", () => {
  it("gives the FIPS 180-4 and RFC 1321 answers for the published messages", () => {
    expect(oursHex("sha256", [utf8("abc")])).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    expect(oursHex("sha256", [])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(oursHex("sha256", [utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")])).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    )
    expect(oursHex("sha1", [utf8("abc")])).toBe("a9993e364706816aba3e25717850c26c9cd0d89d")
    expect(oursHex("sha1", [])).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    expect(oursHex("md5", [])).toBe("d41d8cd98f00b204e9800998ecf8427e")
    expect(oursHex("md5", [utf8("message digest")])).toBe("f96b697d7cb7938d525a2f31aaf161d0")
    const million = new Uint8Array(1_000_000).fill(0x61)
    expect(oursHex("sha256", [million])).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    )
  })

  it("agrees with node:crypto at every length around the 56- and 64-byte padding edges", () => {
    for (let n = 0; n <= 200; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)
      for (const a of algorithms) expect(oursHex(a, [data]), `${a} of ${n} bytes`).toBe(nodeHex(a, data))
    }
  })

  it("agrees with node:crypto on any bytes cut into any chunks", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat({ max: 600 }), { maxLength: 6 }),
        fc.constantFrom(...algorithms),
        (data, offsets, a) => {
          expect(oursHex(a, cut(data, offsets))).toBe(nodeHex(a, data))
        }
      ),
      { numRuns: 400 }
    )
  })

  it("reads a chunk that is a view into a larger buffer at an odd offset", () => {
    const backing = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)
    const view = backing.subarray(3, 250)
    for (const a of algorithms) expect(oursHex(a, [view])).toBe(nodeHex(a, view))
  })

  it("computes HMAC-SHA-256 as node:crypto does, for short, block-sized and long keys", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 100, unit: "grapheme" })),
        fc.string({ maxLength: 300, unit: "grapheme" }),
        (key, data) => {
          const ours = Digest.toHex(Digest.hmacSha256(key, data))
          expect(ours).toBe(crypto.createHmac("sha256", key).update(data).digest("hex"))
        }
      ),
      { numRuns: 300 }
    )
    const block = new Uint8Array(64).fill(7)
    expect(Digest.toHex(Digest.hmacSha256(block, "x"))).toBe(
      crypto.createHmac("sha256", block).update("x").digest("hex")
    )
  })

  it("derives the SigV4 signing key of the specification's example", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    const k = ["20120215", "us-east-1", "iam", "aws4_request"].reduce<string | Uint8Array>(
      (key, part) => Digest.hmacSha256(key, part),
      `AWS4${secret}`
    ) as Uint8Array
    expect(Digest.toHex(k)).toBe("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
  })

  it("continues a CRC32 as zlib.crc32 does", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 4 }),
        (data, offsets) => {
          let crc = 0
          for (const c of cut(data, offsets)) crc = Digest.crc32(c, crc)
          expect(crc).toBe(zlib.crc32(data))
        }
      )
    )
    expect(Digest.crc32(utf8("123456789"))).toBe(0xcbf43926)
  })

  it("refuses a second digest or an update after the digest", () => {
    const h = Digest.createHash("sha256")
    h.digest()
    expect(() => h.digest()).toThrow("digest() was already called")
    expect(() => h.update(new Uint8Array(1))).toThrow("digest() was already called")
  })
})
