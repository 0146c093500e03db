/**
 * Text search over assets for the `/` line: each word of the query is matched
 * against an asset's key and group (fuzzily: its letters in order, gaps
 * allowed) and its tags and description (as a substring, since a long text
 * holds almost any letters in order). Every word must match some field; the
 * asset's score adds up the best field score of each word. Scores favour
 * matches at word starts (after `/`, `_`, `-`, `.`, a space or a camelCase
 * hump), runs of consecutive letters and a whole key segment, so `drift`
 * ranks `monitoring/drift` before `features/drift_stats` before a key that
 * only holds the letters scattered.
 *
 * Text that reads as a selection (`*KEY`, `+KEY`, `KEY+`, `KEY*`, `group:`,
 * `tag:`) is left to the selection syntax: see `looksLikeSelection`.
 */

export interface SearchDoc {
  key: string
  group: string
  description?: string
  tags: Readonly<Record<string, string>>
}

export type SearchField = 'key' | 'group' | 'tag' | 'description'

/** What matched in one asset, for drawing it highlighted. */
export interface SearchExplanation {
  /** Matched character positions in the key, ascending. */
  keyPositions: readonly number[]
  /** The best other field for a word the key did not match best: shown beside the key. */
  via?: { field: Exclude<SearchField, 'key'>; text: string; positions: readonly number[] }
}

export interface SearchResult {
  /** Matching keys, best first (ties: shorter key, then the order given). */
  keys: readonly string[]
  /** What matched in an asset of the result; computed on demand, since only the rows on screen need it. */
  explain(key: string): SearchExplanation | undefined
}

/** Whether text is meant as a selection rather than a search: a term with `*`, a leading `+`, a trailing `+`, or `group:` / `tag:`. */
export function looksLikeSelection(text: string): boolean {
  return text
    .split(/[\s,]+/)
    .some((t) => t !== '' && (t.includes('*') || t.startsWith('+') || t.endsWith('+') || t.startsWith('group:') || t.startsWith('tag:')))
}

// A field's score is scaled by how much a match there says about the asset.
const WEIGHT: Record<SearchField, number> = { key: 1, group: 0.7, tag: 0.6, description: 0.4 }

const SEPARATOR = new Uint8Array(128)
for (const c of '/_-.: =,') SEPARATOR[c.charCodeAt(0)] = 1
const isSeparator = (code: number) => code < 128 && SEPARATOR[code] === 1
const SLASH = 47

interface Field {
  text: string
  lower: string
}

interface Doc {
  key: Field
  group: Field
  tags: Field[]
  description?: Field
}

const field = (text: string): Field => ({ text, lower: text.toLowerCase() })
const NO_MATCH = -1

/** Answers kept for backspacing. */
const RECENT = 32

/** The most a word of `m` letters can score in one field (every bonus at once): bounds which fields are worth trying. */
const ceiling = (m: number) => 24 * m + 40

/** Assets prepared once (lower-cased fields) and searched per keystroke. */
export class SearchIndex {
  private readonly docs: Doc[]
  private readonly byKey: Map<string, Doc>
  /** The previous search: a query that extends it can only match a subset of its matches. */
  private last?: { text: string; matched: readonly number[] }
  /** Recent answers by text, for backspacing to a query already seen. */
  private readonly recent = new Map<string, { result: SearchResult; matched: readonly number[] }>()

  constructor(docs: readonly SearchDoc[]) {
    this.docs = docs.map((d) => ({
      key: field(d.key),
      group: field(d.group),
      tags: Object.entries(d.tags).map(([k, v]) => field(v ? `${k}=${v}` : k)),
      description: d.description ? field(d.description) : undefined,
    }))
    this.byKey = new Map(this.docs.map((d) => [d.key.text, d]))
  }

  get size(): number {
    return this.docs.length
  }

