/**
 * Which members carry a raw body stream instead of a decoded value: a streaming blob payload (S3's
 * `Body`) and an event stream. The pipeline asks `streamingOutputMember` to know whether to keep
 * a response body as a stream (and passes it to `deserialize` as `streamingBody`) or to read it
 * whole first.
 *
 * @since 0.1.0
 */
import { memoize } from "./Memo.js"
import { type MemberRef, type StructureShape, traitOf } from "./Shape.js"

/** Whether a member is an event stream. */
const isEventStream = (ref: MemberRef): boolean =>
  ref.shape.type === "structure" && ref.shape.eventstream === true

/** Whether a member's value is a body stream: a streaming blob or an event stream. */
export const isStreamingMember = (ref: MemberRef): boolean =>
  (ref.shape.type === "blob" && traitOf(ref, "streaming") === true) || isEventStream(ref)

/**
 * The output member that receives the response body stream: the payload member when it streams,
 * else an event stream member (the json protocol has no payload trait); undefined when the whole
 * body is decoded.
 */
export const streamingOutputMember: (shape: StructureShape) => string | undefined = memoize((shape) => {
  if (shape.payload !== undefined) {
    const payload = shape.members[shape.payload]
    return payload !== undefined && isStreamingMember(payload) ? shape.payload : undefined
  }
  return Object.entries(shape.members).find(([, ref]) => isEventStream(ref))?.[0]
})
