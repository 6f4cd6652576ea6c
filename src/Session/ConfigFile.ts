/**
 * The parser of the AWS shared config (`~/.aws/config`) and credentials (`~/.aws/credentials`)
 * files, following the rules every AWS SDK shares (the cross-SDK profile parser suite):
 *
 * - sections: `[profile x]` and `[default]` in the config file, bare `[x]` in the credentials
 *   file; `[sso-session x]` and `[services x]` in the config file; other sections, and sections
 *   or keys with characters outside `A-Za-z0-9 - _ / . % @ : +`, are ignored;
 * - `key = value` properties (keys case-insensitive, values trimmed), continuation lines
 *   (indented) appended with a newline, and sub-property blocks (`s3 =` then indented
 *   `key = value` lines);
 * - comments: whole lines starting with `#` or `;`; after a section header anywhere; after a
 *   value only when preceded by whitespace (`value;x` keeps the `;`); none in continuations;
 * - duplicates: a repeated section merges, a repeated key keeps the last value; `[profile default]`
 *   hides `[default]` in the config file; the credentials file wins over the config file key by key.
 *
 * Files that break the syntax fail with a {@link ConfigFileError} naming the file, the line and
 * the problem.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import {
  asciiLowerCase,
  type ProfileSet,
  Section,
  type SectionKind,
  stripInlineComment,
  trimBlanks
} from "./ProfileSet.js"

/** Which of the two files a text is: they name their profiles differently. */
export type FileKind = "config" | "credentials"

/** The text of one file and the path to name in errors. */
export interface FileText {
  readonly path: string
  readonly contents: string
}

/**
 * A shared config or credentials file that does not follow the format: the file, the 1-based
 * line and what is wrong there.
 */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly path: string
  readonly line: number
  readonly problem: string
}> {
  override get message(): string {
    return `error parsing ${this.path} on line ${this.line}: ${this.problem}`
  }
}

/** One `[...]` section as written, before names are interpreted. */
interface RawSection {
  /** The text between the brackets, trimmed. */
  readonly header: string
  readonly properties: Map<string, string>
}

const isBlank = (line: string): boolean => trimBlanks(line) === ""

/** Splits `key = value` (comments removed); the error names the kind of property. */
const splitProperty = (
  line: string,
  what: "property" | "sub-property"
): Either.Either<readonly [string, string], string> => {
  const text = stripInlineComment(line)
  const eq = text.indexOf("=")
  if (eq < 0) return Either.left(`Expected an '=' sign defining a ${what}`)
  const key = trimBlanks(text.slice(0, eq))
  if (key === "")
    return Either.left(`${what === "property" ? "Property" : "Sub-property"} did not have a name`)
  return Either.right([asciiLowerCase(key), trimBlanks(text.slice(eq + 1))] as const)
}

/** Cuts a section header line at the first comment character, wherever it is. */
const stripHeaderComment = (line: string): string => {
  const hash = line.indexOf("#")
  const semi = line.indexOf(";")
  const cut = hash < 0 ? semi : semi < 0 ? hash : Math.min(hash, semi)
  return trimBlanks(cut < 0 ? line : line.slice(0, cut))
}

/**
 * Reads one file into its sections in order of appearance, checking the syntax only. Names and
 * keys are interpreted later, so that an ignored section still has to be well formed.
 */
const parseSections = (file: FileText): Either.Either<ReadonlyArray<RawSection>, ConfigFileError> => {
  const sections: Array<RawSection> = []
  let current: RawSection | undefined
  let property: { readonly key: string; readonly isBlock: boolean } | undefined
  const text = file.contents.startsWith("\uFEFF") ? file.contents.slice(1) : file.contents
  const lines = text.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    const fail = (problem: string) =>
      Either.left(new ConfigFileError({ path: file.path, line: index + 1, problem }))
    if (isBlank(line) || line.startsWith("#") || line.startsWith(";")) continue
    if (line.startsWith("[")) {
      const header = stripHeaderComment(line)
      if (!header.endsWith("]")) return fail("Profile definition must end with ']'")
      current = { header: trimBlanks(header.slice(1, -1)), properties: new Map() }
      sections.push(current)
      property = undefined
    } else if (line.startsWith(" ") || line.startsWith("\t")) {
      if (current === undefined) return fail("Expected a profile definition")
      if (property === undefined) return fail("Expected a property definition, found continuation")
      if (property.isBlock) {
        const sub = splitProperty(line, "sub-property")
        if (Either.isLeft(sub)) return fail(sub.left)
      }
      current.properties.set(
        property.key,
        `${current.properties.get(property.key) ?? ""}\n${trimBlanks(line)}`
      )
    } else {
      if (current === undefined) return fail("Expected a profile definition")
      const parsed = splitProperty(line, "property")
      if (Either.isLeft(parsed)) return fail(parsed.left)
      const [key, value] = parsed.right
      current.properties.set(key, value)
      property = { key, isBlock: value === "" }
    }
  }
  return Either.right(sections)
}

