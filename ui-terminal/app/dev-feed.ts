/**
 * Turns a dev session's events (engine/watch/types.ts) into the lines of the
 * UI's dev events panel: reloads, code version changes, what is stale, load
 * errors with file:line, and auto-run progress (one line updated in place).
 */
import { basename, dirname, relative } from 'node:path'
import type { DevEvent as SessionEvent } from '../../engine/watch/types.js'
import type { DevEvent as PanelLine } from './dev-events.js'
import { duration, shortId } from './theme.js'

const short = (v: string) => v.slice(0, 4) + '…'
const list = (keys: readonly string[], max = 6) => keys.slice(0, max).join(', ') + (keys.length > max ? ` +${keys.length - max} more` : '')

/** Lines kept for the panel (it shows the last few). */
const KEEP = 200

export class DevFeed {
  private lines: PanelLine[] = []
  /** Files are named relative to this directory (the definitions file's, once loaded). */
  private base: string
  private changed: string[] = []
  /** Index of the auto run's progress line, replaced as steps end. */
  private progress?: { index: number; runId?: string; total: number; done: number; failed: number; running: Set<string> }

  constructor(
    private readonly onChange?: (lines: readonly PanelLine[]) => void,
    base = process.cwd(),
  ) {
    this.base = base
  }

  get current(): readonly PanelLine[] {
    return this.lines
  }

  private name(file: string): string {
    const rel = relative(this.base, file)
    return rel && !rel.startsWith('..') ? rel : file
  }

  private add(ts: number, level: PanelLine['level'], message: string): number {
    this.lines = [...this.lines, { ts, level, message }]
    if (this.lines.length > KEEP) {
      const drop = this.lines.length - KEEP
      this.lines = this.lines.slice(drop)
      if (this.progress) this.progress.index -= drop
    }
    return this.lines.length - 1
  }

  private setProgress(ts: number): void {
    const p = this.progress
    if (!p || p.index < 0) return
    const running = p.running.size ? `; running ${list([...p.running], 3)}` : ''
    const failed = p.failed ? `, ${p.failed} failed` : ''
    const message = `run ${p.runId ? shortId(p.runId) : '…'}: ${p.done}/${p.total || '?'} step(s) done${failed}${running}`
    this.lines = this.lines.map((l, i) => (i === p.index ? { ts, level: p.failed ? 'warn' : 'info', message } : l))
  }

  /** Adds an event; returns the panel's lines. */
  push(e: SessionEvent): readonly PanelLine[] {
    const before = this.lines
    this.apply(e)
    if (this.lines !== before) this.onChange?.(this.lines)
    return this.lines
  }

  /** A line of output printed by the user's code (in the session's workers). */
  output(text: string, ts = Date.now()): void {
    this.add(ts, 'info', `│ ${text}`)
    this.onChange?.(this.lines)
  }

