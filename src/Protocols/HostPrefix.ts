/**
 * The `endpoint.hostPrefix` of an operation (`{AccountId}.data.`), with its labels filled from the
 * input's `hostLabel` members. Every protocol uses it; the pipeline prepends the result to the
 * resolved endpoint's host.
 *
 * @since 0.1.0
 */
import { memoize } from "./Memo.js"
import { ProtocolError } from "./Protocol.js"
import type { OperationModel } from "./Shape.js"

/** Resolves the host prefix from the input; `undefined` when the operation has none. */
export type HostPrefix = (input: Readonly<Record<string, unknown>>) => string | undefined

/** A DNS label (RFC 1123): what a host label value may be, so it cannot redirect the request. */
const HOST_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

const labelValue = (input: Readonly<Record<string, unknown>>, name: string): string => {
  const value = input[name]
  if (typeof value !== "string" || value === "") {
    throw new ProtocolError("a host label must be a non-empty string", name)
  }
  if (!HOST_LABEL_RE.test(value)) {
    throw new ProtocolError(`not a valid host label: ${JSON.stringify(value)}`, name)
  }
  return value
}

const compile = (operation: OperationModel): HostPrefix => {
  const template = operation.endpoint?.hostPrefix
  if (template === undefined || template === "") return () => undefined
  // "{A}.data-{B}." -> ["", "A", ".data-", "B", "."]: odd indexes are labels
  const parts = template.split(/\{([^}]+)\}/)
  if (parts.length === 1) return () => template
  return (input) => parts.map((part, i) => (i % 2 === 0 ? part : labelValue(input, part))).join("")
}

/** The compiled host prefix of an operation, cached. */
export const hostPrefixOf: (operation: OperationModel) => HostPrefix = memoize(compile)