  /** Assets matching every word of `text`, best first. Blank text matches nothing. */
  search(text: string): SearchResult {
    const words = wordsOf(text)
    const lower = text.toLowerCase()
    const seen = this.recent.get(lower)
    if (seen) {
      this.last = { text: lower, matched: seen.matched }
      return seen.result
    }
    const matched: number[] = []
    // Score, then shorter key, as one number; the sort is stable, so equal ones keep the order given.
    const rank = new Float64Array(this.docs.length)
    const docs = this.docs
    if (words.length) {
      // Typing on narrows: every word (and a longer last word) only matches where the shorter query did.
      const narrowing = this.last !== undefined && this.last.text.trim() !== '' && lower.startsWith(this.last.text)
      const candidates = narrowing ? this.last!.matched : undefined
      const n = candidates ? candidates.length : docs.length
      for (let c = 0; c < n; c++) {
        const i = candidates ? candidates[c]! : c
        const score = scoreDoc(docs[i]!, words)
        if (score !== NO_MATCH) {
          rank[i] = score * 4096 - Math.min(docs[i]!.key.text.length, 4095)
          matched.push(i)
        }
      }
    }
    const inOrder = [...matched]
    this.last = { text: lower, matched: inOrder }
    matched.sort((a, b) => rank[b]! - rank[a]!)
    const result: SearchResult = { keys: matched.map((i) => docs[i]!.key.text), explain: (key) => this.explain(key, words) }
    if (this.recent.size >= RECENT) this.recent.delete(this.recent.keys().next().value!)
    this.recent.set(lower, { result, matched: inOrder })
    return result
  }

  private explain(key: string, words: readonly string[]): SearchExplanation | undefined {
    const doc = this.byKey.get(key)
    if (!doc) return undefined
    const keyPositions = new Set<number>()
    let via: SearchExplanation['via']
    for (const w of words) {
      const inKey = fuzzyScore(doc.key, w)
      const best = bestOther(doc, w, inKey === NO_MATCH ? -Infinity : inKey)
      if (inKey !== NO_MATCH) for (const p of fuzzyPositions(doc.key, w)) keyPositions.add(p)
      if (best && !via) via = { field: best.field, text: best.f.text, positions: best.field === 'group' ? fuzzyPositions(best.f, w) : substringPositions(best.f, w) }
    }
    return { keyPositions: [...keyPositions].sort((a, b) => a - b), via }
  }
}

const wordsOf = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean)

/** Sum over words of the best weighted field score, or NO_MATCH when a word matches no field. */
function scoreDoc(doc: Doc, words: readonly string[]): number {
  let total = 0
  for (const w of words) {
    const inKey = fuzzyScore(doc.key, w)
    let best = inKey === NO_MATCH ? -Infinity : inKey
    const other = bestOther(doc, w, best)
    if (other) best = other.score
    if (best === -Infinity) return NO_MATCH
    total += best
  }
  return total
}

/** The best weighted match of `w` outside the key when it beats `floor`; fields that cannot beat it are not tried. */
function bestOther(doc: Doc, w: string, floor: number): { field: Exclude<SearchField, 'key'>; f: Field; score: number } | undefined {
  const top = ceiling(w.length)
  let best: { field: Exclude<SearchField, 'key'>; f: Field; score: number } | undefined
  let bar = floor
  if (top * WEIGHT.group > bar) {
    const s = fuzzyScore(doc.group, w) * WEIGHT.group
    if (s >= 0 && s > bar) (best = { field: 'group', f: doc.group, score: s }), (bar = s)
  }
  if (top * WEIGHT.tag > bar) {
    for (const t of doc.tags) {
      const s = substringScore(t, w) * WEIGHT.tag
      if (s >= 0 && s > bar) (best = { field: 'tag', f: t, score: s }), (bar = s)
    }
  }
  if (doc.description && top * WEIGHT.description > bar) {
    const s = substringScore(doc.description, w) * WEIGHT.description
    if (s >= 0 && s > bar) best = { field: 'description', f: doc.description, score: s }
  }
  return best
}

function isStart(f: Field, i: number): boolean {
  if (i === 0) return true
  const prev = f.text.charCodeAt(i - 1)
  if (isSeparator(prev)) return true
  const c = f.text.charCodeAt(i)
  // camelCase hump: a capital after a lower-case letter.
  return c >= 65 && c <= 90 && prev >= 97 && prev <= 122
}

const isEnd = (f: Field, i: number) => i === f.text.length - 1 || isSeparator(f.text.charCodeAt(i + 1))

/** Points for one matched letter at `p`, the `k`th of the word, the previous one at `prev`. */
function letterScore(f: Field, p: number, k: number, prev: number): number {
  let s = 10
  if (isStart(f, p)) s += k === 0 ? 14 : 8
  if (k > 0) s += p === prev + 1 ? 6 : -3 - Math.min(p - prev - 1, 10)
  return s
}

