/**
 * What code versions need to know of one JavaScript module: its top-level
 * statements (each hashed on its own, comments and formatting excluded), the
 * top-level bindings each statement and each function refers to, and its
 * imports and exports.
 *
 * Why sucrase's parser: it is already a run-time dependency (the loader
 * strips types with it), it is fast, and it resolves what a hand-written
 * scanner would get wrong: which identifiers are references rather than
 * property names, object keys or declarations, and the scopes they are
 * declared in (parameters, blocks, catch clauses, named function
 * expressions). TypeScript's compiler is a development dependency only. The
 * input is the JavaScript that actually runs (the loader's output for
 * TypeScript files), so types never count and function texts match
 * `Function.prototype.toString` exactly. Statement boundaries are not
 * recorded by the parser; they are found on its tokens at bracket depth 0
 * (a `;`, or a line break where automatic semicolon insertion ends a statement).
 */
import { createRequire } from 'node:module'
import { hashCode, normalizeTokens } from '../../assets/code-version.js'
import { withoutOrchestration } from './orchestration.js'

interface Token {
  type: number
  start: number
  end: number
  identifierRole: number | null
}
interface Scope {
  startTokenIndex: number
  endTokenIndex: number
  isFunctionScope: boolean
}
interface Sucrase {
  parse(input: string, jsx: boolean, typescript: boolean, flow: boolean): { tokens: Token[]; scopes: Scope[] }
  T: Record<string, number>
  Role: Record<string, number>
}

let sucrase: Sucrase | undefined
/** Loaded on first use: a process whose modules are all cached never pays for it. */
function parser(): Sucrase {
  if (!sucrase) {
    const require = createRequire(import.meta.url)
    sucrase = {
      parse: require('sucrase/dist/parser').parse,
      T: require('sucrase/dist/parser/tokenizer/types').TokenType,
      Role: require('sucrase/dist/parser/tokenizer').IdentifierRole,
    }
  }
  return sucrase
}

export interface StatementScan {
  /** Top-level bindings it declares (`default` for `export default`). */
  names: string[]
  hash: string
  /** Top-level bindings it refers to: `name`, `name.member` (for namespace imports) or `import:SPECIFIER` (a dynamic import). */
  refs: string[]
  /** Not only a declaration: it runs code that may change the bindings it mentions (`cache.set(…)`, a loop, a guard). */
  code: boolean
}

export interface FunctionScan {
  /** Offsets of the parameter list's start and of the body's end in the module text. */
  start: number
  end: number
  /** The last characters of its text (parameters to body; all of it when shorter than TAIL), to look it up by. */
  tail: string
  /** Its first characters, to rule out most other functions with the same tail cheaply. */
  head: string
  /** A hash of its text from `start` to `end`, to confirm a match without the module text. */
  hash: string
  /** A hash of the same text normalized (comments and formatting excluded): what counts of it in a version. */
  norm: string
  /** The top-level statement that contains it. */
  stmt: number
  refs: string[]
  /** It also refers to bindings of an enclosing function or block (a factory's parameters, a loop variable). */
  outer: boolean
}

export type ImportBinding = { from: string; name: string }
export type ExportBinding = { local: string } | { from: string; name: string }

export interface ModuleScan {
  statements: StatementScan[]
  /** Top-level binding → index of the statement declaring it. */
  declared: Record<string, number>
  /** Import binding → its module specifier and imported name (`default`, `*` for a namespace). */
  imports: Record<string, ImportBinding>
  exports: Record<string, ExportBinding>
  starExports: string[]
  /** `import './x.js'`: run for their effects. */
  effectImports: string[]
  /** Top-level binding → code statements that may change it (assign to it or its members, call its methods, pass it to a call). */
  mutators: Record<string, number[]>
  functions: FunctionScan[]
  /** The whole module, normalized. */
  hash: string
}

const specifierOf = (text: string, t: Token) => text.slice(t.start + 1, t.end - 1)

/** How many final characters of a function's text index it (see FunctionScan.tail). */
export const TAIL = 8
/**
 * A fingerprint of exact text (not normalized), to confirm that a compute's
 * source is a function found by its head and tail: two 32-bit FNV-1a hashes
 * with different offsets, cheaper than a cryptographic digest for the
 * thousands of lookups of a large project.
 */
