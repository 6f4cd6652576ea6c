/**
 * The XML error bodies of rest-xml, query and ec2:
 * `<ErrorResponse><Error><Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>`,
 * S3's bare `<Error><Code>..</Code>..<RequestId>..</RequestId></Error>`, and EC2's
 * `<Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>`.
 * The modeled members are read from the `<Error>` element.
 *
 * @since 0.1.0
 */
import type { ErrorBody } from "./ServiceError.js"
import { sanitizeErrorCode } from "./ServiceError.js"
import type { StructureShape } from "./Shape.js"
import { localName, type XmlElement } from "./Xml.js"
import { childNamed, parseXmlBody, xmlReader } from "./XmlDecoder.js"

const errorElementOf = (root: XmlElement): XmlElement => {
  if (localName(root.name) === "Error") return root
  const error = childNamed(root, "Error")
  if (error !== undefined) return error
  const errors = childNamed(root, "Errors")
  return (errors && childNamed(errors, "Error")) ?? root
}

const textOf = (element: XmlElement | undefined, ...names: ReadonlyArray<string>): string | undefined => {
  if (element === undefined) return undefined
  for (const name of names) {
    const child = childNamed(element, name)
    if (child !== undefined) return child.text
  }
  return undefined
}

const noMembers = (): Record<string, unknown> => ({})

/** Reads an XML error body (an empty body gives no code, so the status decides). */
export const readXmlError = (body: Uint8Array): ErrorBody => {
  const root = parseXmlBody(body)
  if (root === undefined)
    return { code: undefined, message: undefined, requestId: undefined, members: noMembers }
  const error = errorElementOf(root)
  const code = textOf(error, "Code")
  return {
    code: code === undefined || code.trim() === "" ? undefined : sanitizeErrorCode(code),
    message: textOf(error, "Message", "message"),
    requestId: textOf(root, "RequestId", "RequestID") ?? textOf(error, "RequestId", "RequestID"),
    members: (shape: StructureShape) => xmlReader(shape)(error) as Record<string, unknown>
  }
}
