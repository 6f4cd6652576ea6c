/**
 * The error classes pass: one `ServiceError` class per modeled error, tagged with the error's
 * shape name and carrying its error shape (what the codec decodes its members from), its modeled
 * members as optional fields (those named like the fields every service error has are left to them).
 */
import type { ServiceErrorFields } from "../src/Request/Errors.js"
import type { Context } from "./Context.js"
import { errorNode } from "./ShapeGraph.js"
import { key } from "./Syntax.js"
import { tsType } from "./Types.js"

/** The fields every service error carries; tsc fails here when `ServiceErrorFields` changes. */
const serviceErrorFields: { readonly [K in keyof ServiceErrorFields]-?: true } = {
  message: true,
  code: true,
  statusCode: true,
  requestId: true,
  extendedRequestId: true,
  service: true,
  operation: true,
  classification: true
}

/** Fields every service error has (its own, `Error`'s and the tag); modeled members of the same name are left to them. */
const errorFieldNames = new Set([...Object.keys(serviceErrorFields), "name", "stack", "cause", "_tag"])

export const errorClasses = (ctx: Context): Array<string> =>
  ctx.source.errorNames.map((e) => {
    const members = Object.entries(ctx.source.errorShape(e).members ?? {}).filter(
      ([m]) => !errorFieldNames.has(m)
    )
    const fields = members.map(
      ([m, mref]) => `readonly ${key(m)}?: ${tsType(ctx, mref, `!error.${e}.${m}`, "overlay", "out")}`
    )
    return `export class ${ctx.names.errorClass.get(e)!} extends /*#__PURE__*/ ServiceError(${JSON.stringify(e)}, ${errorNode(ctx.graph, e).constName})${fields.length > 0 ? `<{ ${fields.join("; ")} }>` : ""} {}\n`
  })
