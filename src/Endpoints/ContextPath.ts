/**
 * The paths of Smithy's `operationContextParams`: which part of an operation's input feeds an
 * endpoint parameter (DynamoDB's `ResourceArnList` is `keys(RequestItems)`). They are JMESPath,
 * restricted by Smithy to field paths (`A.B`), wildcard projections (`A[*].B`), multi-select lists
 * (`[A.B, C.D]`), flatten (`[]`) and `keys()`; that subset is all this module reads. Projections
 * drop what comes out null, as in JMESPath. Only own properties of the input are read.
 *
 * @since 0.1.0
 */

type Step =
  | { readonly _tag: "Field"; readonly name: string }
  | { readonly _tag: "Keys"; readonly of: ReadonlyArray<Step> }
  | { readonly _tag: "MultiSelect"; readonly items: ReadonlyArray<ReadonlyArray<Step>> }
  | { readonly _tag: "Project" }
  | { readonly _tag: "Flatten" }

/** A parsed path. */
export interface ContextPath {
  readonly source: string
  readonly steps: ReadonlyArray<Step>
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/

/**
 * Parses a path of the subset, or throws naming the path and the position (the paths come from
 * the generated code, so a failure is a generator bug, not bad input).
 */
export const parse = (source: string): ContextPath => {
  let at = 0
  const fail = (what: string): never => {
    throw new Error(`operationContextParams path ${JSON.stringify(source)}: ${what} at ${at}`)
  }
  const skipSpaces = () => {
    while (source[at] === " ") at++
  }
  const term = (): ReadonlyArray<Step> => {
    skipSpaces()
    if (source.startsWith("keys(", at)) {
      at += 5
      const of = expression()
      skipSpaces()
      if (source[at] !== ")") fail("expected )")
      at++
      return [{ _tag: "Keys", of }]
    }
    if (source[at] === "[") {
      at++
      const items: Array<ReadonlyArray<Step>> = [expression()]
      skipSpaces()
      while (source[at] === ",") {
        at++
        items.push(expression())
        skipSpaces()
      }
      if (source[at] !== "]") fail("expected ]")
      at++
      return [{ _tag: "MultiSelect", items }]
    }
    const name = IDENTIFIER.exec(source.slice(at))?.[0]
    if (name === undefined) return fail("expected a field name, keys( or [")
    at += name.length
    return [{ _tag: "Field", name }]
  }
  const expression = (): ReadonlyArray<Step> => {
    const steps = [...term()]
    for (;;) {
      if (source.startsWith("[*]", at)) {
        at += 3
        steps.push({ _tag: "Project" })
      } else if (source.startsWith("[]", at)) {
        at += 2
        steps.push({ _tag: "Flatten" })
      } else if (source[at] === ".") {
        at++
        steps.push(...term())
      } else {
        return steps
      }
    }
  }
  const steps = expression()
  skipSpaces()
  if (at !== source.length) fail("unexpected text")
  return { source, steps }
}

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Where the projection starting after `from` ends: at the next flatten, which ends it. */
const projectionEnd = (steps: ReadonlyArray<Step>, from: number): number => {
  for (let i = from; i < steps.length; i++) if (steps[i]!._tag === "Flatten") return i
  return steps.length
}

const run = (steps: ReadonlyArray<Step>, from: number, to: number, value: unknown): unknown => {
  let current = value
  for (let i = from; i < to; i++) {
    if (current === undefined || current === null) return undefined
    const step = steps[i]!
    switch (step._tag) {
      case "Field":
        current = isObject(current) && Object.hasOwn(current, step.name) ? current[step.name] : undefined
        break
      case "Keys": {
        const of = run(step.of, 0, step.of.length, current)
        current = isObject(of) ? Object.keys(of) : undefined
        break
      }
      case "MultiSelect":
        current = step.items.map((item) => run(item, 0, item.length, current) ?? null)
        break
      case "Project":
      case "Flatten": {
        // `[*]` applies what follows, up to a flatten, to each element; `[]` flattens what came
        // before and starts a new projection. Both drop what comes out null.
        if (!Array.isArray(current)) return undefined
        const elements = step._tag === "Flatten" ? current.flat() : current
        const end = Math.min(projectionEnd(steps, i + 1), to)
        const out: Array<unknown> = []
        for (const element of elements) {
          const result = run(steps, i + 1, end, element)
          if (result !== undefined && result !== null) out.push(result)
        }
        current = out
        i = end - 1
        break
      }
    }
  }
  return current
}

/** The value the path selects from `input` (`undefined` where nothing is there). */
export const evaluate = (path: ContextPath, input: unknown): unknown =>
  run(path.steps, 0, path.steps.length, input)
