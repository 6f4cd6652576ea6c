/**
 * The waiters pass: one `Waiter.make` per waiter of the model, over the operation's value, with
 * its delay, attempts and acceptors as the model has them.
 */
import type { Context } from "./Context.js"
import type { AcceptorJson } from "./Models.js"
import { literal } from "./Syntax.js"
import { ioType } from "./Types.js"

export interface WaitersOut {
  readonly waiters: ReadonlyArray<string>
  /** Some acceptor matches a path (the module imports `search`). */
  readonly usesSearch: boolean
}

export const waiters = (ctx: Context): WaitersOut => {
  const { source, names } = ctx
  const lines: Array<string> = []
  let usesSearch = false
  for (const [wname, w] of source.waiters) {
    const acceptors = w.acceptors.map((a: AcceptorJson) => {
      const out: Record<string, unknown> = { state: a.state, matcher: a.matcher }
      if (a.argument !== undefined) out.argument = a.argument
      out.expected = a.expected
      return out
    })
    const needsSearch = acceptors.some(
      (a) => a.matcher === "path" || a.matcher === "pathAll" || a.matcher === "pathAny"
    )
    if (needsSearch) usesSearch = true
    const spec = literal({ delay: w.delay, maxAttempts: w.maxAttempts, acceptors }).slice(0, -1)
    const input = ioType(ctx, source.operation(w.operation), "input")
    lines.push(
      `export const ${names.waiter.get(wname)!}: Waiter.Waiter<${input}, ${names.errorUnion.get(w.operation)!}, ${source.service.className}> = /*#__PURE__*/ Waiter.make(${names.operation.get(w.operation)!}, ${spec}${needsSearch ? ",search" : ""}})\n`
    )
  }
  return { waiters: lines, usesSearch }
}
