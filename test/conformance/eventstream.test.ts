/**
 * The aws-sdk-go v1 event-stream vectors (`data/eventstream/aws-sdk-go-v1`): every positive
 * message decodes to its JSON description and encodes back to the same bytes, whole and cut at
 * every chunk size; every negative one is rejected with the kind of error its description names.
 */
import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { base64Encode, utf8Encode } from "../../src/Protocols/Bytes.js"
import {
  decodeMessage,
  EventStreamError,
  encodeMessage,
  type HeaderValue,
  type Message,
  MessageDecoder
} from "../../src/Protocols/EventStream.js"
import { dataPath } from "./Report.js"

const ROOT = "eventstream/aws-sdk-go-v1"

const names = (kind: "positive" | "negative"): Array<string> =>
  fs.readdirSync(dataPath(`${ROOT}/encoded/${kind}`)).sort()

const encoded = (kind: string, name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(dataPath(`${ROOT}/encoded/${kind}/${name}`)))

const described = (kind: string, name: string): string =>
  fs.readFileSync(dataPath(`${ROOT}/decoded/${kind}/${name}`), "utf8")

interface VectorHeader {
  readonly name: string
  readonly type: number
  readonly value: unknown
}

const uuidBytes = (uuid: string): Uint8Array =>
  Uint8Array.from(uuid.replace(/-/g, "").match(/../g)!, (h) => Number.parseInt(h, 16))

/** A decoded header in the vectors' form. */
const asVector = (name: string, h: HeaderValue): VectorHeader => {
  switch (h.type) {
    case "boolean":
      return { name, type: h.value ? 0 : 1, value: h.value }
    case "byte":
      return { name, type: 2, value: h.value }
    case "short":
      return { name, type: 3, value: h.value }
    case "integer":
      return { name, type: 4, value: h.value }
    case "long":
      return { name, type: 5, value: Number(h.value) }
    case "binary":
      return { name, type: 6, value: base64Encode(h.value) }
    case "string":
      return { name, type: 7, value: base64Encode(utf8Encode(h.value)) }
    case "timestamp":
      return { name, type: 8, value: h.value.getTime() }
    case "uuid":
      return { name, type: 9, value: base64Encode(uuidBytes(h.value)) }
  }
}

const int32 = (bytes: Uint8Array, at: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset).getInt32(at)

/** What the vectors' JSON says of a message, from its bytes and its decoding. */
const describeMessage = (bytes: Uint8Array, message: Message): unknown => ({
  total_length: bytes.length,
  headers_length: int32(bytes, 4),
  prelude_crc: int32(bytes, 8),
  headers: Object.entries(message.headers).map(([name, h]) => asVector(name, h)),
  payload: base64Encode(message.payload),
  message_crc: int32(bytes, bytes.length - 4)
})

describe("event-stream vectors (aws-sdk-go v1)", () => {
  const positive = names("positive")
  const negative = names("negative")

  it("has the vectors", () => {
    expect(positive).toHaveLength(5)
    expect(negative).toHaveLength(4)
  })

  it.each(positive)("decodes %s to its description", (name) => {
    const bytes = encoded("positive", name)
    const message = decodeMessage(bytes)
    expect(describeMessage(bytes, message)).toEqual(JSON.parse(described("positive", name)))
  })

  it.each(positive)("encodes %s back to the same bytes", (name) => {
    const bytes = encoded("positive", name)
    expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes)
  })

  const KINDS: Readonly<Record<string, string>> = {
    "Prelude checksum mismatch": "PreludeChecksum",
    "Message checksum mismatch": "MessageChecksum"
  }

  it.each(negative)("rejects %s with the reason its description names", (name) => {
    const kind = KINDS[described("negative", name).trim()]
    expect(kind, name).toBeDefined()
    const bytes = encoded("negative", name)
    const whole = (() => {
      try {
        decodeMessage(bytes)
        return undefined
      } catch (e) {
        return e
      }
    })()
    expect(whole).toBeInstanceOf(EventStreamError)
    expect((whole as EventStreamError).kind).toBe(kind)
    // the incremental decoder too, fed a byte at a time
    const decoder = new MessageDecoder()
    const streamed = (() => {
      try {
        for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1))
        decoder.end()
        return undefined
      } catch (e) {
        return e
      }
    })()
    expect((streamed as EventStreamError).kind).toBe(kind)
  })

  it("decodes all positive messages back to back, cut at every chunk size", () => {
    const messages = positive.map((n) => encoded("positive", n))
    const all = new Uint8Array(messages.reduce((n, m) => n + m.length, 0))
    let at = 0
    for (const m of messages) {
      all.set(m, at)
      at += m.length
    }
    const expected = messages.map((m) => decodeMessage(m))
    for (let size = 1; size <= all.length; size++) {
      const decoder = new MessageDecoder()
      const got: Array<Message> = []
      for (let i = 0; i < all.length; i += size) got.push(...decoder.push(all.slice(i, i + size)))
      decoder.end()
      expect(got, `chunks of ${size}`).toEqual(expected)
    }
  })
})
