/**
 * Response parsing, our codecs against v3's deserializers, in the same process, alternating:
 * - S3 ListObjectsV2, a 1,000-key page (`lib/fixtures.ts`: entities, character references,
 *   non-ASCII keys, the owner of each object);
 * - DynamoDB GetItem (one item with nested maps and lists) and Query (100 such items).
 * Ours: the client's codec `deserialize` (and the service's output customizations), as the
 * pipeline calls it. v3: the client's protocol `deserializeResponse` for the operation's schema, as
 * its deserialize middleware calls it. Both from the body bytes and headers of a 200 response to
 * the typed output. Time per parse: the median of rounds, each the mean of a batch.
 *
 * `npm run bench -- parse [--rounds N]`
 */
import type { ResponseParts } from "../src/Protocols/Protocol.js"
import type { OperationModel } from "../src/Protocols/Shape.js"
import type { ServiceClient } from "../src/Request/Client.js"
import { decodeOutput } from "../src/Request/Pipeline/Unmarshal.js"
import * as DynamoDB from "../src/Services/DynamoDB/index.js"
import * as S3 from "../src/Services/S3/index.js"
import { arg } from "./lib/args.js"
import { expectedKeys, getItemJson, listObjectsV2Xml, queryJson } from "./lib/fixtures.js"
import { clientOf } from "./lib/offline.js"
import { record, row } from "./lib/results.js"
import { fmt, median, printTable } from "./lib/stats.js"

const rounds = Number(arg("rounds") ?? 15)

const encoder = new TextEncoder()
const s3Client = clientOf(S3.S3, S3.layer())
const ddbClient = clientOf(DynamoDB.DynamoDB, DynamoDB.layer())

/** Decodes as the pipeline does (the service's decoder or the codec, then its transform). */
const oursDecode = (client: ServiceClient, model: OperationModel, parts: ResponseParts) =>
  decodeOutput(client, model, parts, {})

// v3
const { S3Client, ListObjectsV2$ } = await import("@aws-sdk/client-s3")
const { DynamoDBClient, GetItem$, Query$ } = await import("@aws-sdk/client-dynamodb")
const { operation } = await import("@smithy/core/schema")
const { HttpResponse } = await import("@smithy/core/transport")
type V3Config = {
  protocol: { deserializeResponse: (op: unknown, ctx: unknown, res: unknown) => Promise<unknown> }
}
const v3S3 = new S3Client({
  region: "us-east-1",
  credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }
})
const v3Ddb = new DynamoDBClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }
})
const v3Operation = (schema: unknown) => {
  const [, ns, n, t, i, o] = schema as [unknown, string, string, unknown, unknown, unknown]
  return operation(ns, n, t as never, i as never, o as never)
}
const v3Decode = (
  config: unknown,
  schema: ReturnType<typeof v3Operation>,
  body: Uint8Array,
  headers: Record<string, string>
) =>
  (config as V3Config).protocol.deserializeResponse(
    schema,
    { ...(config as object) },
    new HttpResponse({ statusCode: 200, headers: { ...headers }, body })
  )

interface Case {
  readonly name: string
  readonly peer: string
  readonly batch: number
  readonly ours: () => unknown
  readonly v3: () => Promise<unknown>
  readonly check: (ours: unknown, v3: unknown) => void
}

const xmlBody = encoder.encode(listObjectsV2Xml(1000))
const xmlHeaders = {
  "content-type": "application/xml",
  "x-amz-request-id": "318BC8BC148832E5",
  "x-amz-bucket-region": "us-east-1"
}
const getItemBody = encoder.encode(getItemJson())
const queryBody = encoder.encode(queryJson(100))
const jsonHeaders = { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "UUIDREQUESTID" }

type Listing = { Contents?: ReadonlyArray<{ Key?: string; Size?: number; LastModified?: Date }> }
type Items = { Items?: ReadonlyArray<Record<string, unknown>>; Item?: Record<string, unknown> }

