/**
 * Dagster's asset selection syntax.
 *
 *   *              every asset
 *   KEY            one asset, e.g. raw/orders
 *   *KEY           KEY and everything upstream of it
 *   KEY*           KEY and everything downstream of it
 *   +KEY, ++KEY    KEY and its upstreams one (two, ...) levels up
 *   KEY+, KEY++    KEY and its downstreams one (two, ...) levels down
 *   *KEY+, +KEY*   prefix and suffix combine (upstream part ∪ downstream part)
 *   group:NAME     every asset in group NAME
 *   tag:K=V        every asset whose tag K equals V
 *   tag:K          every asset that has tag K (any value)
 *
 * Terms are separated by whitespace or commas; the selection is their union.
 * Empty text selects every asset. Keys use `/` between segments.
 */
import { StrataError } from '../../assets/errors.js'
import type { AssetDefinition, Definitions } from '../../assets/types.js'
import type { AssetGraph } from './asset-graph.js'

export type SelectionTerm =
  | { kind: 'all'; text: string }
  | { kind: 'group'; text: string; group: string }
  | { kind: 'tag'; text: string; tagKey: string; tagValue?: string }
  /** `up` / `down`: levels to add (0 none, Infinity for `*`). */
  | { kind: 'key'; text: string; key: string; up: number; down: number }

export interface SelectionAst {
  /** Empty: no terms, which selects every asset. */
  terms: SelectionTerm[]
}

/** One-line summary of the syntax, used in error messages and CLI help. */
export const SELECTION_SYNTAX =
  'Valid terms: * (all), KEY, *KEY (with all upstream), KEY* (with all downstream), +KEY / ++KEY (1 / 2 levels up), KEY+ / KEY++ (levels down), combinations like *KEY+, group:NAME, tag:K or tag:K=V; separate terms with spaces or commas.'

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/

function invalid(term: string, reason: string): StrataError {
  return new StrataError('STRATA_INVALID_SELECTION', `Invalid selection term "${term}": ${reason}. ${SELECTION_SYNTAX}`, { term })
}

/** Parses selection text. Throws STRATA_INVALID_SELECTION for a malformed term. */
export function parseSelection(text: string | undefined): SelectionAst {
  if (text === undefined || text === null) return { terms: [] }
  if (typeof text !== 'string') {
    throw new StrataError('STRATA_INVALID_SELECTION', `A selection must be a string (got ${typeof text}). ${SELECTION_SYNTAX}`)
  }
  return { terms: text.split(/[\s,]+/).filter((t) => t !== '').map(parseTerm) }
}

function parseTerm(term: string): SelectionTerm {
  if (term === '*') return { kind: 'all', text: term }
  const colon = term.indexOf(':')
  if (colon >= 0) {
    const prefix = term.slice(0, colon)
    const rest = term.slice(colon + 1)
    if (prefix === 'group') {
      if (rest === '') throw invalid(term, 'the group name is missing (write group:NAME)')
      return { kind: 'group', text: term, group: rest }
    }
    if (prefix === 'tag') {
      const eq = rest.indexOf('=')
      const tagKey = eq >= 0 ? rest.slice(0, eq) : rest
      if (tagKey === '') throw invalid(term, 'the tag key is missing (write tag:K or tag:K=V)')
      return eq >= 0 ? { kind: 'tag', text: term, tagKey, tagValue: rest.slice(eq + 1) } : { kind: 'tag', text: term, tagKey }
    }
    if (/^[*+]+(group|tag)$/.test(prefix)) throw invalid(term, '* and + apply to asset keys only, not to group: or tag:')
    throw invalid(term, `unknown prefix "${prefix}:" (only group: and tag: exist)`)
  }
  const m = /^([*+]*)(.*?)([*+]*)$/s.exec(term)!
  const [, pre = '', body = '', post = ''] = m
  if (body === '') throw invalid(term, 'an operator needs an asset key (e.g. *raw/orders); use * alone for all assets')
  if (/[*+]/.test(body)) throw invalid(term, '* and + may only appear at the start or end of an asset key')
  if (!KEY.test(body)) {
    const hint = body.includes('>') ? ' (separate key segments with "/", not ">")' : ''
    throw invalid(
      term,
      `"${body}" is not an asset key${hint}: a key is segments joined by "/", each starting with a letter, digit or "_" and containing only letters, digits, "_", "-" or "."`,
    )
  }
  return { kind: 'key', text: term, key: body, up: levels(term, pre), down: levels(term, post) }
}

function levels(term: string, ops: string): number {
  if (ops === '') return 0
  if (ops === '*') return Infinity
  if (/^\++$/.test(ops)) return ops.length
  if (/^\*+$/.test(ops)) throw invalid(term, `"${ops}" is not an operator: use a single * for all levels, or repeat + for a fixed number of levels`)
  throw invalid(term, `"${ops}" mixes * and +: use either * (all levels) or + repeated (that many levels) on each side`)
}

