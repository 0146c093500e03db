/**
 * The graph view (`g`): the scene's canvas windowed around the selected
 * node, nodes in their status colours, the selected node and its edges
 * highlighted, and two lines below: what is shown, and the selected node's
 * upstream and downstream with their partition mappings.
 */
import { Box, Text } from 'ink'
import { memo, useMemo, type ReactNode } from 'react'
import { escapeForTerminal } from '../../cli/output.js'
import type { RowStatus } from '../model.js'
import { clip, ROW_GLYPH } from '../theme.js'
import type { GraphData } from './graph-data.js'
import { drawGraph, type Canvas, type Run } from './render.js'
import { groupStatus, MAX_DEPTH, type Scene } from './scene.js'

export interface GraphViewProps {
  scene: Scene
  data: GraphData
  statusOf(key: string): RowStatus | undefined
  width: number
  height: number
}

const INFO_LINES = 2

export function GraphView({ scene, data, statusOf, width, height }: GraphViewProps) {
  const canvas = useMemo(() => drawGraph(scene.layout, scene.scoped.edges, scene.text, hotEdges(scene)), [scene])
  const rows = Math.max(1, height - INFO_LINES)
  const box = canvas.boxes.get(scene.focus)
  const left = box ? windowStart(box.x + Math.floor(box.width / 2), width, canvas.width) : 0
  const top = box ? windowStart(box.y, rows, canvas.height) : 0
  const nodeStatus = useMemo(
    () =>
      (id: string): RowStatus | undefined => {
        const n = scene.byId.get(id)
        if (!n || n.kind === 'more') return undefined
        return n.kind === 'group' ? groupStatus(n.members!, statusOf) : statusOf(n.name)
      },
    [scene, statusOf],
  )
  const shown = canvas.rows.slice(top, top + rows)
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((runs, i) => (
        <CanvasRow key={top + i} runs={runs} left={left} width={width} focus={runs.some((r) => r.node === scene.focus) ? scene.focus : undefined} statusOf={nodeStatus} />
      ))}
      {shown.length < rows ? <Box height={rows - shown.length} /> : null}
      <ScopeLine scene={scene} canvas={canvas} width={width} />
      <FocusLine scene={scene} data={data} status={nodeStatus(scene.focus)} width={width} />
    </Box>
  )
}

/** First visible cell of a window of `size` over `total`, centred on `at` where it fits. */
export function windowStart(at: number, size: number, total: number): number {
  if (total <= size) return 0
  return Math.min(Math.max(0, at - Math.floor(size / 2)), total - size)
}

/** Indices of the edges touching the focus. */
function hotEdges(scene: Scene): Set<number> {
  const hot = new Set<number>()
  scene.scoped.edges.forEach((e, i) => {
    if (e.from === scene.focus || e.to === scene.focus) hot.add(i)
  })
  return hot
}

const STYLE = {
  edge: { color: 'gray' },
  hot: { color: 'cyan' },
  label: { color: 'magenta' },
  hotLabel: { color: 'cyan', bold: true },
} as const

interface RowProps {
  runs: Run[]
  left: number
  width: number
  /** The selected node, when it is on this row. */
  focus?: string
  statusOf: (id: string) => RowStatus | undefined
}

/** Rows equal in value are not rendered again (a move redraws the canvas, but most rows stay the same). */
const sameRow = (a: RowProps, b: RowProps) =>
  a.left === b.left && a.width === b.width && a.focus === b.focus && a.statusOf === b.statusOf && a.runs.length === b.runs.length && a.runs.every((r, i) => r.text === b.runs[i]!.text && r.style === b.runs[i]!.style && r.node === b.runs[i]!.node)

const CanvasRow = memo(function CanvasRow({ runs, left, width, focus, statusOf }: RowProps) {
  const parts: ReactNode[] = []
  // Trailing blanks are not written: Ink's cost per frame grows with the characters.
  let end = runs.length
  while (end > 0 && runs[end - 1]!.style === 'space') end--
  let x = 0
  for (const run of runs.slice(0, end)) {
    const start = x
    x += run.text.length
    if (x <= left) continue
    if (start >= left + width) break
    const from = Math.max(0, left - start)
    const text = run.text.slice(from, Math.max(from, left + width - start))
    const k = parts.length
    if (run.style === 'space') parts.push(text)
    else if (run.style === 'node') {
      const status = statusOf(run.node!)
      const g = status ? ROW_GLYPH[status] : undefined
      const selected = run.node === focus
      const glyph = from === 0 ? (g ? g.glyph : text[0]) : ''
      parts.push(
        <Text key={k} bold={selected}>
          <Text color={g?.color}>{glyph}</Text>
          <Text inverse={selected}>{escapeForTerminal(text.slice(from === 0 ? 1 : 0))}</Text>
        </Text>,
      )
    } else
      parts.push(
        <Text key={k} {...STYLE[run.style]}>
          {text}
        </Text>,
      )
  }
  return (
    <Box height={1} width={width}>
      <Text wrap="truncate">{parts}</Text>
    </Box>
  )
}, sameRow)

function ScopeLine({ scene, canvas, width }: { scene: Scene; canvas: Canvas; width: number }) {
  const s = scene.scoped
  const groups = s.nodes.filter((n) => n.kind === 'group').length
  let text: string
  if (s.mode === 'around') {
    const center = scene.byId.get(scene.focus)?.name ?? scene.focus
    text = `around ${center}: ${s.depth} step${s.depth === 1 ? '' : 's'} up and down (+/- ${s.depth >= MAX_DEPTH ? 'less' : 'more'}) · ${s.nodes.length} nodes · a: all`
  } else if (groups) text = `${s.assets} assets, ${groups} group${groups === 1 ? '' : 's'} collapsed (Space expands or collapses a group) · a: around the selection`
  else text = `all ${s.assets} asset${s.assets === 1 ? '' : 's'}${scene.layout.crossings ? ` · ${scene.layout.crossings} crossing(s)` : ''} · a: around the selection`
  if (scene.layout.dropped.length) text += ` · ${scene.layout.dropped.length} group edge(s) against the flow not drawn`
  if (canvas.width > width) text += ' · ←/→ follow edges to scroll'
  return (
    <Text dimColor wrap="truncate">
      {clip(`Graph · ${text}`, width)}
    </Text>
  )
}

function FocusLine({ scene, data, status, width }: { scene: Scene; data: GraphData; status: RowStatus | undefined; width: number }) {
  const node = scene.byId.get(scene.focus)
  if (!node) return <Text dimColor>Nothing to draw.</Text>
  const g = status ? ROW_GLYPH[status] : undefined
  let info: string
  if (node.kind === 'asset') {
    const ups = data.upstream(node.name).map((e) => (e.label ? `${e.from} (${e.label})` : e.from))
    const downs = data.downstream(node.name).map((e) => (e.label ? `${e.to} (${e.label})` : e.to))
    info = `  ← ${ups.length ? ups.join(', ') : 'no upstream'}  → ${downs.length ? downs.join(', ') : 'no downstream'}`
  } else if (node.kind === 'group') info = `  ${node.members!.length} assets (Space shows them)`
  else info = '  (a: all, or select a nearer asset)'
  return (
    <Text wrap="truncate">
      <Text color={g?.color}>{g ? `${g.glyph} ` : ''}</Text>
      <Text bold>{escapeForTerminal(node.kind === 'group' ? `group ${node.name}` : node.name)}</Text>
      <Text dimColor>{clip(escapeForTerminal(`${g ? ` ${g.label}` : ''}${info}`), Math.max(0, width - node.name.length - 8))}</Text>
    </Text>
  )
}
