/**
 * Helpers for watch-mode tests: collecting a dev session's events (from the
 * API or from `strata dev --json` output) and waiting for one that matches.
 */
import type { DevEvent } from '../../engine/watch/index.js'

export type Match = (e: DevEvent) => boolean

export interface EventLog {
  readonly events: DevEvent[]
  /** Feed for `onEvent`. */
  push(e: DevEvent): void
  /** Resolves with the first event from index `from` on that matches; rejects after `timeoutMs` with the events seen. */
  waitFor(match: Match, opts?: { from?: number; timeoutMs?: number; what?: string }): Promise<DevEvent>
  /** Index to pass as `from` to wait only for later events. */
  mark(): number
}

export function eventLog(): EventLog {
  const events: DevEvent[] = []
  const waiters = new Set<() => void>()
  return {
    events,
    push(e) {
      events.push(e)
      for (const w of [...waiters]) w()
    },
    mark: () => events.length,
    waitFor(match, opts = {}) {
      const from = opts.from ?? 0
      const timeoutMs = opts.timeoutMs ?? 20_000
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match)
          if (!found) return false
          cleanup()
          resolve(found)
          return true
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'an event'}. Events so far:\n${events.map(brief).join('\n')}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        if (!check()) waiters.add(check)
      })
    },
  }
}

/** One line per event, without the bulky parts, for failure messages. */
export function brief(e: DevEvent): string {
  if (e.type === 'run-event') {
    const r = e.event
    return `run-event ${r.type}${'step' in r ? ` ${r.step.id}` : ''}${r.type === 'step-end' ? ` ${r.result.status}${r.result.skipReason ? `/${r.result.skipReason}` : ''}` : ''}`
  }
  const { ts: _ts, ...rest } = e
  return JSON.stringify(rest).slice(0, 300)
}

/** Parses `strata dev --json` output incrementally: one event per line. */
export function lineParser(onEvent: (e: DevEvent) => void): (chunk: string) => void {
  let buffer = ''
  return (chunk) => {
    buffer += chunk
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim()
      buffer = buffer.slice(nl + 1)
      if (line.startsWith('{')) onEvent(JSON.parse(line) as DevEvent)
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
