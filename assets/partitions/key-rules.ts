/**
 * The characters no partition key may contain, whatever defines it (static
 * lists, dynamic keys added at run time, custom time-window formats): `|`
 * joins the parts of a multi-partition key, `,` separates keys in lists on
 * the command line (`--partitions a,b`), and line breaks or control characters
 * would break one-line output and logs. A key with one of them could be
 * stored but never addressed.
 */

export const FORBIDDEN_KEY_CHARACTERS = '"|", ",", line breaks or control characters'

export interface KeyProblem {
  /** The first offending character. */
  char: string
  /** Its position in the key (UTF-16 index). */
  index: number
  /** How to name it in a message: `"|"`, `a line break (\n)`, `control character U+0007`. */
  label: string
}

/** JSON.stringify, also escaping what it leaves raw (DEL, C1 controls, U+2028/9), so a key prints on one line. */
export function quoteKey(key: string): string {
  return JSON.stringify(key).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function label(char: string): string {
  if (char === '|' || char === ',') return `"${char}"`
  if (char === '\n' || char === '\r' || char === '\u2028' || char === '\u2029') return `a line break (${quoteKey(char).slice(1, -1)})`
  return `control character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
}

// C0 and C1 controls, DEL, the separators, and the Unicode line and paragraph separators.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f|,\u2028\u2029]/

/** The first character that keeps `key` from being a partition key, or undefined when there is none. */
export function partitionKeyProblem(key: string): KeyProblem | undefined {
  const m = FORBIDDEN.exec(key)
  if (!m) return undefined
  return { char: m[0], index: m.index, label: label(m[0]) }
}

/** `partition key "a,b" contains ","; keys must not contain …`, for messages. */
export function describeKeyProblem(key: string, problem: KeyProblem): string {
  return `partition key ${quoteKey(key)} contains ${problem.label}; keys must not contain ${FORBIDDEN_KEY_CHARACTERS}`
}
