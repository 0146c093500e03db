import type { AssetStatus } from '../../engine/index.js'

const useColor = () => process.stdout.isTTY === true && !process.env.NO_COLOR
const wrap = (code: number) => (s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s)

export const color = {
  green: wrap(32),
  yellow: wrap(33),
  red: wrap(31),
  blue: wrap(34),
  grey: wrap(90),
  bold: wrap(1),
  dim: wrap(2),
}

export const STATUS_GLYPH: Record<AssetStatus | 'FAILED' | 'RUNNING', string> = {
  FRESH: '●',
  STALE: '◐',
  MISSING: '○',
  FAILED: '✗',
  RUNNING: '▶',
}

export function paintStatus(status: AssetStatus): string {
  const text = `${STATUS_GLYPH[status]} ${status}`
  return status === 'FRESH' ? color.green(text) : status === 'STALE' ? color.yellow(text) : color.grey(text)
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][], visibleWidth: (s: string) => number = (s) => s.replace(/\x1b\[[0-9;]*m/g, '').length): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))))
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleWidth(cell)))).join('  '))
    .join('\n')
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} m`
}

export function formatAge(ts: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ts) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86400)}d ago`
}

export function formatTime(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19)
}