export function textHash(text: string): string {
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15)
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${text.length}`
}

export function scanModule(text: string): ModuleScan {
  const { parse, T, Role } = parser()
  const { tokens: all, scopes: rawScopes } = parse(text, false, false, false)
  const tokens = all.filter((t) => t.type !== T.eof)
  const texts = tokens.map((t) => text.slice(t.start, t.end))
  const scopes = [...rawScopes].sort((a, b) => a.startTokenIndex - b.startTokenIndex || b.endTokenIndex - a.endTokenIndex)
  const program = scopes.findIndex((s) => s.startTokenIndex === 0 && s.endTokenIndex >= tokens.length)

  // Pass 1: which names each scope declares.
  const bound = scopes.map(() => new Set<string>())
  const declaredAt = new Map<string, number>() // program binding → token index
  const TOP = new Set([Role.TopLevelDeclaration, Role.ObjectShorthandTopLevelDeclaration, Role.ImportDeclaration])
  const BLOCK = new Set([Role.BlockScopedDeclaration, Role.ObjectShorthandBlockScopedDeclaration])
  const FUNCTION = new Set([Role.FunctionScopedDeclaration, Role.ObjectShorthandFunctionScopedDeclaration])
  const ACCESS = new Set([Role.Access, Role.ObjectShorthand])
  const stackAt: number[][] = []
  walkScopes(tokens.length, scopes, (i, stack) => {
    stackAt[i] = stack.slice()
    const role = tokens[i]!.identifierRole
    if (role === null || tokens[i]!.type !== T.name) return
    let s = -1
    if (TOP.has(role)) s = program
    else if (BLOCK.has(role)) s = stack[stack.length - 1]!
    else if (FUNCTION.has(role)) s = [...stack].reverse().find((x) => scopes[x]!.isFunctionScope) ?? program
    if (s < 0) return
    bound[s]!.add(texts[i]!)
    if (s === program && !declaredAt.has(texts[i]!)) declaredAt.set(texts[i]!, i)
  })

  // Pass 2: each reference and the scope it resolves to (-1: a global).
  const refs: Array<{ i: number; ref: string; scope: number }> = []
  const inCall = callArguments(tokens, T)
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.type === T._import && tokens[i + 1]?.type === T.parenL && tokens[i + 2]?.type === T.string) {
      refs.push({ i, ref: `import:${specifierOf(text, tokens[i + 2]!)}`, scope: program })
      continue
    }
    if (t.type !== T.name || t.identifierRole === null || !ACCESS.has(t.identifierRole)) continue
    const stack = stackAt[i]!
    let k = stack.length - 1
    while (k >= 0 && !bound[stack[k]!]!.has(texts[i]!)) k--
    if (k < 0) continue
    const scope = stack[k]!
    const member = tokens[i + 1]?.type === T.dot && tokens[i + 2]?.type === T.name ? `.${texts[i + 2]}` : ''
    refs.push({ i, ref: texts[i] + member, scope })
  }

  const ranges = statementRanges(tokens, texts, text, T)
  const stmtOf = (i: number) => {
    let lo = 0
    let hi = ranges.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (ranges[mid]![0] <= i) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const scan: ModuleScan = { statements: [], declared: {}, imports: {}, exports: {}, starExports: [], effectImports: [], mutators: {}, functions: [], hash: hashCode(normalizeTokens(withoutOrchestration(texts))) }
  const stmtIndex: number[] = [] // range index → statement index (-1 for imports and export lists)
  for (const [start, end] of ranges) {
    const first = tokens[start]!
    if (first.type === T._import && tokens[start + 1]?.type !== T.parenL && tokens[start + 1]?.type !== T.dot) {
      readImport(start, end)
      stmtIndex.push(-1)
      continue
    }
    if (first.type === T._export && (tokens[start + 1]?.type === T.braceL || tokens[start + 1]?.type === T.star)) {
      readExportList(start, end)
      stmtIndex.push(-1)
      continue
    }
    const names = new Set<string>()
    for (let i = start; i < end; i++) if (declaredAt.get(texts[i]!) === i) names.add(texts[i]!)
    const isExport = first.type === T._export
    const isDefault = isExport && tokens[start + 1]?.type === T._default
    if (isDefault) names.add('default')
    const h = isExport ? start + 1 : start
    const isDeclaration = [T._const, T._let, T._var, T._function, T._class].includes(tokens[h]?.type ?? -1)
    const isAsyncFunction = texts[h] === 'async' && tokens[h + 1]?.type === T._function
    const code = !(isDefault || isDeclaration || isAsyncFunction)
    const own = new Set<string>()
    for (const r of refs) if (r.i >= start && r.i < end && r.scope === program) own.add(r.ref)
    const index = scan.statements.length
    // A statement's automation and freshness declarations are orchestration: they never count (orchestration.ts).
    scan.statements.push({ names: [...names], hash: hashCode(normalizeTokens(withoutOrchestration(texts.slice(start, end)))), refs: [...own], code })
    stmtIndex.push(index)
    for (const n of names) {
      scan.declared[n] = index
      if (isExport) scan.exports[n] = { local: n }
    }
    if (code) {
      const changed = new Set<string>()
      for (const r of refs) if (r.i >= start && r.i < end && r.scope === program && mayChange(tokens, texts, r.i, inCall, T)) changed.add(texts[r.i]!)
      for (const name of changed) (scan.mutators[name] ??= []).push(index)
    }
  }

  // Functions, for finding a compute by its text: the bindings each refers to from outside itself.
  for (let s = 0; s < scopes.length; s++) {
    const scope = scopes[s]!
    if (!scope.isFunctionScope || s === program) continue
    const inside = (x: number) => scopes[x]!.startTokenIndex >= scope.startTokenIndex && scopes[x]!.endTokenIndex <= scope.endTokenIndex
    const own = new Set<string>()
    let outer = false
    for (const r of refs) {
      if (r.i < scope.startTokenIndex || r.i >= scope.endTokenIndex || inside(r.scope)) continue
      if (r.scope === program) own.add(r.ref)
      else outer = true
    }
    const stmt = stmtIndex[stmtOf(scope.startTokenIndex)] ?? -1
    if (stmt < 0) continue
    const start = tokens[scope.startTokenIndex]!.start
    const end = tokens[scope.endTokenIndex - 1]!.end
    scan.functions.push({ start, end, tail: text.slice(Math.max(start, end - TAIL), end), head: text.slice(start, Math.min(end, start + TAIL)), hash: textHash(text.slice(start, end)), norm: hashCode(normalizeTokens(texts.slice(scope.startTokenIndex, scope.endTokenIndex))), stmt, refs: [...own], outer })
  }
  scan.functions.sort((a, b) => a.end - b.end || a.start - b.start)
  return scan

  function fromOf(start: number, end: number): string | undefined {
    for (let i = start; i < end - 1; i++) if (texts[i] === 'from' && tokens[i + 1]!.type === T.string) return specifierOf(text, tokens[i + 1]!)
    return undefined
  }

  function readImport(start: number, end: number): void {
    if (tokens[start + 1]?.type === T.string) {
      scan.effectImports.push(specifierOf(text, tokens[start + 1]!))
      return
    }
    const from = fromOf(start, end)
    if (from === undefined) return
    let inBraces = false
    for (let i = start + 1; i < end; i++) {
      const t = tokens[i]!
      if (t.type === T.braceL) inBraces = true
      else if (t.type === T.braceR) inBraces = false
      if (t.identifierRole !== Role.ImportDeclaration) continue
      const hasAs = texts[i - 1] === 'as'
      const name = hasAs ? (tokens[i - 2]!.type === T.star ? '*' : tokens[i - 2]!.type === T.string ? specifierOf(text, tokens[i - 2]!) : texts[i - 2]!) : inBraces ? texts[i]! : 'default'
      scan.imports[texts[i]!] = { from, name }
    }
  }

  function readExportList(start: number, end: number): void {
    const from = fromOf(start, end)
    if (tokens[start + 1]!.type === T.star) {
      if (from === undefined) return
      if (texts[start + 2] === 'as') scan.exports[texts[start + 3]!] = { from, name: '*' }
      else scan.starExports.push(from)
      return
    }
    for (let i = start + 2; i < end && tokens[i]!.type !== T.braceR; i++) {
      if (tokens[i]!.type === T.comma || texts[i] === 'as') continue
      const local = tokens[i]!.type === T.string ? specifierOf(text, tokens[i]!) : texts[i]!
      let exported = local
      if (texts[i + 1] === 'as') {
        exported = tokens[i + 2]!.type === T.string ? specifierOf(text, tokens[i + 2]!) : texts[i + 2]!
        i += 2
      }
      scan.exports[exported] = from === undefined ? { local } : { from, name: local }
    }
  }
}

/** For each token, whether its innermost bracket is a call's argument list. */
function callArguments(tokens: readonly Token[], T: Record<string, number>): boolean[] {
  const out: boolean[] = []
  const stack: boolean[] = []
  const callee = new Set([T.name, T.parenR, T.bracketR, T.questionDot, T.template, T.backQuote])
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    out.push(stack[stack.length - 1] ?? false)
    if (t.type === T.parenL) stack.push(i > 0 && callee.has(tokens[i - 1]!.type))
    else if (t.type === T.bracketL || t.type === T.braceL || t.type === T.dollarBraceL) stack.push(false)
    else if (t.type === T.parenR || t.type === T.bracketR || t.type === T.braceR) stack.pop()
  }
  return out
}

/**
 * Whether the reference at `i` may change its binding: an assignment to it or
 * to one of its members (`x = …`, `x.a[k] += …`, `x++`, `delete x.a`), a call
 * of one of its methods (`cache.set(…)`), or passing it to a call
 * (`Object.assign(x, …)`). Reading it (`if (config.a !== b) throw …`) does not.
 */
function mayChange(tokens: readonly Token[], texts: readonly string[], i: number, inCall: readonly boolean[], T: Record<string, number>): boolean {
  let j = i + 1
  for (;;) {
    const t = tokens[j]
    if ((t?.type === T.dot || t?.type === T.questionDot) && tokens[j + 1]?.type === T.name) j += 2
    else if (t?.type === T.bracketL) {
      let depth = 0
      do {
        const u = tokens[j]!.type
        if (u === T.bracketL) depth++
        else if (u === T.bracketR) depth--
        j++
      } while (depth > 0 && j < tokens.length)
    } else break
  }
  const next = tokens[j]
  const prev = tokens[i - 1]
  if (next && (next.type === T.eq || next.type === T.assign || next.type === T.postIncDec || next.type === T.preIncDec)) return true
  if (next?.type === T.parenL && j > i + 1) return true
  if (prev?.type === T.preIncDec || texts[i - 1] === 'delete') return true
  return j === i + 1 && (prev?.type === T.parenL || prev?.type === T.comma || prev?.type === T.ellipsis) && inCall[i] === true
}

/** Calls `visit(i, stack)` for every token with the stack of scopes (indexes into `scopes`) that contain it, outermost first. */
function walkScopes(count: number, scopes: readonly Scope[], visit: (i: number, stack: readonly number[]) => void): void {
  const stack: number[] = []
  let next = 0
  for (let i = 0; i < count; i++) {
    while (stack.length && scopes[stack[stack.length - 1]!]!.endTokenIndex <= i) stack.pop()
    while (next < scopes.length && scopes[next]!.startTokenIndex <= i) {
      if (scopes[next]!.endTokenIndex > i) stack.push(next)
      next++
    }
    visit(i, stack)
  }
}

/** Token index ranges `[start, end)` of the top-level statements. */
function statementRanges(tokens: readonly Token[], texts: readonly string[], text: string, T: Record<string, number>): Array<[number, number]> {
  const opens = new Set([T.parenL, T.bracketL, T.braceL, T.dollarBraceL, T.braceBarL])
  const closes = new Set([T.parenR, T.bracketR, T.braceR, T.braceBarR])
  // A line break after one of these, before a token that cannot continue an expression, ends the statement.
  const ends = new Set([T.name, T.num, T.bigint, T.string, T.regexp, T.backQuote, T.parenR, T.bracketR, T.braceR, T.postIncDec, T._this, T._super, T._null, T._true, T._false])
  const continues = new Set([T.parenL, T.bracketL, T.backQuote, T.dot, T.questionDot, T.comma, T.question, T.colon, T.arrow, T._in, T._instanceof, T.eq, T.assign, T.template, T.dollarBraceL, T.slash, T.plus, T.minus, T.star])
  const ranges: Array<[number, number]> = []
  let depth = 0
  let start = 0
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (opens.has(t.type)) depth++
    else if (closes.has(t.type)) depth = Math.max(0, depth - 1)
    if (depth !== 0) continue
    const next = tokens[i + 1]
    const boundary =
      next === undefined ||
      t.type === T.semi ||
      (ends.has(t.type) && !continues.has(next.type) && !isBinaryOperator(texts[i + 1]!) && text.slice(t.end, next.start).includes('\n'))
    if (boundary) {
      ranges.push([start, i + 1])
      start = i + 1
    }
  }
  return ranges
}

const isBinaryOperator = (t: string) => /^(?:[*/%&|^<>=!]=?|\*\*|&&|\|\||\?\?|<<|>>>?|===?|!==?|instanceof|in|as|satisfies)$/.test(t) && t !== '!'
