/**
 * Sending a streamed request body again on a retry.
 *
 * A stream may be readable only once (a Node `Readable` made a `Stream`, an async iterable): run
 * again, it yields nothing, and a retry would send an empty or short body while the call succeeds.
 * So the first attempt keeps the chunks it sent (references, not copies), up to a bound; a retry
 * sends exactly those. A body longer than the bound, or one the attempt did not read to its end,
 * cannot be sent again: the call is not retried, and fails with `BodyNotReplayable`. A stream
 * marked `Body.replayable` is run again instead, at any size. Byte bodies are always replayable.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BodyNotReplayable } from "./Errors.js"
import type { HttpRequest, StreamBody } from "./Transport.js"

export interface BodyReplay {
  /** The request of an attempt: the caller's stream until it was run, then what that run kept. */
  readonly forAttempt: (request: HttpRequest) => HttpRequest
  /** Why the body cannot be sent again, or undefined when it can. */
  readonly refusal: (
    operation: string,
    failure: { readonly _tag: string; readonly message: string }
  ) => BodyNotReplayable | undefined
}

/** The replay of a request's body, or undefined when it needs none (bytes, or a replayable stream). */
export const make = (request: HttpRequest, limitBytes: number): BodyReplay | undefined => {
  const body = request.body
  if (body === undefined || body instanceof Uint8Array || body.replayable === true) return undefined
  let kept: Array<Uint8Array> | undefined = []
  let size = 0
  let started = false
  let ended = false
  const recording: StreamBody = {
    ...body,
    stream: Stream.suspend(() => {
      started = true
      return Stream.concat(
        Stream.mapChunks(body.stream, (chunk) => {
          if (kept !== undefined) {
            for (const c of chunk) {
              size += c.length
              kept.push(c)
            }
            if (size > limitBytes) kept = undefined
          }
          return chunk
        }),
        Stream.execute(
          Effect.sync(() => {
            ended = true
          })
        )
      )
    })
  }
  const canReplay = () => kept !== undefined && ended
  return {
    forAttempt: (request) =>
      !started || kept === undefined || !ended
        ? { ...request, body: recording }
        : { ...request, body: { ...body, stream: Stream.fromChunk(Chunk.unsafeFromArray(kept)) } },
    refusal: (operation, failure) => {
      if (!started || canReplay()) return undefined
      const why =
        kept === undefined
          ? `more than the ${limitBytes} bytes kept for a retry (replayBufferBytes) were sent`
          : "the attempt did not read it to its end"
      return new BodyNotReplayable({
        message:
          `${operation} was not retried after ${failure._tag} (${failure.message}): its request body is a stream ` +
          `that may be readable only once, and ${why}. Pass the body as bytes, mark a stream that can be run ` +
          `again with Body.replayable, or raise replayBufferBytes`,
        operation,
        cause: failure
      })
    }
  }
}
