import type { AssetDisplayStatus, AssetStatus } from '../../engine/index.js'

/**
 * Whether output to `stream` is coloured. FORCE_COLOR decides when set (`0`
 * or `false` turn colour off, anything else on, as in Node and most CLIs);
 * else a non-empty NO_COLOR turns it off (no-color.org); else only a terminal
 * gets colour.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR) return false
  return stream.isTTY === true
}

export type Palette = Record<'green' | 'yellow' | 'red' | 'blue' | 'grey' | 'bold' | 'dim', (s: string) => string>

/** Colours for one stream, decided when each string is painted (tests and pipes change streams' state). */
export function paletteFor(stream: { isTTY?: boolean }): Palette {
  const wrap = (code: number) => (s: string) => (colorEnabled(stream) ? `\x1b[${code}m${s}\x1b[0m` : s)
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), blue: wrap(34), grey: wrap(90), bold: wrap(1), dim: wrap(2) }
}

/** For stdout; what goes to stderr (errors, progress) is painted with `errColor`. */
export const color = paletteFor(process.stdout)
export const errColor = paletteFor(process.stderr)

export const STATUS_GLYPH: Record<AssetStatus | 'FAILED' | 'RUNNING', string> = {
  FRESH: '●',
  STALE: '◐',
  MISSING: '○',
  FAILED: '✗',
  RUNNING: '▶',
}

export function paintStatus(status: AssetDisplayStatus): string {
  const text = `${STATUS_GLYPH[status]} ${status}`
  return status === 'FRESH' ? color.green(text) : status === 'STALE' ? color.yellow(text) : status === 'FAILED' ? color.red(text) : color.grey(text)
}

// A field set to undefined would vanish from the document: it is written as null (see json.ts).
const undefinedAsNull = (_key: string, v: unknown) => (v === undefined ? null : v)

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, undefinedAsNull, 2) + '\n')
}

/** One line, for output read as a stream (`strata serve --json` stays running after it). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value, undefinedAsNull) + '\n')
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

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

export function formatTime(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19)
}

// C0 controls, DEL and C1 controls (ESC and CSI among them), plus the Unicode
// bidi overrides and line separators that reorder or break what follows.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

function visible(c: string): string {
  const code = c.charCodeAt(0)
  if (c === '\t') return '\\t'
  if (c === '\r') return '\\r'
  if (c === '\n') return '\\n'
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Text from storage or user code (partition keys, asset keys, messages, log
 * lines) rendered so it cannot move the cursor, clear the screen or recolour
 * what follows: control characters become visible escapes such as `\x1b`.
 * `multiline` keeps line breaks (log lines, error messages with details).
 */
export function escapeForTerminal(text: string, opts: { multiline?: boolean } = {}): string {
  const pattern = opts.multiline ? CONTROL_EXCEPT_NEWLINE : CONTROL
  pattern.lastIndex = 0
  return pattern.test(text) ? text.replace(pattern, visible) : text
}
