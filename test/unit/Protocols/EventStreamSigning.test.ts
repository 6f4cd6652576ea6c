/**
 * Event-stream signing: one signature computed step by step here with `node:crypto` alone (the
 * header bytes written out by hand), a chain checked by a verifier as a service would run it, and
 * a differential test against `@smithy/signature-v4`'s `signMessage` (the v3 SDK's).
 */
import * as crypto from "node:crypto"
import { Hash } from "@smithy/hash-node"
import { SignatureV4 } from "@smithy/signature-v4"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeMessage, encodeMessage } from "../../../src/Protocols/EventStream.js"
import {
  eventSigningChain,
  STREAMING_EVENTS_PAYLOAD,
  signEventPayload,
  signingKey
} from "../../../src/Protocols/EventStreamSigning.js"

const context = {
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  region: "us-west-2",
  service: "transcribe"
}
const seed = "ba9ee8a16f4e39a9b5e8b1ba5a8e1f1f7c1f4e8b3b7b9d2c1a0f9e8d7c6b5a49"
const date = new Date("2024-05-06T07:08:09.123Z")

const h = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data).digest()
const sha = (data: crypto.BinaryLike) => crypto.createHash("sha256").update(data).digest("hex")

describe("signEventPayload", () => {
  it("computes the signature the algorithm describes, step by step", () => {
    const payload = encodeMessage({
      headers: { ":event-type": { type: "string", value: "AudioEvent" } },
      payload: new Uint8Array([1, 2, 3])
    })
    // the :date header by hand: name length, name, type 8, big-endian epoch milliseconds
    const ms = Buffer.alloc(8)
    ms.writeBigInt64BE(BigInt(date.getTime()))
    const dateHeader = Buffer.concat([Buffer.from([5]), Buffer.from(":date"), Buffer.from([8]), ms])
    const stringToSign = [
      "AWS4-HMAC-SHA256-PAYLOAD",
      "20240506T070809Z",
      "20240506/us-west-2/transcribe/aws4_request",
      seed,
      sha(dateHeader),
      sha(payload)
    ].join("\n")
    const key = h(
      h(h(h(`AWS4${context.secretAccessKey}`, "20240506"), "us-west-2"), "transcribe"),
      "aws4_request"
    )
    const expected = h(key, stringToSign).toString("hex")

    const signed = signEventPayload(payload, seed, date, context)
    expect(signed.stringToSign).toBe(stringToSign)
    expect(signed.signature).toBe(expected)
    expect(Buffer.from(signed.bytes).toString("hex")).toBe(expected)
    expect(Buffer.from(signingKey(context, "20240506"))).toEqual(key)
    expect(STREAMING_EVENTS_PAYLOAD).toBe("STREAMING-AWS4-HMAC-SHA256-EVENTS")
  })
})

describe("eventSigningChain", () => {
  it("frames each payload with :date and :chunk-signature, each signature over the previous one", () => {
    const sign = eventSigningChain(context, seed)
    const payloads = [new Uint8Array([1]), new Uint8Array([2, 2]), new Uint8Array(0)]
    // the last one a day later: the key is derived again
    const dates = [date, new Date(date.getTime() + 1000), new Date(date.getTime() + 86_400_000)]
    const frames = payloads.map((p, i) => sign(p, dates[i]!))
    // a verifier, as the service runs it: every frame's signature recomputed from the previous one
    let prior = seed
    for (const [i, frame] of frames.entries()) {
      const message = decodeMessage(frame)
      expect(Object.keys(message.headers)).toEqual([":date", ":chunk-signature"])
      expect(message.headers[":date"]).toEqual({ type: "timestamp", value: dates[i] })
      expect(message.payload).toEqual(payloads[i])
      const expected = signEventPayload(message.payload, prior, dates[i]!, context)
      const sent = message.headers[":chunk-signature"]
      expect(sent).toEqual({ type: "binary", value: expected.bytes })
      prior = expected.signature
    }
    // a tampered payload fails verification
    const tampered = signEventPayload(new Uint8Array([9]), seed, date, context)
    expect(decodeMessage(frames[0]!).headers[":chunk-signature"]).not.toEqual({
      type: "binary",
      value: tampered.bytes
    })
  })
})

describe("differential against @smithy/signature-v4 signMessage", () => {
  it("agrees on any payloads, dates and chains", async () => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: "AKID", secretAccessKey: context.secretAccessKey },
      region: context.region,
      service: context.service,
      sha256: Hash.bind(null, "sha256")
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 4_000_000_000_000 })), {
          minLength: 1,
          maxLength: 4
        }),
        async (events) => {
          const sign = eventSigningChain(context, seed)
          let prior = seed
          for (const [payload, ms] of events) {
            const when = new Date(ms)
            const ours = decodeMessage(sign(payload, when)).headers[":chunk-signature"]
            const theirs = await signer.signMessage(
              {
                message: { headers: { ":date": { type: "timestamp", value: when } }, body: payload },
                priorSignature: prior
              },
              { signingDate: when }
            )
            expect(ours).toEqual({
              type: "binary",
              value: new Uint8Array(Buffer.from(theirs.signature, "hex"))
            })
            prior = theirs.signature
          }
        }
      ),
      { numRuns: 50 }
    )
  })
})
