import { createHash } from 'node:crypto'

/**
 * The automatic code version of a compute function: a hash of its source
 * text, normalized so that comments and formatting never count. The engine
 * combines it with the code the function uses (see engine/versioning).
 */
export function codeVersionOf(fn: (...args: never[]) => unknown): string {
  return hashCode(normalizeTokens(jsTokens(Function.prototype.toString.call(fn))))
}

export const hashCode = (normalized: string): string => createHash('sha256').update(normalized).digest('hex').slice(0, 16)

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
]
// After these a `/` starts a regular expression, not a division.
const BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'])
const isIdStart = (c: string) => /[A-Za-z_$\u0080-\uffff\\#]/.test(c)
const isIdPart = (c: string) => /[\w$\u0080-\uffff\\]/.test(c)

function regexAllowed(prev: string | undefined): boolean {
  if (prev === undefined) return true
  if (BEFORE_REGEX.has(prev)) return true
  const last = prev[prev.length - 1]!
  if (isIdPart(last) || last === ')' || last === ']' || last === '"' || last === "'" || last === '`') return false
  return true
}

/**
 * The tokens of a JavaScript source text, without whitespace and comments.
 * A small lexer, not a parser: it knows strings, template literals (with
 * nested substitutions), regular expression literals and punctuators, which
 * is all normalization needs. Malformed input never throws; it just yields
 * tokens that hash consistently.
 */
export function jsTokens(src: string): string[] {
  const out: string[] = []
  // One entry per open `{` or template substitution: true when its `}` resumes a template.
  const braces: boolean[] = []
  let i = src.startsWith('#!') ? src.indexOf('\n') >>> 0 : 0
  const n = src.length
  const template = (start: number): number => {
    // Scans template text from `start` (just after "`" or "}") to the closing "`" or a "${".
    let j = start
    while (j < n) {
      const c = src[j]!
      if (c === '\\') j += 2
      else if (c === '`') return j + 1
      else if (c === '$' && src[j + 1] === '{') {
        braces.push(true)
        return j + 2
      } else j++
    }
    return n
  }
  while (i < n) {
    const c = src[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff' || c === '\u2028' || c === '\u2029') {
      i++
      continue
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i)
      i = end < 0 ? n : end
      continue
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    let j = i + 1
    if (c === '"' || c === "'") {
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1
      j = Math.min(n, j + 1)
    } else if (c === '`') {
      j = template(i + 1)
    } else if (c === '}' && braces.length > 0 && braces[braces.length - 1]) {
      braces.pop()
      j = template(i + 1)
    } else if (c === '/' && regexAllowed(out[out.length - 1])) {
      let inClass = false
      while (j < n && src[j] !== '\n') {
        const d = src[j]!
        if (d === '\\') j++
        else if (d === '[') inClass = true
        else if (d === ']') inClass = false
        else if (d === '/' && !inClass) break
        j++
      }
      j++
      while (j < n && isIdPart(src[j]!)) j++
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      while (j < n && /[\w.$]/.test(src[j]!)) {
        // An exponent's sign belongs to the number: 1e-7.
        if ((src[j] === 'e' || src[j] === 'E') && (src[j + 1] === '+' || src[j + 1] === '-') && !/^0[xX]/.test(src.slice(i, j))) j++
        j++
      }
    } else if (isIdStart(c)) {
      while (j < n && isIdPart(src[j]!)) j++
    } else {
      const p = PUNCTUATORS.find((q) => src.startsWith(q, i) && !(q === '?.' && /[0-9]/.test(src[i + 2] ?? '')))
      j = i + (p ? p.length : 1)
      if (c === '{') braces.push(false)
      else if (c === '}') braces.pop()
    }
    out.push(src.slice(i, j))
    i = j
  }
  return out
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
// A `;` before one of these is kept: without it the lines would join (`a\n;(b)`).
const CONTINUES = /^[([`+\-/]/

/**
 * Joins tokens into the text that is hashed, dropping what only formatting
 * decides: semicolons that end a line, trailing commas, the quote style of
 * plain strings and the parentheses of a lone arrow parameter.
 */
export function normalizeTokens(tokens: readonly string[]): string {
  const out: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    let t = tokens[i]!
    const next = tokens[i + 1]
    if (t === ';' && !(next !== undefined && CONTINUES.test(next))) continue
    if (t === ',' && (next === ')' || next === ']' || next === '}')) continue
    if (t === '(' && next !== undefined && IDENTIFIER.test(next) && tokens[i + 2] === ')' && tokens[i + 3] === '=>') {
      out.push(next)
      i += 2
      continue
    }
    if (t.length >= 2 && t[0] === "'" && !t.includes('"') && !t.includes('\\')) t = `"${t.slice(1, -1)}"`
    out.push(t)
  }
  return out.join(' ')
}
