/**
 * How `strata dev` events read, shared by the plain log (`strata dev` without
 * a terminal) and the UI's dev-events panel: the same words in both places.
 */
import { basename } from 'node:path'
import type { DevEvent } from '../engine/index.js'
import { formatDuration } from './cli/output.js'

type Of<T extends DevEvent['type']> = Extract<DevEvent, { type: T }>
export type Level = 'info' | 'warn' | 'error' | 'ok'

export const shortVersion = (v: string) => v.slice(0, 4) + '…'
export const list = (keys: readonly string[], max = 6) => keys.slice(0, max).join(', ') + (keys.length > max ? ` +${keys.length - max} more` : '')

export function watchingLines(e: Of<'watching'>, name: (file: string) => string): string[] {
  if (e.removed.length === 0 && e.added.length === e.files.length) return [`watching ${e.files.length} file(s): ${list(e.files.map(name))}`]
  const lines: string[] = []
  if (e.added.length) lines.push(`now also watching ${list(e.added.map(name))}`)
  if (e.removed.length) lines.push(`no longer watching ${list(e.removed.map(name))}`)
  return lines
}

/** `changed`: the files whose save started this reload. */
export function reloadedText(e: Of<'reload-ok'>, changed: readonly string[], name: (file: string) => string): string {
  const after = changed.length ? ` after ${list(changed.map(name), 3)} changed` : ''
  return `${e.reload === 1 ? 'loaded' : 'reloaded'} ${basename(e.defsPath)} (${e.assetCount} assets, ${formatDuration(e.durationMs)})${after}`
}

export function codeChangeText(e: Of<'code-changed'>): string {
  const parts: string[] = []
  // Assets changed the same way are named together: `b, c: code changed: helper ./lib.ts (factor)`.
  const explained = new Map<string, string[]>()
  const bare = e.changed.filter((c) => !c.changes?.length)
  for (const c of e.changed) if (c.changes?.length) explained.set(c.changes.join('; '), [...(explained.get(c.changes.join('; ')) ?? []), c.key])
  for (const [text, keys] of explained) parts.push(`${list(keys)}: ${text}`)
  if (bare.length) parts.push(`code changed: ${bare.map((c) => `${c.key} (${shortVersion(c.previous)} → ${shortVersion(c.current)})`).join(', ')}`)
  if (e.added.length) parts.push(`added: ${list(e.added)}`)
  if (e.removed.length) parts.push(`removed: ${list(e.removed)}`)
  return parts.length ? parts.join('; ') : 'no code version changed'
}

/** Undefined when there is nothing worth a line (a run left nothing stale). */
export function staleText(e: Of<'stale'>): { text: string; level: Level } | undefined {
  if (e.after === 'run' && e.assets.length === 0) return undefined
  if (e.assets.length === 0) return { text: `all ${e.total} assets fresh`, level: 'ok' }
  const detail = e.assets.length === 1 ? ` (${e.assets[0]!.reason})` : ` (${e.assets.length} of ${e.total})`
  return { text: `${e.after === 'run' ? 'still stale' : 'stale'}: ${list(e.assets.map((a) => a.key))}${detail}`, level: 'warn' }
}

export function reloadErrorText(e: Of<'reload-error'>, name: (file: string) => string): string {
  const where = e.location ? `${name(e.location.file)}:${e.location.line}:${e.location.column} ` : ''
  const code = e.code && e.code !== 'STRATA_DEFINITIONS_LOAD' ? ` [${e.code}]` : ''
  const keep = e.inEffect === null ? 'nothing loaded yet; fix it and save' : 'keeping the last good definitions'
  return `reload failed: ${where}${e.message}${code} — ${keep}`
}

export const runStartText = (e: Of<'run-start'>) => `materializing ${e.keys.length} missing/stale asset(s): ${list(e.keys)}`

export const runCanceledText = (e: Of<'run-canceled'>) =>
  e.reason === 'close' ? 'canceling the run: running steps finish' : 'newer definitions: canceling the run (running steps finish), then planning again'

export function runEndText(e: Of<'run-end'>): { text: string; level: Level } {
  const c = e.counts
  const parts = [`${c.succeeded} materialized`]
  if (c.upToDate) parts.push(`${c.upToDate} already up to date`)
  if (c.failed) parts.push(`${c.failed} failed`)
  if (c.skipped) parts.push(`${c.skipped} skipped`)
  const head = e.runId === null && !e.error ? 'nothing to materialize' : e.status === 'SUCCESS' ? 'run succeeded' : e.status === 'CANCELED' ? 'run canceled' : 'run failed'
  const detail = e.error ? `: ${e.error}` : e.runId ? ` in ${formatDuration(e.durationMs)}: ${parts.join(', ')}${c.failed ? ` (strata logs ${e.runId})` : ''}` : ''
  const level: Level = e.runId === null ? 'info' : e.status === 'SUCCESS' ? 'ok' : e.status === 'CANCELED' ? 'warn' : 'error'
  return { text: head + detail, level }
}
