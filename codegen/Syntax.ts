/**
 * How the generated module spells things: identifiers from model names, property keys and
 * plain-data literals (no spaces), the form every pass writes shape constants and operation specs in.
 */

/** An identifier from a model name: `us-east` -> `Us_east`, `1x` -> `N1x`. */
export const pascal = (s: string): string => {
  const cleaned = s.replace(/[^A-Za-z0-9_]/g, "_")
  const p = cleaned.charAt(0).toUpperCase() + cleaned.slice(1)
  return /^[0-9]/.test(p) ? `N${p}` : p
}

const isIdentifier = (s: string) => /^[A-Za-z_$][\w$]*$/.test(s)

/** A property key: bare when it is an identifier, else quoted. */
export const key = (s: string): string => (isIdentifier(s) ? s : JSON.stringify(s))

/** A JS literal of plain data (no spaces). */
export const literal = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(literal).join(",")}]`
  if (v !== null && typeof v === "object")
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${key(k)}:${literal(x)}`)
      .join(",")}}`
  return JSON.stringify(v)
}

/** Sorts `[name, value]` entries by name (code-unit order, as the generator always has). */
export const byName = <A>(entries: ReadonlyArray<readonly [string, A]>): Array<readonly [string, A]> =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