const identifier = /^[A-Za-z0-9_\-/.%@:+]+$/

/** True for the names and keys the format accepts: `A-Za-z0-9` and `- _ / . % @ : +`. */
export const isValidIdentifier = (name: string): boolean => identifier.test(name)

/** `prefix` followed by at least one space or tab, then the (trimmed) name. */
const afterPrefix = (header: string, prefix: string): string | undefined => {
  if (!header.startsWith(prefix)) return undefined
  const rest = header.slice(prefix.length)
  return rest.startsWith(" ") || rest.startsWith("\t") ? trimBlanks(rest) : undefined
}

interface Classified {
  readonly kind: SectionKind
  readonly name: string
  /** `[default]` in the config file: hidden by any `[profile default]` of the same file. */
  readonly bareDefault: boolean
}

const classify = (header: string, kind: FileKind): Classified | undefined => {
  let out: Classified | undefined
  if (kind === "credentials") {
    out = { kind: "profile", name: header, bareDefault: false }
  } else if (header === "default") {
    out = { kind: "profile", name: "default", bareDefault: true }
  } else {
    for (const [prefix, sectionKind] of [
      ["profile", "profile"],
      ["sso-session", "sso-session"],
      ["services", "services"]
    ] as const) {
      const name = afterPrefix(header, prefix)
      if (name !== undefined) {
        out = { kind: sectionKind, name, bareDefault: false }
        break
      }
    }
  }
  return out !== undefined && isValidIdentifier(out.name) ? out : undefined
}

type Sections = Map<string, Map<string, string>>

interface Builder {
  readonly profile: Sections
  readonly "sso-session": Sections
  readonly services: Sections
}

const mergeFile = (into: Builder, sections: ReadonlyArray<RawSection>, kind: FileKind): void => {
  const classified = sections.map((s) => [s, classify(s.header, kind)] as const)
  const hasPrefixedDefault = classified.some(
    ([, c]) => c !== undefined && c.kind === "profile" && c.name === "default" && !c.bareDefault
  )
  for (const [section, c] of classified) {
    if (c === undefined || (c.bareDefault && hasPrefixedDefault)) continue
    const target = into[c.kind]
    let props = target.get(c.name)
    if (props === undefined) {
      props = new Map()
      target.set(c.name, props)
    }
    for (const [key, value] of section.properties) {
      if (isValidIdentifier(key)) props.set(key, value)
    }
  }
}

const freeze = (kind: SectionKind, sections: Sections): ReadonlyMap<string, Section> =>
  new Map([...sections].map(([name, props]) => [name, new Section(kind, name, props)]))

/**
 * Parses the shared config file and the shared credentials file (either may be absent) into one
 * {@link ProfileSet}: pure, no I/O.
 *
 * @example
 * ```ts
 * const set = ConfigFile.parse({
 *   config: { path: "~/.aws/config", contents: "[profile dev]\nregion = eu-west-1" },
 *   credentials: { path: "~/.aws/credentials", contents: "[dev]\naws_access_key_id = AKID" }
 * })
 * // Either.right: set.profiles.get("dev")?.get("region") === "eu-west-1"
 * ```
 */
export const parse = (files: {
  readonly config?: FileText | undefined
  readonly credentials?: FileText | undefined
}): Either.Either<ProfileSet, ConfigFileError> => {
  const builder: Builder = { profile: new Map(), "sso-session": new Map(), services: new Map() }
  for (const kind of ["config", "credentials"] as const) {
    const file = files[kind]
    if (file === undefined) continue
    const sections = parseSections(file)
    if (Either.isLeft(sections)) return Either.left(sections.left)
    mergeFile(builder, sections.right, kind)
  }
  return Either.right({
    profiles: freeze("profile", builder.profile),
    ssoSessions: freeze("sso-session", builder["sso-session"]),
    services: freeze("services", builder.services)
  })
}
