import * as crypto from 'node:crypto'

/**
 * The automatic code version of a compute function: a hash of its source
 * text, normalized so that comments and formatting never count. The engine
 * combines it with the code the function uses (see engine/versioning).
 */
export function codeVersionOf(fn: (...args: never[]) => unknown): string {
  return hashCode(normalizeTokens(jsTokens(Function.prototype.toString.call(fn))))
}

// One-shot hashing where Node has it (20.12+): a fraction of createHash's cost for short texts.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined

/** 16 hex characters of the text's SHA-256. */
export const hashCode = (text: string): string => (oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex')).slice(0, 16)

// Punctuators longer than one character, by length (the lexer takes the longest).
const PUNCTUATORS = [
  new Set(['>>>=']),
  new Set(['...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=']),
  new Set(['=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>']),
]
// After these a `/` starts a regular expression, not a division.
const BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'])
/** First characters of the punctuators above: = ! < > & | ? + - * / % ^ . */
const MAY_EXTEND = new Set([...'=!<>&|?+-*/%^.'].map((ch) => ch.charCodeAt(0)))
const isDigit = (c: number) => c >= 48 && c <= 57
/** Letters, digits, `_`, `$`, a `\` escape or any non-ASCII character. */
const isIdPart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 36 || c === 92 || c >= 128
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029

function regexAllowed(prev: string | undefined): boolean {
  if (prev === undefined) return true
  if (BEFORE_REGEX.has(prev)) return true
  const last = prev.charCodeAt(prev.length - 1)
  // An identifier, a number, a string or a closing bracket ends an operand: `/` divides it.
  return !(isIdPart(last) || last === 41 || last === 93 || last === 34 || last === 39 || last === 96)
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
  const n = src.length
  let i = src.startsWith('#!') ? src.indexOf('\n') >>> 0 : 0
  const template = (start: number): number => {
    // Scans template text from `start` (just after "`" or "}") to the closing "`" or a "${".
    for (let j = start; j < n; j++) {
      const c = src.charCodeAt(j)
      if (c === 92) j++
      else if (c === 96) return j + 1
      else if (c === 36 && src.charCodeAt(j + 1) === 123) {
        braces.push(true)
        return j + 2
      }
    }
    return n
  }
  while (i < n) {
    const c = src.charCodeAt(i)
    if (isSpace(c)) {
      i++
      continue
    }
    const next = src.charCodeAt(i + 1)
    if (c === 47 && next === 47) {
      const end = src.indexOf('\n', i)
      i = end < 0 ? n : end
      continue
    }
    if (c === 47 && next === 42) {
      const end = src.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    let j = i + 1
    if (c === 34 || c === 39) {
      while (j < n && src.charCodeAt(j) !== c && src.charCodeAt(j) !== 10) j += src.charCodeAt(j) === 92 ? 2 : 1
      j = Math.min(n, j + 1)
    } else if (c === 96) {
      j = template(i + 1)
    } else if (c === 125 && braces.length > 0 && braces[braces.length - 1]) {
      braces.pop()
      j = template(i + 1)
    } else if (c === 47 && regexAllowed(out[out.length - 1])) {
      let inClass = false
      for (; j < n && src.charCodeAt(j) !== 10; j++) {
        const d = src.charCodeAt(j)
        if (d === 92) j++
        else if (d === 91) inClass = true
        else if (d === 93) inClass = false
        else if (d === 47 && !inClass) break
      }
      j++
      while (j < n && isIdPart(src.charCodeAt(j))) j++
    } else if (isDigit(c) || (c === 46 && isDigit(next))) {
      const hex = c === 48 && (next === 120 || next === 88)
      for (; j < n; j++) {
        const d = src.charCodeAt(j)
        // An exponent's sign belongs to the number: 1e-7.
        if (!hex && (d === 101 || d === 69) && (src.charCodeAt(j + 1) === 43 || src.charCodeAt(j + 1) === 45)) j++
        else if (!(isIdPart(d) || d === 46)) break
      }
    } else if (isIdPart(c) || c === 35) {
      while (j < n && isIdPart(src.charCodeAt(j))) j++
    } else if (MAY_EXTEND.has(c)) {
      for (let len = 4; len >= 2; len--) {
        const p = src.slice(i, i + len)
        if (PUNCTUATORS[4 - len]!.has(p) && !(p === '?.' && isDigit(src.charCodeAt(i + 2)))) {
          j = i + len
          break
        }
      }
    } else if (c === 123) braces.push(false)
    else if (c === 125) braces.pop()
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
