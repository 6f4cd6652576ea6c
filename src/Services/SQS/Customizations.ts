/**
 * Hand-written SQS behaviour, wired into the generated client by the generator: the MD5 checks of
 * the Go SDK. SendMessage and SendMessageBatch compare the MD5 SQS computed of each body with
 * the body sent; ReceiveMessage compares each message's body with its MD5. A mismatch fails the
 * attempt with a retryable `NetworkError` (the message was damaged in transit).
 *
 * @since 0.1.0
 */
import { createHash } from "#runtime/Crypto"
import { hexEncode, utf8Encode } from "../../Protocols/Bytes.js"
import type * as Client from "../../Request/Client.js"

type Entry = Readonly<Record<string, unknown>>

const md5Hex = (text: string): string => {
  const md5 = createHash("md5")
  md5.update(utf8Encode(text))
  return hexEncode(md5.digest())
}

const mismatch = (what: string, expected: unknown, body: unknown): string | undefined =>
  typeof expected === "string" && typeof body === "string" && md5Hex(body) !== expected
    ? `the MD5 of ${what} is ${md5Hex(body)}, SQS computed ${expected}`
    : undefined

const entries = (value: unknown): ReadonlyArray<Entry> =>
  Array.isArray(value) ? (value as ReadonlyArray<Entry>) : []

const verifyOutput: NonNullable<Client.Customizations["verifyOutput"]> = (operation, output, input) => {
  switch (operation.name) {
    case "SendMessage":
      return mismatch("the message body", output.MD5OfMessageBody, input.MessageBody)
    case "SendMessageBatch": {
      const sent = new Map(entries(input.Entries).map((e) => [e.Id, e.MessageBody]))
      for (const entry of entries(output.Successful)) {
        const problem = mismatch(`message ${String(entry.Id)}`, entry.MD5OfMessageBody, sent.get(entry.Id))
        if (problem !== undefined) return problem
      }
      return undefined
    }
    case "ReceiveMessage":
      for (const message of entries(output.Messages)) {
        const problem = mismatch(`message ${String(message.MessageId)}`, message.MD5OfBody, message.Body)
        if (problem !== undefined) return problem
      }
      return undefined
    default:
      return undefined
  }
}

export const customizations: Client.Customizations = { verifyOutput }
