import { createHash } from 'node:crypto'

/**
 * The automatic code version: a hash of the compute function's source text.
 * Whitespace runs are folded so re-indenting a file does not make assets stale.
 */
export function codeVersionOf(fn: (...args: never[]) => unknown): string {
  const source = Function.prototype.toString.call(fn).replace(/\s+/g, ' ').trim()
  return createHash('sha256').update(source).digest('hex').slice(0, 16)
}
