/**
 * Soak of request bodies and credentials: 2,000 S3 PutObject calls at concurrency 32 through one
 * Node transport, with bodies of every kind (a string, bytes, an Effect `Stream` with and without
 * its length, a Node `Readable` made a `Stream`, a file read as a `Stream`, a stream marked
 * `Body.replayable`), against a fault server that answers 10% of the requests (seeded) with a
 * fault, signed with credentials that live 1.5 s and whose refresh hangs one time in three.
 *
 * Every call ends in a success or a typed error (no defect, no hang: the run is bounded); every
 * body that reached the server whole is exactly the body the call was given (a retry never sends
 * an empty, short or repeated body); and no socket stays busy or open.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Cache from "../../src/Credentials/Cache.js"
import * as Credentials from "../../src/Credentials/Credentials.js"
import * as Body from "../../src/Request/Body.js"
import * as S3 from "../../src/Services/S3/index.js"
import * as FaultServer from "../support/FaultServer.js"
import { seeded } from "../support/Random.js"
import { ACCESS_KEY, clients, SECRET, TOKEN } from "./Harness.js"

const SEED = 0xb0d1
const CALLS = 2_000
const CONCURRENCY = 32
const FAULT_RATE = 0.1

const XML = { "content-type": "application/xml" }
const s3Error = (status: number, code: string): FaultServer.Reply => ({
  status,
  headers: XML,
  body: `<Error><Code>${code}</Code><Message>injected</Message></Error>`
})

const faults: ReadonlyArray<readonly [string, FaultServer.Reply]> = [
  ["500 InternalError", s3Error(500, "InternalError")],
  ["503 SlowDown", s3Error(503, "SlowDown")],
  ["reset before headers", { reset: "beforeHeaders" }],
  ["reset mid-headers", { status: 200, reset: "midHeaders" }],
  ["stalled body", { status: 200, body: "x".repeat(100), stallBody: true }],
  ["no response", { status: 200, delayMs: 2_000 }]
]

const typedErrors = new Set([
  "InternalError",
  "SlowDown",
  "NetworkError",
  "RequestTimeout",
  "BodyNotReplayable",
  "CredentialsError",
  "SerializationError"
])

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "soak-bodies-"))

/** The body of call `i`: its text, and the body kind that carries it. */
const bodyOf = (
  i: number
): { readonly text: string; readonly kind: string; readonly input: Partial<S3.PutObjectRequest> } => {
  const text = `body of call ${i}: ${"é".repeat(i % 50)}${"z".repeat((i * 37) % 3000)}`
  const bytes = Buffer.from(text)
  const half = Math.floor(bytes.length / 2)
  switch (i % 7) {
    case 0:
      return { text, kind: "string", input: { Body: text } }
    case 1:
      return { text, kind: "bytes", input: { Body: new Uint8Array(bytes), ContentLength: bytes.length } }
    case 2:
      return {
        text,
        kind: "stream",
        input: {
          Body: Stream.make(bytes.subarray(0, half), bytes.subarray(half)),
          ContentLength: bytes.length
        }
      }
    case 3:
      return {
        text,
        kind: "stream without length",
        input: { Body: Stream.make(bytes.subarray(0, half), bytes.subarray(half)) }
      }
    case 4:
      return {
        text,
        kind: "readable",
        input: {
          Body: Stream.fromAsyncIterable(
            Readable.from([bytes.subarray(0, half), bytes.subarray(half)]),
            (e) => e
          ),
          ContentLength: bytes.length
        }
      }
    case 5: {
      const file = path.join(dir, `b${i}`)
      fs.writeFileSync(file, bytes)
      return {
        text,
        kind: "file",
        input: {
          Body: Stream.fromAsyncIterable(fs.createReadStream(file, { highWaterMark: 1024 }), (e) => e)
        }
      }
    }
    default:
      return {
        text,
        kind: "replayable",
        input: {
          Body: Body.replayable(
            Stream.suspend(() => Stream.make(bytes.subarray(0, half), bytes.subarray(half)))
          ),
          ContentLength: bytes.length
        }
      }
  }
}