/** Points for where a match lies: early is a little better; a contiguous whole word, path segment or text much better. */
function placeScore(f: Field, first: number, last: number, contiguous: boolean): number {
  let s = -Math.min(first, 20) * 0.25
  if (contiguous && isStart(f, first) && isEnd(f, last)) {
    s += 16
    const segment = (first === 0 || f.text.charCodeAt(first - 1) === SLASH) && (last === f.text.length - 1 || f.text.charCodeAt(last + 1) === SLASH)
    if (first === 0 && last === f.text.length - 1) s += 30
    else if (segment) s += 10
  }
  return s
}

/**
 * The shortest window of `f` holding the word's letters in order that ends
 * where they first complete (scanning forward, then back), or NO_MATCH.
 */
function fuzzyWindow(t: string, q: string): number {
  const m = q.length
  let j = 0
  let end = -1
  for (let i = 0; i < t.length; i++) {
    if (t.charCodeAt(i) === q.charCodeAt(j) && ++j === m) {
      end = i
      break
    }
  }
  if (end < 0) return NO_MATCH
  for (let i = end, k = m - 1; i >= 0; i--) if (t.charCodeAt(i) === q.charCodeAt(k) && --k < 0) return i
  return NO_MATCH
}

/** Letters in order (the window's), or a contiguous occurrence when that scores better; NO_MATCH if absent. */
function fuzzyScore(f: Field, q: string): number {
  const start = fuzzyWindow(f.lower, q)
  if (start === NO_MATCH) return NO_MATCH
  let score = 0
  let prev = -1
  let first = -1
  for (let i = start, k = 0; k < q.length; i++) {
    if (f.lower.charCodeAt(i) !== q.charCodeAt(k)) continue
    score += letterScore(f, i, k, prev)
    if (k === 0) first = i
    prev = i
    k++
  }
  score += placeScore(f, first, prev, prev - first === q.length - 1)
  return Math.max(score, substringScore(f, q), 0)
}

function fuzzyPositions(f: Field, q: string): number[] {
  const sub = bestOccurrence(f, q)
  const start = fuzzyWindow(f.lower, q)
  if (start === NO_MATCH) return []
  const positions: number[] = []
  for (let i = start, k = 0; k < q.length; i++) if (f.lower.charCodeAt(i) === q.charCodeAt(k)) positions.push(i), k++
  let fuzzy = 0
  positions.forEach((p, k) => (fuzzy += letterScore(f, p, k, positions[k - 1] ?? -1)))
  fuzzy += placeScore(f, positions[0]!, positions[positions.length - 1]!, positions[positions.length - 1]! - positions[0]! === q.length - 1)
  return sub && sub.score > fuzzy ? run(sub.at, q.length) : positions
}

const run = (at: number, m: number) => Array.from({ length: m }, (_, k) => at + k)

/** The best-scoring of the first few contiguous occurrences of `q`. */
function bestOccurrence(f: Field, q: string): { at: number; score: number } | undefined {
  let best: { at: number; score: number } | undefined
  let at = f.lower.indexOf(q)
  for (let tries = 0; at >= 0 && tries < 4; tries++) {
    let score = 0
    for (let k = 0; k < q.length; k++) score += letterScore(f, at + k, k, at + k - 1)
    score += placeScore(f, at, at + q.length - 1, true)
    if (!best || score > best.score) best = { at, score }
    at = f.lower.indexOf(q, at + 1)
  }
  return best
}

function substringScore(f: Field, q: string): number {
  const b = bestOccurrence(f, q)
  return b ? Math.max(b.score, 0) : NO_MATCH
}

function substringPositions(f: Field, q: string): number[] {
  const b = bestOccurrence(f, q)
  return b ? run(b.at, q.length) : []
}

/** `text` cut into runs of matched and unmatched characters, for drawing highlights. */
export function highlightRuns(text: string, positions: readonly number[]): Array<{ text: string; hit: boolean }> {
  const runs: Array<{ text: string; hit: boolean }> = []
  const set = new Set(positions)
  for (let i = 0; i < text.length; i++) {
    const hit = set.has(i)
    const last = runs[runs.length - 1]
    if (last && last.hit === hit) last.text += text[i]
    else runs.push({ text: text[i]!, hit })
  }
  return runs
}
