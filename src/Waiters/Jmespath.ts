/**
 * JMESPath for waiter acceptors and paginator tokens (`NextMarker || Contents[-1].Key`), through the
 * `jmespath` package (22 KB minified against 31 KB for `@jmespath-community/jmespath`; both pass all
 * 851 cases of the compliance suite, see `test/conformance/runners/jmespath.ts`).
 *
 * Generated clients import `search` only from the paginators and waiters that need an expression,
 * so a program that uses neither bundles none of it.
 *
 * @since 0.1.0
 */
import jmespath from "jmespath"

/** Evaluates a JMESPath expression against decoded data (an operation's output). */
export const search = (expression: string, data: unknown): unknown =>
  jmespath.search(data as Parameters<typeof jmespath.search>[0], expression) as unknown
