/**
 * CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320), as the event-stream framing checks it on
 * every prelude and message, and the slice-by-8 CRC it is made with (the S3 checksums make CRC32C
 * with it too). Plain JavaScript, so the framing runs in
 * browsers as well as in Node (`zlib.crc32` is Node-only, and only from 20.15); the tests hold it
 * to `zlib.crc32` and `@aws-crypto/crc32`.
 *
 * @since 0.1.0
 */

type Tables = readonly [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array
]

const tablesOf = (polynomial: number): Tables => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256))
  const t0 = tables[0]!
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1
    t0[n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!
    for (let t = 1; t < 8; t++) {
      c = t0[c & 0xff]! ^ (c >>> 8)
      tables[t]![n] = c >>> 0
    }
  }
  return tables as unknown as Tables
}

/**
 * A slice-by-8 CRC over the reflected 32-bit `polynomial` (tables made on first use): the CRC of
 * `data[from, to)`, continued from `crc` (the CRC of the bytes before; 0 to start), as an
 * unsigned 32-bit number.
 */
export const reflectedCrc32 = (polynomial: number) => {
  let tables: Tables | undefined
  return (data: Uint8Array, crc = 0, from = 0, to = data.length): number => {
    if (tables === undefined) tables = tablesOf(polynomial)
    const [T0, T1, T2, T3, T4, T5, T6, T7] = tables
    let c = ~crc
    let i = from
    const fast = to - 8
    for (; i <= fast; i += 8) {
      const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))
      c =
        T7[a & 0xff]! ^
        T6[(a >>> 8) & 0xff]! ^
        T5[(a >>> 16) & 0xff]! ^
        T4[a >>> 24]! ^
        T3[data[i + 4]!]! ^
        T2[data[i + 5]!]! ^
        T1[data[i + 6]!]! ^
        T0[data[i + 7]!]!
    }
    for (; i < to; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
    return ~c >>> 0
  }
}

/** CRC32 (IEEE) of `data[from, to)`, continued from `crc` (0 to start). */
export const crc32 = reflectedCrc32(0xedb88320)
