/**
 * Event-stream decoding, ours against v3's `EventStreamCodec` (`@smithy/core/event-streams`), in
 * the same process, alternating: 20,000 Bedrock ConverseStream-like `contentBlockDelta` messages
 * (three string headers, a ~75-byte JSON payload; 3.4 MB) arriving in 16 KiB chunks, decoded into
 * messages (headers and payload). Ours: `MessageDecoder.push` per chunk (synchronous). v3: its
 * own path, `getChunkedStream` (an async generator that splits the chunks into messages) then
 * `EventStreamCodec.decode` per message; and, to separate the two, `decode` alone over messages
 * already split. A last row adds our typed-event decoding (`decodeEvent`, the JSON payload read
 * against the event's shape) to the framing. Time per run: the median of rounds; MB/s from it.
 *
 * `npm run bench -- eventstream [--rounds N]`
 */
import { EventStreamCodec, getChunkedStream } from "@smithy/core/event-streams"
import { linkShapes } from "../src/Protocols/Api2.js"
import { encodeMessage, type Message, MessageDecoder } from "../src/Protocols/EventStream.js"
import { decodeEvent, jsonPayloads } from "../src/Protocols/EventStreamEvents.js"
import type { StructureShape } from "../src/Protocols/Shape.js"
import { arg } from "./lib/args.js"
import { record, row } from "./lib/results.js"
import { fmt, median, printTable } from "./lib/stats.js"

const rounds = Number(arg("rounds") ?? 15)
const COUNT = 20_000
const CHUNK = 16 * 1024

const encoder = new TextEncoder()
const frames = Array.from({ length: COUNT }, (_, i) =>
  encodeMessage({
    headers: {
      ":event-type": { type: "string", value: "contentBlockDelta" },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" }
    },
    payload: encoder.encode(
      `{"contentBlockIndex":0,"delta":{"text":"token ${i} of the answer "},"p":"abcdefghij"}`
    )
  })
)
const total = frames.reduce((n, f) => n + f.length, 0)
const all = new Uint8Array(total)
{
  let at = 0
  for (const f of frames) {
    all.set(f, at)
    at += f.length
  }
}
const chunks: Array<Uint8Array> = []
for (let i = 0; i < total; i += CHUNK) chunks.push(all.slice(i, i + CHUNK))

const shapes = linkShapes({
  Stream: { type: "structure", eventstream: true, members: { contentBlockDelta: { shape: "Delta" } } },
  Delta: {
    type: "structure",
    event: true,
    members: { delta: { shape: "D" }, contentBlockIndex: { shape: "I" } }
  },
  D: { type: "structure", union: true, members: { text: { shape: "S" } } },
  S: { type: "string" },
  I: { type: "integer" }
})
const model = { union: shapes.get("Stream") as StructureShape, format: jsonPayloads }

const oursFraming = (): number => {
  const decoder = new MessageDecoder()
  let n = 0
  for (const c of chunks) n += decoder.push(c).length
  decoder.end()
  return n
}

const oursEvents = (): number => {
  const decoder = new MessageDecoder()
  let n = 0
  for (const c of chunks) {
    for (const m of decoder.push(c)) if (decodeEvent(model, m)._tag === "Event") n++
  }
  decoder.end()
  return n
}

const codec = new EventStreamCodec(
  (b: Uint8Array) => new TextDecoder().decode(b),
  (s: string) => encoder.encode(s)
)
async function* source() {
  for (const c of chunks) yield c
}
const v3Framing = async (): Promise<number> => {
  let n = 0
  for await (const m of getChunkedStream(source())) {
    codec.decode(m)
    n++
  }
  return n
}
const v3DecodeOnly = (): number => {
  let n = 0
  for (const f of frames) {
    codec.decode(f)
    n++
  }
  return n
}

// same messages from both
{
  const decoder = new MessageDecoder()
  const ours: Array<Message> = chunks.flatMap((c) => [...decoder.push(c)])
  const theirs = frames.map((f) => codec.decode(f))
  if (ours.length !== COUNT || theirs.length !== COUNT)
    throw new Error(`counts: ${ours.length} ${theirs.length}`)
  for (const i of [0, 777, COUNT - 1]) {
    if (Buffer.compare(Buffer.from(ours[i]!.payload), Buffer.from(theirs[i]!.body)) !== 0)
      throw new Error(`payload ${i} differs`)
  }
}

const time = async (f: () => number | Promise<number>): Promise<number> => {
  const t0 = process.hrtime.bigint()
  const n = await f()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (n !== COUNT) throw new Error(`decoded ${n} of ${COUNT}`)
  return ms
}

const runners = { ours: oursFraming, v3: v3Framing, v3DecodeOnly, events: oursEvents }
type Name = keyof typeof runners
const runs: Record<Name, Array<number>> = { ours: [], v3: [], v3DecodeOnly: [], events: [] }
const names = Object.keys(runners) as Array<Name>
for (let r = 0; r < rounds + 3; r++) {
  for (const which of names.map((_, i) => names[(i + r) % names.length]!)) {
    const ms = await time(runners[which])
    if (r >= 3) runs[which].push(ms)
  }
}
const mb = total / 1e6
const o = median(runs.ours)
const v = median(runs.v3)
const e = median(runs.events)
const d = median(runs.v3DecodeOnly)
printTable(
  ["20,000 messages, 16 KiB chunks", "ms", "MB/s", "messages/s"],
  [
    ["ours, framing", fmt(o), fmt(mb / (o / 1e3)), fmt(COUNT / (o / 1e3), 0)],
    ["v3 getChunkedStream + EventStreamCodec.decode", fmt(v), fmt(mb / (v / 1e3)), fmt(COUNT / (v / 1e3), 0)],
    ["v3 EventStreamCodec.decode of split messages", fmt(d), fmt(mb / (d / 1e3)), fmt(COUNT / (d / 1e3), 0)],
    ["ours, framing + typed events", fmt(e), fmt(mb / (e / 1e3)), fmt(COUNT / (e / 1e3), 0)]
  ]
)
console.log(`ratio (ours / v3, framing): ${fmt(o / v, 2)}x`)
record([
  row(
    "event-stream decode, 20,000 messages in 16 KiB chunks",
    "ms",
    o,
    v,
    "@smithy/core getChunkedStream + EventStreamCodec"
  )
])