/** Credentials that live 1.5 s, from a source whose every third fetch never answers. */
const flakyCredentials = (counter: { fetches: number; hung: number }) =>
  Cache.make(
    Credentials.fromEffect(
      Effect.suspend(() => {
        counter.fetches++
        if (counter.fetches % 3 === 0) {
          counter.hung++
          return Effect.never
        }
        return Effect.map(Clock.currentTimeMillis, (now) =>
          Credentials.make({
            accessKeyId: ACCESS_KEY,
            secretAccessKey: SECRET,
            sessionToken: TOKEN,
            expiration: new Date(now + 1_500)
          })
        )
      })
    ),
    { refreshWindow: "1 second", jitter: 0, refreshTimeout: "200 millis", retryAfterFailure: "50 millis" }
  )

describe("soak of request bodies", () => {
  it.live(`${CALLS} uploads of every body kind, ${FAULT_RATE * 100}% faults, a refresh that hangs`, () =>
    Effect.gen(function* () {
      const server = yield* FaultServer.scoped
      const random = seeded(SEED)
      const injected = new Map<string, number>()
      server.scriptWith(() => {
        if (random() >= FAULT_RATE) return { status: 200, headers: { etag: '"e"' } }
        const [name, reply] = faults[Math.floor(random() * faults.length)]!
        injected.set(name, (injected.get(name) ?? 0) + 1)
        return reply
      })
      const counter = { fetches: 0, hung: 0 }
      const outcomes = new Map<string, number>()
      const defects: Array<string> = []
      const expected = new Map<string, string>()
      const run = Effect.forEach(
        Array.from({ length: CALLS }, (_, i) => i),
        (i) => {
          const { text, kind, input } = bodyOf(i)
          expected.set(`/bucket/k${i}`, text)
          return Effect.map(
            Effect.exit(S3.putObject({ Bucket: "bucket", Key: `k${i}`, ...input })),
            (exit) => {
              let key = `${kind}: success`
              if (Exit.isFailure(exit)) {
                const failure = Cause.failureOption(exit.cause)
                if (Option.isSome(failure)) key = failure.value._tag
                else {
                  key = "DEFECT"
                  if (defects.length < 5) defects.push(Cause.pretty(exit.cause))
                }
              }
              outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
            }
          )
        },
        { concurrency: CONCURRENCY, discard: true }
      )
      const busy = yield* Effect.scoped(
        Effect.gen(function* () {
          const credentials = yield* flakyCredentials(counter)
          const context = yield* Layer.build(
            clients({ endpoint: server.url, idleTimeoutMs: 1_000, credentials })
          )
          yield* Effect.provide(run, context)
          return yield* Effect.promise(() => server.waitForIdle())
        })
      ).pipe(
        Effect.timeoutFail({
          duration: "50 seconds",
          onTimeout: () => new Error("the soak did not finish within 50 s: some call hangs")
        })
      )
      const open = yield* Effect.promise(() => server.waitForSocketsClosed())
      console.log(
        [
          `soak of bodies: ${CALLS} calls, concurrency ${CONCURRENCY}, seed ${SEED}, ${server.requestCount()} requests in all`,
          `  faults injected: ${JSON.stringify(Object.fromEntries(injected))}`,
          `  credential fetches: ${counter.fetches}, of which hung: ${counter.hung}`,
          `  outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`,
          `  sockets: ${busy} busy after the run, ${open} open after the scope closed`
        ].join("\n")
      )

      expect(defects, defects.join("\n")).toEqual([])
      let ended = 0
      let successes = 0
      for (const [key, n] of outcomes) {
        ended += n
        if (key.endsWith(": success")) successes += n
        else expect(typedErrors, `unexpected outcome ${key}`).toContain(key)
      }
      expect(ended).toBe(CALLS)
      expect(successes).toBeGreaterThan(CALLS * 0.85)
      expect(counter.hung).toBeGreaterThan(0)
      // every body that arrived whole is the body of its call, retries included
      for (const received of server.received) {
        expect(received.body.toString(), received.url).toBe(expected.get(received.url))
      }
      expect(busy).toBe(0)
      expect(open).toBe(0)
    }).pipe(Effect.scoped)
  )
})
