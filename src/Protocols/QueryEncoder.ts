/**
 * Shape-directed writer of query-protocol parameters (`Name.member.1=...`), shared by query and
 * ec2, which differ only in how they name things (`QueryStyle`):
 * - query: members by `locationName` or name; lists `Name.member.N` (the item's `locationName`
 *   replaces `member`), flattened `Name.N`; an empty list is sent as `Name=`; maps
 *   `Name.entry.N.key` / `.value` (flattened `Name.N.key`);
 * - ec2: members by `queryName`, else the capitalised `locationName` or name; lists always
 *   `Name.N`; an empty list is left out.
 *
 * Timestamps default to date-time, blobs are base64. The result is ordered pairs; the protocol
 * form-encodes them.
 *
 * @since 0.1.0
 */
import { memoizeCompiler } from "./Memo.js"
import { rethrowAt } from "./Protocol.js"
import { toTextOf } from "./Scalar.js"
import {
  type ListShape,
  type MapShape,
  type MemberRef,
  type Shape,
  type StructureShape,
  traitOf
} from "./Shape.js"
import { isRecord, mismatch } from "./Values.js"

/** Appends the parameters of `value` under `prefix` to `out`. */
export type QueryWrite = (value: unknown, prefix: string, out: Array<readonly [string, string]>) => void

/** How a query dialect names members and lists. */
export interface QueryStyle {
  /** The parameter name of a structure member. */
  readonly memberName: (name: string, ref: MemberRef) => string
  /** The prefix of the items of a list under `prefix`. */
  readonly listPrefix: (shape: ListShape, ref: MemberRef | undefined, prefix: string) => string
  /** Whether an empty list is sent (as `Name=`). */
  readonly sendEmptyList: boolean
}

/** The awsQuery dialect (STS, SNS, IAM, SQS's old protocol, ...). */
export const queryStyle: QueryStyle = {
  memberName: (name, ref) => ref.locationName ?? name,
  listPrefix: (shape, ref, prefix) => {
    const itemName = shape.member.locationName
    if (!(ref !== undefined ? traitOf(ref, "flattened") : shape.flattened))
      return `${prefix}.${itemName ?? "member"}`
    if (itemName === undefined || ref?.locationName !== undefined) return prefix
    // a flattened list's item name replaces the member's own name, unless the member renames itself
    const dot = prefix.lastIndexOf(".")
    return dot === -1 ? itemName : `${prefix.slice(0, dot + 1)}${itemName}`
  },
  sendEmptyList: true
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** The EC2 dialect. */
export const ec2Style: QueryStyle = {
  memberName: (name, ref) => ref.queryName ?? capitalize(ref.locationName ?? name),
  listPrefix: (_shape, _ref, prefix) => prefix,
  sendEmptyList: false
}

/** The compiled writers of one dialect. */
export const queryWriterFor = (style: QueryStyle): ((shape: Shape) => QueryWrite) => {
  const writerOf: (shape: Shape) => QueryWrite = memoizeCompiler((shape: Shape) => compile(shape))

  /** A member's writer; lists need the reference (it may say `flattened`). */
  const refWriter = (ref: MemberRef): QueryWrite => {
    const shape = ref.shape
    if (shape.type === "list") return listWriter(shape, ref)
    if (shape.type === "map") return mapWriter(shape, ref)
    if (shape.type === "timestamp" && ref.timestampFormat !== undefined) return scalarWriter(ref)
    if (ref.jsonvalue === true) return scalarWriter(ref)
    return writerOf(shape)
  }

  const scalarWriter = (ref: MemberRef): QueryWrite => {
    const text = toTextOf(ref, "iso8601")
    return (value, prefix, out) => {
      out.push([prefix, text(value)])
    }
  }

  const structureWriter = (shape: StructureShape): QueryWrite => {
    const members = Object.entries(shape.members).map(([name, ref]) => ({
      name,
      key: style.memberName(name, ref),
      write: refWriter(ref)
    }))
    return (value, prefix, out) => {
      if (!isRecord(value)) return mismatch("an object", value)
      let current = ""
      try {
        for (const member of members) {
          const v = value[member.name]
          if (v === undefined || v === null) continue
          current = member.name
          member.write(v, prefix === "" ? member.key : `${prefix}.${member.key}`, out)
        }
      } catch (e) {
        rethrowAt(e, current)
      }
    }
  }

  const listWriter = (shape: ListShape, ref: MemberRef | undefined): QueryWrite => {
    const write = refWriter(shape.member)
    return (value, prefix, out) => {
      if (!Array.isArray(value)) return mismatch("an array", value)
      if (value.length === 0) {
        if (style.sendEmptyList) out.push([prefix, ""])
        return
      }
      const itemPrefix = style.listPrefix(shape, ref, prefix)
      let i = 0
      try {
        for (; i < value.length; i++) {
          const item: unknown = value[i]
          if (item !== undefined && item !== null) write(item, `${itemPrefix}.${i + 1}`, out)
        }
      } catch (e) {
        rethrowAt(e, `[${i}]`)
      }
    }
  }

  const mapWriter = (shape: MapShape, ref: MemberRef | undefined): QueryWrite => {
    const flattened = ref !== undefined ? traitOf(ref, "flattened") : shape.flattened
    const keyName = shape.key.locationName ?? "key"
    const valueName = shape.value.locationName ?? "value"
    const writeKey = refWriter(shape.key)
    const writeValue = refWriter(shape.value)
    return (value, prefix, out) => {
      if (!isRecord(value)) return mismatch("an object", value)
      const entryPrefix = flattened ? prefix : `${prefix}.entry`
      let i = 0
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined || item === null) continue
        i++
        try {
          writeKey(key, `${entryPrefix}.${i}.${keyName}`, out)
          writeValue(item, `${entryPrefix}.${i}.${valueName}`, out)
        } catch (e) {
          rethrowAt(e, `[${JSON.stringify(key)}]`)
        }
      }
    }
  }

  const compile = (shape: Shape): QueryWrite => {
    switch (shape.type) {
      case "structure":
        return structureWriter(shape)
      case "list":
        return listWriter(shape, undefined)
      case "map":
        return mapWriter(shape, undefined)
      default:
        return scalarWriter({ shape })
    }
  }

  return writerOf
}
