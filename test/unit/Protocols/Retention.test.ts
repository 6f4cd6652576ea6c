/**
 * Decoded strings do not keep the response body alive. V8 makes a substring of 13 or more
 * characters a "sliced string" that points into its parent, so a decoder that cut its output
 * strings out of the body's text would make one kept value (an S3 key, a DynamoDB attribute) hold
 * on to the whole body. Here a body of several MB is decoded through the real codecs, one string
 * of the output is kept, everything else dropped, and the heap (V8's and external strings')
 * after full collections must have grown by far less than the body.
 *
 * Needs `global.gc` (vitest.config.ts runs the forks with --expose-gc).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Credentials from "../../../src/Credentials/Credentials.js"
import { readJsonBody, readJsonBodyFast } from "../../../src/Protocols/JsonDecoder.js"
import { readJsonError } from "../../../src/Protocols/JsonError.js"
import type { ResponseParts } from "../../../src/Protocols/Protocol.js"
import type { OperationModel } from "../../../src/Protocols/Shape.js"
import { parseXml } from "../../../src/Protocols/Xml.js"
import { readXmlError } from "../../../src/Protocols/XmlError.js"
import type { ServiceClient } from "../../../src/Request/Client.js"
import { decodeOutput } from "../../../src/Request/Pipeline/Unmarshal.js"
import type { TransportService } from "../../../src/Request/Transport.js"
import * as DynamoDB from "../../../src/Services/DynamoDB/index.js"
import * as S3 from "../../../src/Services/S3/index.js"
import * as Session from "../../../src/Session/Session.js"

const gc = (globalThis as { gc?: () => void }).gc

const MiB = 1024 * 1024
/** Bodies are at least this large; a kept value may retain at most `LIMIT`. */
const BODY = 8 * MiB
const LIMIT = 1 * MiB

/** V8's heap plus memory outside it (external strings, array buffers), after full collections. */
const settledMemory = async (): Promise<number> => {
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

/**
 * How much memory stays in use while the strings `decode` returns are kept (the body it makes
 * and everything else it allocates are dropped).
 */
const retainedBy = async (
  decode: () => ReadonlyArray<string>
): Promise<{ kept: ReadonlyArray<string>; bytes: number }> => {
  const before = await settledMemory()
  const kept = decode()
  const bytes = (await settledMemory()) - before
  return { kept, bytes }
}

const encoder = new TextEncoder()
const unusedTransport: TransportService = { send: () => Effect.die("no requests here") }
const session = Session.layerWith({
  region: "us-east-1",
  credentials: Credentials.fromStatic(Credentials.make({ accessKeyId: "AKID", secretAccessKey: "secret" })),
  transport: unusedTransport
})
const s3 = Effect.runSync(Effect.provide(S3.S3, S3.layer().pipe(Layer.provide(session))))
const ddb = Effect.runSync(Effect.provide(DynamoDB.DynamoDB, DynamoDB.layer().pipe(Layer.provide(session))))

/** Decodes a 200 response as the pipeline does. */
const decode = (client: ServiceClient, model: OperationModel, parts: ResponseParts) =>
  decodeOutput(client, model, parts, {})

const pad = (i: number, width: number): string => String(i).padStart(width, "0")

/** A ListObjectsV2 page of at least `BODY` bytes; `wide` puts non-ASCII text in every key. */
const listing = (wide: boolean): Uint8Array => {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    "<Name>retention-test-bucket</Name><Prefix></Prefix><IsTruncated>false</IsTruncated>"
  ]
  let size = 0
  for (let i = 0; size < BODY; i++) {
    const key = `data/jobs/2024/partition=${pad(i % 97, 3)}/${wide ? "caf\u00e9-\u4e2d\u6587" : "cafe-zh"}/part-${pad(i, 8)}-of-a-long-object-key-name.parquet`
    const entry =
      `<Contents><Key>${key}</Key><LastModified>2024-02-01T10:17:00.000Z</LastModified>` +
      `<ETag>&quot;${pad(i, 32)}&quot;</ETag><Size>${i * 7}</Size>` +
      `<Owner><ID>${"f".repeat(64)}</ID><DisplayName>owner-display-name</DisplayName></Owner>` +
      "<StorageClass>INTELLIGENT_TIERING</StorageClass></Contents>"
    parts.push(entry)
    size += entry.length
  }
  parts.push("</ListBucketResult>")
  return encoder.encode(parts.join(""))
}

/**
 * A DynamoDB Query output of at least `BODY` bytes; `reorder` starts it with a null member that
 * is set again at the end (the fast path leaves that to `JSON.parse` and the readers).
 */
const queryBody = (wide: boolean, reorder: boolean): Uint8Array => {
  const items: Array<string> = []
  let size = 0
  for (let i = 0; size < BODY; i++) {
    const item = JSON.stringify({
      pk: { S: `CUSTOMER#${pad(i, 12)}` },
      description: {
        S: `${wide ? "Z\u00f6e M\u00fcller " : "Zoe Mueller "}${"a long attribute value ".repeat(8)}${i}`
      },
      tags: { SS: [`segment-number-${pad(i, 10)}`, "newsletter-subscriber"] },
      nested: { M: { note: { S: `a note about item ${pad(i, 10)}` }, n: { N: String(i) } } }
    })
    items.push(item)
    size += item.length
  }
  const count = `"Count":${items.length},"ScannedCount":${items.length}`
  return encoder.encode(
    reorder
      ? `{"Count":null,"Items":[${items.join(",")}],${count}}`
      : `{"Items":[${items.join(",")}],${count}}`
  )
}

