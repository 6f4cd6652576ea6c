/**
 * Splits the DynamoDB Query parse of `bench/parse.ts` into its parts, ours and v3's, each timed
 * alone: UTF-8 decoding of the body, `JSON.parse` of the text, our shape-driven walk of the parsed
 * value (`jsonReader`), our whole `deserialize`, and v3's whole `deserializeResponse`.
 * Times are process CPU time per call: median (and minimum) of rounds.
 * `npx tsx bench/tools/run-compiled.ts bench/tools/json-parse-split.ts [--items 100] [--rounds 15]`
 */
import { utf8Decode } from "../../src/Protocols/Bytes.js"
import { jsonReader, parseJsonBody } from "../../src/Protocols/JsonDecoder.js"
import * as DynamoDB from "../../src/Services/DynamoDB/index.js"
import { arg } from "../lib/args.js"
import { queryJson } from "../lib/fixtures.js"
import { clientOf } from "../lib/offline.js"
import { fmt, median } from "../lib/stats.js"

const rounds = Number(arg("rounds") ?? 15)
const items = Number(arg("items") ?? 100)
const only = arg("only")

const ddb = clientOf(DynamoDB.DynamoDB, DynamoDB.layer())

const { DynamoDBClient, Query$ } = await import("@aws-sdk/client-dynamodb")
const { operation } = await import("@smithy/core/schema")
const { HttpResponse } = await import("@smithy/core/transport")
const v3 = new DynamoDBClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }
})
const [, ns, n, t, i, o] = Query$ as unknown as [unknown, string, string, unknown, unknown, unknown]
const v3Op = operation(ns, n, t as never, i as never, o as never)
type V3Config = {
  protocol: { deserializeResponse: (op: unknown, ctx: unknown, res: unknown) => Promise<unknown> }
}

const body = new TextEncoder().encode(queryJson(items))
const text = utf8Decode(body)
const headers = { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "UUIDREQUESTID" }
const shape = DynamoDB.query.model.output!.shape
const read = jsonReader(shape)
const parsed = JSON.parse(text)

const parts: ReadonlyArray<[string, () => unknown]> = [
  ["utf8Decode", () => utf8Decode(body)],
  ["JSON.parse(text)", () => JSON.parse(text)],
  ["parseJsonBody (decode + parse)", () => parseJsonBody(body)],
  ["walk (jsonReader on parsed)", () => read(parsed)],
  [
    "ours deserialize",
    () => ddb.codec.deserialize(DynamoDB.query.model, { status: 200, headers, body }, undefined)
  ],
  [
    "v3 deserializeResponse",
    () =>
      (v3.config as unknown as V3Config).protocol.deserializeResponse(
        v3Op,
        { ...(v3.config as object) },
        new HttpResponse({ statusCode: 200, headers: { ...headers }, body })
      )
  ]
]

const batch = Math.max(1, Math.round(2000 / items))
const times = new Map<string, Array<number>>()
for (let r = 0; r < rounds + 3; r++) {
  for (const [name, f] of parts) {
    if (only !== undefined && !name.includes(only)) continue
    // CPU time, not wall time: the figures hold up on a loaded machine
    const t0 = process.cpuUsage()
    for (let k = 0; k < batch; k++) await f()
    const t1 = process.cpuUsage(t0)
    const us = (t1.user + t1.system) / batch
    if (r >= 3) times.set(name, [...(times.get(name) ?? []), us])
  }
}
console.log(`body ${body.length} bytes, ${items} items`)
for (const [name, ts] of times)
  console.log(`${name.padEnd(34)} ${fmt(median(ts)).padStart(8)} µs (min ${fmt(Math.min(...ts))})`)
