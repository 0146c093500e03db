import { StrataError, normalizeKey } from '../../assets/index.js'
import { editDistance, suggestKeys, type Workspace } from '../../engine/index.js'

/**
 * The one candidate a mistyped word most likely meant: the nearest by edit
 * distance (at most 2 edits, or 40% of the word for long words), else the
 * only candidate the word is a prefix of. Ties go to the earlier candidate.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.ceil(word.length * 0.4))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const c of candidates) {
    const d = editDistance(word, c, limit)
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  if (best !== undefined) return best
  const prefixed = word.length >= 2 ? candidates.filter((c) => c.startsWith(word)) : []
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** ` Did you mean "x"?`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[], quote = (s: string) => `"${s}"`): string {
  const near = closest(word, candidates)
  return near === undefined ? '' : ` Did you mean ${quote(near)}?`
}

/** An asset key argument (`why KEY`, `status KEY`, `--step KEY`): its canonical form, or STRATA_UNKNOWN_ASSET with the nearest keys. */
export function assetKeyArg(ws: Workspace, text: string): string {
  const key = normalizeKey(text)
  if (ws.graph.has(key)) return key
  const near = suggestKeys(key, ws.graph.keys())
  throw new StrataError('STRATA_UNKNOWN_ASSET', `No asset "${key}".${near.length ? ` Did you mean ${near.map((k) => `"${k}"`).join(', ')}?` : ''} See the assets with strata list.`, { key, suggestions: near })
}
