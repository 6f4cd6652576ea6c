/**
 * The contract of the runtime seam for the kernel's hashing, HMAC, CRC32 and compression. The
 * kernel imports the seam as `#runtime/crypto`; package.json's `imports` field picks the
 * implementation by export condition, once, at resolution time (no runtime check on the hot
 * path):
 * - `worker`, `browser` (Workers, browsers, any bundle made for them): `Crypto.web.ts`, Web APIs
 *   and plain JavaScript only;
 * - `node` (Node, and Bun and Deno, which implement `node:crypto` and `node:zlib` natively):
 *   `Crypto.node.ts`, the fast paths measured on Node;
 * - `default` (anything else): `Crypto.web.ts`.
 *
 * Both implementations export exactly these members; `test/unit/Runtime/Crypto.test.ts` types
 * each module namespace as {@link RuntimeCrypto} (tsc fails when one drifts) and holds both to
 * `node:crypto` and `node:zlib`.
 *
 * Hashing and HMAC are synchronous in both, so signing stays a synchronous function and its
 * derived keys stay in the client's `KeyCache` as today. On the Web they are plain JavaScript
 * rather than WebCrypto: WebCrypto has no incremental digest (checksums stream), no MD5
 * (`Content-MD5`), and every call is a promise, which would make signing asynchronous on every
 * runtime for a few hundred bytes of input. Compression is asynchronous in both
 * (`CompressionStream` has no synchronous form).
 *
 * @since 0.1.0
 */

/** The digests the kernel computes: SigV4 (SHA-256), `x-amz-checksum-sha1/sha256`, `Content-MD5`. */
export type HashAlgorithm = "md5" | "sha1" | "sha256"

/** An incremental digest: `update` as data streams, `digest` once at the end. */
export interface Hash {
  update(data: Uint8Array): void
  digest(): Uint8Array
}

/** What each implementation of `#runtime/crypto` exports. */
export interface RuntimeCrypto {
  /** Which implementation this is (for tests and diagnostics; never branched on by the SDK). */
  readonly implementation: "node" | "web"
  /** Lower-case hex SHA-256 of a string (as UTF-8) or bytes. */
  readonly sha256Hex: (data: string | Uint8Array) => string
  /** HMAC-SHA-256 of a string (as UTF-8) under a key (a string as UTF-8, or bytes). */
  readonly hmacSha256: (key: string | Uint8Array, data: string) => Uint8Array
  /** Lower-case hex HMAC-SHA-256, as a SigV4 signature is written. */
  readonly hmacSha256Hex: (key: Uint8Array, data: string) => string
  /** A fresh incremental digest. */
  readonly createHash: (algorithm: HashAlgorithm) => Hash
  /** Continues a CRC32 (IEEE, as zlib's) over `data` from `crc` (0 to start). */
  readonly crc32: (data: Uint8Array, crc?: number) => number
  /** gzip (RFC 1952) of `data`, as request compression sends it. */
  readonly gzip: (data: Uint8Array) => Promise<Uint8Array>
  /**
   * Synchronous gzip where the runtime has one (`zlib.gzipSync` on Node, Bun, Deno); `undefined`
   * on the Web, where only `CompressionStream` (asynchronous) exists.
   */
  readonly gzipSync: ((data: Uint8Array) => Uint8Array) | undefined
}