  private apply(e: SessionEvent): void {
    switch (e.type) {
      case 'watching':
        if (e.removed.length === 0 && e.added.length === e.files.length) this.add(e.ts, 'info', `watching ${e.files.length} file(s): ${list(e.files.map((f) => this.name(f)))}`)
        else {
          if (e.added.length) this.add(e.ts, 'info', `now also watching ${list(e.added.map((f) => this.name(f)))}`)
          if (e.removed.length) this.add(e.ts, 'info', `no longer watching ${list(e.removed.map((f) => this.name(f)))}`)
        }
        return
      case 'reload-start':
        this.changed = e.changed
        return
      case 'reload-ok': {
        this.base = dirname(e.defsPath)
        const after = this.changed.length ? ` after ${list(this.changed.map((f) => this.name(f)), 3)} changed` : ''
        this.add(e.ts, 'info', `${e.reload === 1 ? 'loaded' : 'reloaded'} ${basename(e.defsPath)} (${e.assetCount} assets, ${duration(e.durationMs)})${after}`)
        return
      }
      case 'code-changed': {
        const parts: string[] = []
        if (e.changed.length) parts.push(`code changed: ${e.changed.map((c) => `${c.key} (${short(c.previous)} → ${short(c.current)})`).join(', ')}`)
        if (e.added.length) parts.push(`added: ${list(e.added)}`)
        if (e.removed.length) parts.push(`removed: ${list(e.removed)}`)
        this.add(e.ts, 'info', parts.length ? parts.join('; ') : 'no code version changed')
        return
      }
      case 'stale':
        if (e.after === 'run' && e.assets.length === 0) return
        if (e.assets.length === 0) this.add(e.ts, 'info', `all ${e.total} assets fresh`)
        else
          this.add(
            e.ts,
            'warn',
            `${e.after === 'run' ? 'still stale' : 'stale'}: ${list(e.assets.map((a) => a.key))}${e.assets.length === 1 ? ` (${e.assets[0]!.reason})` : ` (${e.assets.length} of ${e.total})`}`,
          )
        return
      case 'reload-error': {
        const where = e.location ? `${this.name(e.location.file)}:${e.location.line}:${e.location.column} ` : ''
        const code = e.code && e.code !== 'STRATA_DEFINITIONS_LOAD' ? ` [${e.code}]` : ''
        const keep = e.inEffect === null ? 'nothing loaded yet; fix it and save' : 'keeping the last good definitions'
        this.add(e.ts, 'error', `reload failed: ${where}${e.message}${code} — ${keep}`)
        return
      }
      case 'run-start':
        this.add(e.ts, 'info', `materializing ${e.keys.length} missing/stale asset(s): ${list(e.keys)}`)
        this.progress = { index: this.add(e.ts, 'info', 'run starting…'), total: 0, done: 0, failed: 0, running: new Set() }
        return
      case 'run-event': {
        const p = this.progress
        if (!p) return
        const r = e.event
        if (r.type === 'run-start') {
          p.runId = r.runId
          p.total = r.total
        } else if (r.type === 'step-start') p.running.add(r.step.id)
        else if (r.type === 'step-end') {
          p.running.delete(r.step.id)
          p.done++
          if (r.result.status === 'FAILURE') p.failed++
        } else return
        this.setProgress(e.ts)
        return
      }
      case 'run-canceled':
        this.add(e.ts, 'warn', e.reason === 'close' ? 'canceling the run: running steps finish' : 'newer definitions: canceling the run (running steps finish), then planning again')
        return
      case 'run-end': {
        this.progress = undefined
        const c = e.counts
        const parts = [`${c.succeeded} materialized`]
        if (c.upToDate) parts.push(`${c.upToDate} already up to date`)
        if (c.failed) parts.push(`${c.failed} failed`)
        if (c.skipped) parts.push(`${c.skipped} skipped`)
        const head = e.runId === null && !e.error ? 'nothing to materialize' : e.status === 'SUCCESS' ? 'run succeeded' : e.status === 'CANCELED' ? 'run canceled' : 'run failed'
        const detail = e.error ? `: ${e.error}` : e.runId ? ` in ${duration(e.durationMs)}: ${parts.join(', ')}${c.failed ? ` (strata logs ${e.runId})` : ''}` : ''
        this.add(e.ts, e.status === 'SUCCESS' || e.runId === null ? 'info' : e.status === 'CANCELED' ? 'warn' : 'error', head + detail)
        return
      }
      case 'error':
        this.add(e.ts, 'error', `error: ${e.message}`)
        return
    }
  }
}

/**
 * The feed's lines as an external store for React, notifying at most every
 * `intervalMs` (a chatty run does not re-render per step).
 */
export class DevLines {
  readonly feed: DevFeed
  private shown: readonly PanelLine[] = []
  private readonly listeners = new Set<() => void>()
  private timer?: NodeJS.Timeout
  private readonly intervalMs: number

  constructor(opts: { intervalMs?: number; base?: string } = {}) {
    this.intervalMs = opts.intervalMs ?? 50
    this.feed = new DevFeed(() => this.schedule(), opts.base)
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get = (): readonly PanelLine[] => this.shown

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.shown = this.feed.current
      for (const l of this.listeners) l()
    }, this.intervalMs)
  }

  close(): void {
    clearTimeout(this.timer)
  }
}
