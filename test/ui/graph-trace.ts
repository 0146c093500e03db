/**
 * Reads the edges back from a drawn graph, as a reader would: from the end
 * of each node's label, follow the line east, turning up or down at
 * junctions (never west, never reversing), until an arrow `▶` names the
 * node drawn right after it; a label on a line (`─ -7..-1 days ─`) is
 * stepped over. Any edge the drawing suggests but the graph
 * lacks (lines merged ambiguously) shows up as an extra pair.
 */

const CONNECT: Record<string, string> = {
  '─': 'EW', '│': 'NS', '┌': 'ES', '┐': 'WS', '└': 'EN', '┘': 'WN',
  '┬': 'EWS', '┴': 'EWN', '├': 'NSE', '┤': 'NSW', '┼': 'NESW', '▶': 'W',
}
const STEP: Record<string, [number, number]> = { E: [0, 1], N: [-1, 0], S: [1, 0] }
const OPPOSITE: Record<string, string> = { E: 'W', N: 'S', S: 'N' }

/** Each node's label position, found as `<glyph> <name>` in the lines. */
export function findNodes(lines: readonly string[], names: readonly string[]): Map<string, { row: number; col: number; end: number }> {
  const found = new Map<string, { row: number; col: number; end: number }>()
  for (const name of names) {
    lines.forEach((line, row) => {
      const chars = [...line]
      const text = chars.join('')
      const re = new RegExp(`(^|[ ▶])(\\S) ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?= |$)`, 'g')
      for (const m of text.matchAll(re)) {
        const col = [...text.slice(0, m.index! + m[1]!.length)].length
        if (!found.has(name)) found.set(name, { row, col, end: col + 2 + name.length })
      }
    })
  }
  return found
}

/** Edges as drawn, `from -> to`, sorted. */
export function traceEdges(lines: readonly string[], names: readonly string[]): string[] {
  const grid = lines.map((l) => [...l])
  const nodes = findNodes(lines, names)
  const at = new Map<string, string>()
  for (const [name, n] of nodes) at.set(`${n.row}:${n.col}`, name)
  const edges = new Set<string>()
  for (const [name, n] of nodes) {
    const seen = new Set<string>()
    const stack: Array<[number, number, string]> = [[n.row, n.end + 1, 'E']]
    while (stack.length) {
      const [r, c, moving] = stack.pop()!
      const ch = grid[r]?.[c]
      const key = `${r}:${c}:${moving}`
      if (!ch || seen.has(key)) continue
      seen.add(key)
      if (ch === ' ' && moving === 'E' && grid[r]![c - 1] === '─') {
        // A label on the line: ` text ─`; go on after it.
        const after = grid[r]!.slice(c + 1).join('').indexOf(' ─')
        if (after > 0) stack.push([r, c + 1 + after + 1, 'E'])
        continue
      }
      const sides = CONNECT[ch]
      if (!sides || !sides.includes(OPPOSITE[moving]!)) continue
      if (ch === '▶') {
        const target = at.get(`${r}:${c + 2}`)
        if (target) edges.add(`${name} -> ${target}`)
        continue
      }
      for (const exit of ['E', 'N', 'S']) {
        if (!sides.includes(exit) || exit === OPPOSITE[moving]) continue
        const [dr, dc] = STEP[exit]!
        stack.push([r + dr, c + dc, exit])
      }
    }
  }
  return [...edges].sort()
}

/** Node names of each column, top to bottom, by label position. */
export function columns(lines: readonly string[], names: readonly string[]): string[][] {
  const nodes = [...findNodes(lines, names)].sort((a, b) => a[1].col - b[1].col || a[1].row - b[1].row)
  const out: string[][] = []
  let lastCol = -1
  for (const [name, n] of nodes) {
    if (n.col !== lastCol) out.push([])
    out[out.length - 1]!.push(name)
    lastCol = n.col
  }
  return out
}