type Item = Record<string, { S?: string; SS?: ReadonlyArray<string>; M?: Item }>

const keptFromQuery = (body: () => Uint8Array) => (): ReadonlyArray<string> => {
  const out = decode(ddb, DynamoDB.query.model, { status: 200, headers: {}, body: body() })
  const item = (out.Items as ReadonlyArray<Item>)[5]!
  return [item.pk!.S!, item.description!.S!, item.tags!.SS![0]!, item.nested!.M!.note!.S!]
}

describe.skipIf(gc === undefined)("decoded strings do not retain the response body", () => {
  for (const wide of [false, true]) {
    it(`S3 ListObjectsV2 of ${BODY / MiB} MiB${wide ? ", non-ASCII keys" : ""}: one kept key`, async () => {
      const { kept, bytes } = await retainedBy(() => {
        const out = decode(s3, S3.listObjectsV2.model, { status: 200, headers: {}, body: listing(wide) })
        const contents = out.Contents as ReadonlyArray<Record<string, string>>
        expect(contents.length).toBeGreaterThan(10_000)
        const c = contents[1234]!
        return [c.Key!, c.ETag!, (c.Owner as unknown as Record<string, string>).ID!, out.Name as string]
      })
      expect(kept[0]).toContain("part-00001234-of")
      expect(kept[1]).toBe(`"${pad(1234, 32)}"`)
      expect(bytes).toBeLessThan(LIMIT)
    })

    it(`DynamoDB Query of ${BODY / MiB} MiB${wide ? ", non-ASCII text" : ""}: a few kept attributes`, async () => {
      const { kept, bytes } = await retainedBy(keptFromQuery(() => queryBody(wide, false)))
      expect(kept[0]).toBe(`CUSTOMER#${pad(5, 12)}`)
      expect(bytes).toBeLessThan(LIMIT)
    })
  }

  it("DynamoDB Query the fast path gives up on (JSON.parse and the readers decode it): kept attributes", async () => {
    expect(readJsonBodyFast(DynamoDB.query.model.output!.shape, queryBody(false, true))).toBeUndefined()
    const { kept, bytes } = await retainedBy(keptFromQuery(() => queryBody(false, true)))
    expect(kept[3]).toBe(`a note about item ${pad(5, 10)}`)
    expect(bytes).toBeLessThan(LIMIT)
  })

  it("readJsonBody straight over the bytes: a kept document string", async () => {
    const { bytes } = await retainedBy(() => {
      const out = readJsonBody(DynamoDB.query.model.output!.shape, queryBody(false, false)) as {
        Items: ReadonlyArray<Item>
      }
      return [out.Items[7]!.description!.S!]
    })
    expect(bytes).toBeLessThan(LIMIT)
  })

  it("XML errors: kept code, message and request id", async () => {
    const { kept, bytes } = await retainedBy(() => {
      const error = readXmlError(
        encoder.encode(
          "<ErrorResponse><Error><Type>Sender</Type><Code>SomeRatherLongErrorCode</Code>" +
            `<Message>the message of this error, long enough</Message><Filler>${"x".repeat(BODY)}</Filler>` +
            "</Error><RequestId>4442587FB7D0A2F9-REQUEST-ID</RequestId></ErrorResponse>"
        )
      )
      return [error.code!, error.message!, error.requestId!]
    })
    expect(kept).toEqual([
      "SomeRatherLongErrorCode",
      "the message of this error, long enough",
      "4442587FB7D0A2F9-REQUEST-ID"
    ])
    expect(bytes).toBeLessThan(LIMIT)
  })

  it("JSON errors: kept code and message", async () => {
    const { kept, bytes } = await retainedBy(() => {
      const body = encoder.encode(
        JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#SomeRatherLongErrorCode",
          message: "a JSON error message, long enough",
          filler: "x".repeat(BODY)
        })
      )
      const error = readJsonError({ status: 400, headers: {}, body }, false)
      return [error.code!, error.message!]
    })
    expect(kept).toEqual(["SomeRatherLongErrorCode", "a JSON error message, long enough"])
    expect(bytes).toBeLessThan(LIMIT)
  })

  it("parseXml: kept text, attribute value and name of a large document", async () => {
    const { kept, bytes } = await retainedBy(() => {
      const root = parseXml(
        `<Root><ALongElementNameForTheTest attribute="an attribute value, long enough">` +
          `the text of an element, long enough</ALongElementNameForTheTest>` +
          `<Filler>${"y".repeat(BODY)}</Filler></Root>`
      )
      const el = root.children[0]!
      return [el.name, el.attributes!.attribute!, el.text]
    })
    expect(kept[2]).toBe("the text of an element, long enough")
    expect(bytes).toBeLessThan(LIMIT)
  })
})
