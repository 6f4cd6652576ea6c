/**
 * The parsed contents of the shared config and credentials files: named profiles, `[sso-session x]`
 * sections and `[services x]` sections, each a {@link Section} of lower-cased property keys.
 *
 * A `ProfileSet` is plain data: it is produced by `ConfigFile.parse` and read through the typed
 * settings of `ProfileSettings`. Secret values (`aws_secret_access_key`, `aws_session_token`) are
 * kept as text here, so that the raw set stays a faithful picture of the files, but a `Section`
 * never prints them: `String`, `JSON.stringify`, `console.log` and Effect's logger all see
 * `<redacted>` in their place.
 *
 * @since 0.1.0
 */
import * as Inspectable from "effect/Inspectable"

/** The three kinds of section in the shared config files. */
export type SectionKind = "profile" | "sso-session" | "services"

/** Property keys whose values are secrets and are never shown when a section is printed. */
export const secretKeys: ReadonlySet<string> = new Set([
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token"
])

/** ASCII lower-casing, as the files' keys are compared (other characters are left alone). */
export const asciiLowerCase = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase())

/** Removes leading and trailing spaces and tabs (the only whitespace the file format knows). */
export const trimBlanks = (s: string): string => {
  let start = 0
  let end = s.length
  while (start < end && (s[start] === " " || s[start] === "\t")) start++
  while (end > start && (s[end - 1] === " " || s[end - 1] === "\t")) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

/**
 * Cuts an inline comment off a line: a `#` or `;` that follows a space or tab starts a comment
 * (`value;x` keeps its `;`, `value ;x` does not); the result is trimmed.
 */
export const stripInlineComment = (line: string): string => {
  const text = trimBlanks(line)
  for (let i = 1; i < text.length; i++) {
    const c = text[i]
    if ((c === "#" || c === ";") && (text[i - 1] === " " || text[i - 1] === "\t")) {
      return trimBlanks(text.slice(0, i))
    }
  }
  return text
}

/**
 * Parses a property's value as a block of sub-properties (`s3 =` followed by indented
 * `key = value` lines): keys lower-cased, values trimmed, inline comments removed, lines without
 * `=` skipped. Returns undefined when the value is not a sub-property block (its first line is
 * not empty).
 */
export const parseSubProperties = (value: string): ReadonlyMap<string, string> | undefined => {
  const lines = value.split("\n")
  if (lines[0] !== "") return undefined
  const out = new Map<string, string>()
  for (const raw of lines.slice(1)) {
    const line = stripInlineComment(raw)
    const eq = line.indexOf("=")
    if (eq <= 0) continue
    const key = asciiLowerCase(trimBlanks(line.slice(0, eq)))
    if (key === "") continue
    out.set(key, trimBlanks(line.slice(eq + 1)))
  }
  return out
}

const REDACTED = "<redacted>"

/**
 * One section of the files: a profile, an SSO session or a services block. Keys are lower-cased
 * (the files' keys are case-insensitive); names are case-sensitive.
 *
 * @example
 * ```ts
 * const region = section.get("region")                       // "us-west-2" | undefined
 * const style = section.subProperty("s3", "addressing_style") // from `s3 =\n  addressing_style = path`
 * ```
 */
export class Section implements Inspectable.Inspectable {
  constructor(
    /** What the section is: `[profile x]`/`[x]`, `[sso-session x]` or `[services x]`. */
    readonly kind: SectionKind,
    /** The section's name (`default`, `dev`, ...), case-sensitive. */
    readonly name: string,
    /** Every property, by lower-cased key. Sub-property blocks are kept as their raw text. */
    readonly properties: ReadonlyMap<string, string>
  ) {}

  /** The value of a property (key compared case-insensitively), or undefined. */
  get(key: string): string | undefined {
    return this.properties.get(asciiLowerCase(key))
  }

  /** The sub-properties of a property written as an indented block, or undefined. */
  subProperties(key: string): ReadonlyMap<string, string> | undefined {
    const value = this.get(key)
    return value === undefined ? undefined : parseSubProperties(value)
  }

  /** One sub-property (`s3` → `addressing_style`), or undefined. */
  subProperty(key: string, subKey: string): string | undefined {
    return this.subProperties(key)?.get(asciiLowerCase(subKey))
  }

  /** How error messages name this section: `profile "dev"`, `sso-session "corp"`, ... */
  describe(): string {
    return `${this.kind} ${JSON.stringify(this.name)}`
  }

  /** The properties as a plain record with secrets replaced by `<redacted>`. */
  toJSON(): unknown {
    const properties: Record<string, string> = {}
    for (const [key, value] of this.properties) {
      Object.defineProperty(properties, key, {
        value: secretKeys.has(key) ? REDACTED : value,
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return { _id: "Section", kind: this.kind, name: this.name, properties }
  }

  toString(): string {
    return Inspectable.format(this.toJSON())
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * Everything the shared config and credentials files define, after merging: profiles (from both
 * files, the credentials file winning key by key), SSO sessions and services sections (config
 * file only), each by name.
 */
export interface ProfileSet {
  readonly profiles: ReadonlyMap<string, Section>
  readonly ssoSessions: ReadonlyMap<string, Section>
  readonly services: ReadonlyMap<string, Section>
}

/** The set with nothing in it: what two missing files give. */
export const empty: ProfileSet = { profiles: new Map(), ssoSessions: new Map(), services: new Map() }

/** The `[sso-session x]` section a profile names with `sso_session`, if both exist. */
export const ssoSessionOf = (set: ProfileSet, profile: Section): Section | undefined => {
  const name = profile.get("sso_session")
  return name === undefined ? undefined : set.ssoSessions.get(name)
}

/** The `[services x]` section a profile names with `services`, if both exist. */
export const servicesOf = (set: ProfileSet, profile: Section): Section | undefined => {
  const name = profile.get("services")
  return name === undefined ? undefined : set.services.get(name)
}
