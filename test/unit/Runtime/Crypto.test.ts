import * as crypto from "node:crypto"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"
import * as esbuild from "esbuild"
import { describe, expect, it } from "vitest"
import * as Seam from "#runtime/Crypto"
import type { RuntimeCrypto } from "../../../src/Runtime/Crypto.js"
import * as NodeCrypto from "../../../src/Runtime/Crypto.node.js"
import * as WebCrypto from "../../../src/Runtime/Crypto.web.js"

/**
 * The runtime seam `#runtime/Crypto`: both implementations satisfy the contract (typed here, so
 * tsc fails when one drifts), agree with `node:crypto`/`node:zlib`, and package.json's `imports`
 * picks the right one for each export condition.
 */

const implementations: ReadonlyArray<RuntimeCrypto> = [NodeCrypto, WebCrypto]
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff)

describe.each(implementations.map((c) => [c.implementation, c] as const))("%s implementation", (_, C) => {
  it("hashes, signs and checksums as node:crypto and node:zlib do", () => {
    expect(C.sha256Hex("abc")).toBe(crypto.createHash("sha256").update("abc").digest("hex"))
    expect(C.sha256Hex(bytes)).toBe(crypto.createHash("sha256").update(bytes).digest("hex"))
    const key = new Uint8Array(32).fill(9)
    expect(Buffer.from(C.hmacSha256("AWS4secret", "20150830")).toString("hex")).toBe(
      crypto.createHmac("sha256", "AWS4secret").update("20150830").digest("hex")
    )
    expect(C.hmacSha256Hex(key, "string to sign ✓")).toBe(
      crypto.createHmac("sha256", key).update("string to sign ✓").digest("hex")
    )
    for (const algorithm of ["md5", "sha1", "sha256"] as const) {
      const h = C.createHash(algorithm)
      h.update(bytes.subarray(0, 333))
      h.update(bytes.subarray(333))
      expect(Buffer.from(h.digest()).toString("base64")).toBe(
        crypto.createHash(algorithm).update(bytes).digest("base64")
      )
    }
    expect(C.crc32(bytes.subarray(500), C.crc32(bytes.subarray(0, 500)))).toBe(zlib.crc32(bytes))
  })

  it("gzips to what gunzip reads back", async () => {
    const data = new TextEncoder().encode("metric data ".repeat(2000))
    const out = await C.gzip(data)
    expect(out).toBeInstanceOf(Uint8Array)
    expect(out.length).toBeLessThan(data.length / 10)
    expect(new Uint8Array(zlib.gunzipSync(out))).toEqual(data)
  })
})

/** Which file esbuild takes for `#runtime/Crypto` under these conditions and platform. */
const resolved = async (platform: "node" | "browser" | "neutral", conditions: Array<string>) => {
  const result = await esbuild.build({
    stdin: { contents: `export * from "#runtime/Crypto"`, resolveDir: root, loader: "ts" },
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform,
    conditions,
    external: ["node:*"],
    logLevel: "silent"
  })
  return Object.keys(result.metafile.inputs).filter((f) => f.includes("Runtime/Crypto."))
}

describe("#runtime/Crypto", () => {
  it("is the Node implementation where vitest runs", () => {
    expect(Seam.implementation).toBe("node")
  })

  it("resolves by export condition, as a bundler sees package.json's imports", async () => {
    const src = "effect-aws-sdk/source"
    expect(await resolved("node", [src])).toEqual(["src/Runtime/Crypto.node.ts"])
    expect(await resolved("browser", [src])).toEqual(["src/Runtime/Crypto.web.ts"])
    expect(await resolved("neutral", [src, "worker", "node"])).toEqual(["src/Runtime/Crypto.web.ts"])
    expect(await resolved("neutral", [src, "deno", "node"])).toEqual(["src/Runtime/Crypto.node.ts"])
    expect(await resolved("neutral", [src])).toEqual(["src/Runtime/Crypto.web.ts"])
  })

  it("keeps the Web implementation free of Node modules", async () => {
    const result = await esbuild.build({
      entryPoints: [path.join(root, "src/Runtime/Crypto.web.ts")],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      logLevel: "silent"
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((f) => f.startsWith("node:"))).toEqual([])
    // CRC32 is the codecs' own slice-by-8 implementation
    expect(inputs.sort()).toEqual([
      "src/Protocols/Crc32.ts",
      "src/Runtime/Crypto.web.ts",
      "src/Runtime/Digest.ts"
    ])
  })
})
