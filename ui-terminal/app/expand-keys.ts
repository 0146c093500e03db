/**
 * Keys of the expanded detail pane (`e`: every check result and metadata
 * entry): ↑/↓ j/k a line, PgUp/PgDn (Space) a page, Home/End the ends; `e` or
 * Esc closes it. Keys it does not use go on to the usual handling.
 */
import type { Key } from 'ink'

export interface ScrollSize {
  /** Lines of content. */
  total: number
  /** Lines shown. */
  height: number
}

/** The new first line, 'close', or undefined when the key is not the pane's. */
export function expandedKey(top: number, input: string, key: Key, size: ScrollSize): number | 'close' | undefined {
  if (input === 'e' || key.escape) return 'close'
  const last = Math.max(0, size.total - size.height)
  const clamp = (t: number) => Math.min(Math.max(0, t), last)
  const from = clamp(top)
  const page = Math.max(1, size.height - 1)
  if (key.downArrow || input === 'j') return clamp(from + 1)
  if (key.upArrow || input === 'k') return clamp(from - 1)
  if (key.pageDown || input === ' ') return clamp(from + page)
  if (key.pageUp) return clamp(from - page)
  if (key.home || input === '<') return 0
  if (key.end || input === '>' || input === 'G') return last
  return undefined
}