/**
 * Resolves a selection to canonical keys in topological order, without
 * duplicates. `selection` is selection text or a list of selection texts
 * (each may hold several terms; all are unioned). `undefined`, empty text or
 * an empty list select every asset. `defs` defaults to the graph's definitions.
 *
 * Throws STRATA_INVALID_SELECTION for a malformed term or a group:/tag: that
 * matches no asset, and STRATA_UNKNOWN_ASSET (with suggestions) for unknown keys.
 */
export function resolveSelection(
  selection: string | readonly string[] | undefined,
  graph: AssetGraph,
  defs: Definitions = graph.definitions,
): string[] {
  const texts = selection === undefined || selection === null ? [] : typeof selection === 'string' ? [selection] : [...selection]
  const terms = texts.flatMap((t) => parseSelection(t).terms)
  if (terms.length === 0 || terms.some((t) => t.kind === 'all')) return graph.topologicalOrder()

  const unknown = terms.filter((t): t is Extract<SelectionTerm, { kind: 'key' }> => t.kind === 'key' && !graph.has(t.key))
  if (unknown.length > 0) throw unknownAssets(unknown, graph)

  const picked = new Set<string>()
  for (const term of terms) {
    switch (term.kind) {
      case 'group': {
        const matches = defs.assets.filter((a) => a.group === term.group)
        if (matches.length === 0) {
          const groups = [...new Set(defs.assets.map((a) => a.group))].sort()
          throw new StrataError(
            'STRATA_INVALID_SELECTION',
            `Selection term "${term.text}": no asset has group "${term.group}" (groups: ${listSome(groups)}).`,
            { term: term.text, groups },
          )
        }
        for (const a of matches) picked.add(a.key)
        break
      }
      case 'tag': {
        const matches = defs.assets.filter((a) => hasTag(a, term.tagKey, term.tagValue))
        if (matches.length === 0) {
          const tags = [...new Set(defs.assets.flatMap((a) => Object.entries(a.tags).map(([k, v]) => (v === '' ? k : `${k}=${v}`))))].sort()
          const what = term.tagValue === undefined ? `tag "${term.tagKey}"` : `tag ${term.tagKey}=${term.tagValue}`
          throw new StrataError(
            'STRATA_INVALID_SELECTION',
            `Selection term "${term.text}": no asset has ${what} (${tags.length ? `tags: ${listSome(tags)}` : 'no asset has any tags'}).`,
            { term: term.text, tags },
          )
        }
        for (const a of matches) picked.add(a.key)
        break
      }
      case 'key': {
        picked.add(term.key)
        if (term.up > 0) for (const k of graph.upstreamClosure([term.key], term.up)) picked.add(k)
        if (term.down > 0) for (const k of graph.downstreamClosure([term.key], term.down)) picked.add(k)
        break
      }
      case 'all':
        break
    }
  }
  return graph.topologicalOrder(picked)
}

function hasTag(a: AssetDefinition<any>, key: string, value: string | undefined): boolean {
  if (!Object.prototype.hasOwnProperty.call(a.tags, key)) return false
  return value === undefined || a.tags[key] === value
}

function listSome(items: readonly string[], max = 20): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length - max} more)`
}

function unknownAssets(terms: ReadonlyArray<{ text: string; key: string }>, graph: AssetGraph): StrataError {
  const keys = graph.keys()
  const suggestions: Record<string, string[]> = {}
  const parts = terms.map((t) => {
    const near = suggestKeys(t.key, keys)
    suggestions[t.key] = near
    const hint = near.length > 0 ? ` Did you mean ${near.map((k) => `"${k}"`).join(', ')}?` : ''
    return `unknown asset "${t.key}" in term "${t.text}".${hint}`
  })
  const message =
    parts.length === 1
      ? `Selection: ${parts[0]} Run \`strata list\` to see all keys.`
      : `Selection: ${parts.length} unknown assets: ${parts.join(' ')} Run \`strata list\` to see all keys.`
  return new StrataError('STRATA_UNKNOWN_ASSET', message, { keys: terms.map((t) => t.key), suggestions })
}

/**
 * Up to `max` keys closest to `input` by edit distance, ties broken by
 * declaration order. A key also scores by its last segment (so `orders`
 * suggests `raw/orders`). Keys farther than 40% of the input's length
 * (but at least 2 edits) are not suggested.
 */
export function suggestKeys(input: string, keys: readonly string[], max = 3): string[] {
  const limit = Math.max(2, Math.ceil(input.length * 0.4))
  const scored: Array<{ key: string; d: number; i: number }> = []
  keys.forEach((key, i) => {
    const last = key.slice(key.lastIndexOf('/') + 1)
    let d = editDistance(input, key, limit)
    if (last !== key) d = Math.min(d, editDistance(input, last, limit) + 1)
    if (d <= limit) scored.push({ key, d, i })
  })
  scored.sort((a, b) => a.d - b.d || a.i - b.i)
  return scored.slice(0, max).map((s) => s.key)
}

/** Levenshtein distance, or `limit + 1` once it is certain to exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let prev = new Array<number>(b.length + 1)
  let cur = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost)
      cur[j] = v
      if (v < rowMin) rowMin = v
    }
    if (rowMin > limit) return limit + 1
    ;[prev, cur] = [cur, prev]
  }
  return prev[b.length]!
}
