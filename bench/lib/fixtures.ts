/**
 * Realistic response bodies for the parse benchmark, generated deterministically: a 1,000-key
 * ListObjectsV2 page (keys with `&amp;`, `&lt;`, `&gt;`, `&apos;`, numeric character references,
 * non-ASCII and astral characters, leading zeros; quoted ETags as S3 sends them, `&quot;`; the owner
 * of every object, as with FetchOwner), and DynamoDB GetItem / Query outputs holding items with
 * nested maps and lists, sets, numbers, binary and nulls.
 */

const hex = (seed: number, length: number): string => {
  let out = ""
  let x = seed * 2654435761
  while (out.length < length) {
    x = (x * 1103515245 + 12345) >>> 0
    out += x.toString(16).padStart(8, "0")
  }
  return out.slice(0, length)
}

const keyNames = [
  (i: number) => `photos/2024/${String((i % 12) + 1).padStart(2, "0")}/IMG_${String(i).padStart(5, "0")}.jpg`,
  (i: number) => `reports/Q${(i % 4) + 1} summary &amp; forecast ${i}.pdf`,
  (i: number) => `logs/app-server-${i % 7}/2024-03-${String((i % 28) + 1).padStart(2, "0")}T12:00:00Z.log.gz`,
  (i: number) => `data/0${i}/part-0000${i % 10}.parquet`,
  (i: number) => `users/m\u00fcller/caf\u00e9 &lt;draft&gt; ${i}.txt`,
  (i: number) => `i18n/\u4e2d\u6587/\u6587\u4ef6-${i} &#x1F600;.md`,
  (i: number) => `backups/db &apos;prod&apos; ${i}.sql`,
  (i: number) => `tmp/${hex(i, 32)}`
]

/** The ListObjectsV2 response body (about 380 KB) and what its first keys decode to. */
export const listObjectsV2Xml = (count = 1000): string => {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>bench</Name><Prefix></Prefix><KeyCount>${count}</KeyCount><MaxKeys>${count}</MaxKeys>`,
    "<IsTruncated>true</IsTruncated>",
    `<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=${hex(1, 40)}</NextContinuationToken>`
  ]
  for (let i = 0; i < count; i++) {
    const day = String((i % 28) + 1).padStart(2, "0")
    parts.push(
      `<Contents><Key>${keyNames[i % keyNames.length]!(i)}</Key>` +
        `<LastModified>2024-02-${day}T${String(i % 24).padStart(2, "0")}:17:${String(i % 60).padStart(2, "0")}.000Z</LastModified>` +
        `<ETag>&quot;${hex(i, 32)}&quot;</ETag>` +
        `<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>` +
        `<Size>${(i * 7919) % 50_000_000}</Size>` +
        `<Owner><ID>${hex(7, 64)}</ID><DisplayName>webfile</DisplayName></Owner>` +
        `<StorageClass>${i % 5 === 0 ? "STANDARD_IA" : "STANDARD"}</StorageClass></Contents>`
    )
  }
  parts.push("</ListBucketResult>")
  return parts.join("")
}

/** The decoded keys of the first objects, to check both parsers against. */
export const expectedKeys = [
  "photos/2024/01/IMG_00000.jpg",
  "reports/Q2 summary & forecast 1.pdf",
  "logs/app-server-2/2024-03-03T12:00:00Z.log.gz",
  "data/03/part-00003.parquet",
  "users/m\u00fcller/caf\u00e9 <draft> 4.txt",
  "i18n/\u4e2d\u6587/\u6587\u4ef6-5 \u{1F600}.md",
  "backups/db 'prod' 6.sql"
]

const item = (i: number) => ({
  pk: { S: `USER#${100000 + i}` },
  sk: { S: `ORDER#2024-03-${String((i % 28) + 1).padStart(2, "0")}#${hex(i, 8)}` },
  name: { S: i % 3 === 0 ? "Zo\u00eb M\u00fcller" : `Customer ${i}` },
  email: { S: `customer${i}@example.com` },
  age: { N: String(20 + (i % 50)) },
  balance: { N: `${(i * 37.13).toFixed(2)}` },
  active: { BOOL: i % 2 === 0 },
  deleted: { NULL: true },
  tags: { SS: ["vip", "newsletter", `cohort-${i % 9}`] },
  scores: { NS: ["1", "2.5", String(i)] },
  avatar: { B: Buffer.from(hex(i, 48)).toString("base64") },
  address: {
    M: {
      street: { S: `${i} Main Street` },
      city: { S: "Berlin" },
      zip: { S: "10115" },
      geo: { M: { lat: { N: "52.5200" }, lon: { N: "13.4050" } } }
    }
  },
  orders: {
    L: Array.from({ length: 3 }, (_, j) => ({
      M: {
        id: { S: `o-${i}-${j}` },
        total: { N: `${(j + 1) * 19.99}` },
        placed: { S: `2024-03-${String(j + 1).padStart(2, "0")}T10:00:00Z` },
        lines: {
          L: [
            { M: { sku: { S: `SKU-${j}-A` }, qty: { N: "2" }, price: { N: "4.99" } } },
            { M: { sku: { S: `SKU-${j}-B` }, qty: { N: "1" }, price: { N: "10.01" } } }
          ]
        }
      }
    }))
  },
  preferences: { M: { theme: { S: "dark" }, notifications: { L: [{ S: "email" }, { S: "sms" }] } } }
})

/** A GetItem output: one item (about 1.6 KB). */
export const getItemJson = (): string => JSON.stringify({ Item: item(1) })

/** A Query output: `count` items (about 160 KB for 100) and a LastEvaluatedKey. */
export const queryJson = (count = 100): string =>
  JSON.stringify({
    Items: Array.from({ length: count }, (_, i) => item(i)),
    Count: count,
    ScannedCount: count,
    LastEvaluatedKey: { pk: item(count - 1).pk, sk: item(count - 1).sk }
  })
