/**
 * The rules engine's `parseURL`: an endpoint URL split into the parts rules template with.
 *
 * @since 0.1.0
 */

/** A parsed endpoint URL. */
export interface EndpointUrl {
  /** `http` or `https`. */
  readonly scheme: string
  /** Host and port exactly as given (`example.com:8443`, `[::1]:443`). */
  readonly authority: string
  /** The path as given (`""`, `"/"`, `"/prefix"`). */
  readonly path: string
  /** The path with a trailing `/` (`"/"` for an empty path). */
  readonly normalizedPath: string
  /** True for an IPv4 dotted quad or a bracketed IPv6 host. */
  readonly isIp: boolean
}

const shape = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)([?#][\s\S]*)?$/
const regName = /^[A-Za-z0-9._~!$&'()*+,;=%-]+$/
const ipv6 = /^\[[0-9A-Fa-f:.]+\]$/
const port = /^[0-9]{1,5}$/
const octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
const ipv4 = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`)

/** True for a dotted-quad IPv4 address (each part 0..255, no leading zeros). */
export const isIpv4 = (host: string): boolean => ipv4.test(host)

/**
 * Parses an `http`/`https` URL without query or fragment; `undefined` for anything else (another
 * scheme, a query string, user info, an empty or malformed host, a bad port).
 *
 * @example
 * ```ts
 * Endpoints.parseUrl("https://example.com:8443/prefix")
 * // { scheme: "https", authority: "example.com:8443", path: "/prefix", normalizedPath: "/prefix/", isIp: false }
 * ```
 */
export const parseUrl = (value: string): EndpointUrl | undefined => {
  const m = shape.exec(value)
  if (m === null || m[4] !== undefined) return undefined
  const scheme = m[1]!.toLowerCase()
  if (scheme !== "http" && scheme !== "https") return undefined
  const authority = m[2]!
  const path = m[3]!
  let host: string
  let portText: string | undefined
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]")
    if (close === -1) return undefined
    host = authority.slice(0, close + 1)
    const after = authority.slice(close + 1)
    if (after !== "") {
      if (!after.startsWith(":")) return undefined
      portText = after.slice(1)
    }
    if (!ipv6.test(host)) return undefined
  } else {
    const colon = authority.lastIndexOf(":")
    host = colon === -1 ? authority : authority.slice(0, colon)
    if (colon !== -1) portText = authority.slice(colon + 1)
    if (!regName.test(host)) return undefined
  }
  if (portText !== undefined && (!port.test(portText) || Number(portText) > 65_535)) return undefined
  return {
    scheme,
    authority,
    path,
    normalizedPath: path.endsWith("/") ? path : `${path}/`,
    isIp: host.startsWith("[") || isIpv4(host)
  }
}