const sameKeys = (o: unknown, v: unknown) => {
  const a = (o as Listing).Contents ?? []
  const b = (v as Listing).Contents ?? []
  if (a.length !== 1000 || b.length !== 1000) throw new Error(`listing lengths ${a.length} / ${b.length}`)
  expectedKeys.forEach((k, i) => {
    if (a[i]!.Key !== k)
      throw new Error(`ours: key ${i} is ${JSON.stringify(a[i]!.Key)}, not ${JSON.stringify(k)}`)
    if (b[i]!.Key !== k)
      console.log(`  note: v3 decodes key ${i} as ${JSON.stringify(b[i]!.Key)}, not ${JSON.stringify(k)}`)
  })
  if (!(a[5]!.LastModified instanceof Date) || a[5]!.Size !== b[5]!.Size)
    throw new Error("ours: timestamp or size")
}

const sameItems = (o: unknown, v: unknown) => {
  const a = JSON.stringify((o as Items).Items ?? (o as Items).Item, (_k, x) =>
    x instanceof Uint8Array ? [...x] : x
  )
  const b = JSON.stringify((v as Items).Items ?? (v as Items).Item, (_k, x) =>
    x instanceof Uint8Array ? [...x] : x
  )
  if (a !== b) throw new Error(`DynamoDB outputs differ:\n ours ${a.slice(0, 300)}\n v3   ${b.slice(0, 300)}`)
}

const cases: ReadonlyArray<Case> = [
  {
    name: "S3 ListObjectsV2, 1,000 keys",
    peer: "@aws-sdk/client-s3",
    batch: 10,
    ours: () =>
      oursDecode(s3Client, S3.listObjectsV2.model, { status: 200, headers: xmlHeaders, body: xmlBody }),
    v3: () => v3Decode(v3S3.config, v3Operation(ListObjectsV2$), xmlBody, xmlHeaders),
    check: sameKeys
  },
  {
    name: "DynamoDB GetItem, 1 nested item",
    peer: "@aws-sdk/client-dynamodb",
    batch: 2000,
    ours: () =>
      oursDecode(ddbClient, DynamoDB.getItem.model, { status: 200, headers: jsonHeaders, body: getItemBody }),
    v3: () => v3Decode(v3Ddb.config, v3Operation(GetItem$), getItemBody, jsonHeaders),
    check: sameItems
  },
  {
    name: "DynamoDB Query, 100 nested items",
    peer: "@aws-sdk/client-dynamodb",
    batch: 20,
    ours: () =>
      oursDecode(ddbClient, DynamoDB.query.model, { status: 200, headers: jsonHeaders, body: queryBody }),
    v3: () => v3Decode(v3Ddb.config, v3Operation(Query$), queryBody, jsonHeaders),
    check: sameItems
  }
]

const timeBatch = async (f: () => unknown, n: number): Promise<number> => {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await f()
  return Number(process.hrtime.bigint() - t0) / 1e3 / n
}

const rows = []
const summary: Array<Array<string>> = []
for (const c of cases) {
  c.check(c.ours(), await c.v3())
  const ours: Array<number> = []
  const v3: Array<number> = []
  for (let r = 0; r < rounds + 3; r++) {
    // warm-up rounds first; order alternates
    const a = r % 2 === 0 ? await timeBatch(c.ours, c.batch) : Number.NaN
    const b = await timeBatch(c.v3, c.batch)
    const a2 = r % 2 === 1 ? await timeBatch(c.ours, c.batch) : a
    if (r >= 3) {
      ours.push(a2)
      v3.push(b)
    }
  }
  const o = median(ours)
  const p = median(v3)
  summary.push([c.name, fmt(o), fmt(p), `${(o / p).toFixed(2)}x`])
  rows.push(row(`${c.name}: parse`, "µs", o, p, c.peer))
}
printTable(["response", "ours µs", "v3 µs", "ratio"], summary)
console.log("")
record(rows)
