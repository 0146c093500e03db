/**
 * Turns a dev session's events (engine/watch/types.ts) into the lines of the
 * UI's dev events panel: reloads, code version changes, what is stale, load
 * errors with file:line, and auto-run progress (one line updated in place).
 */
import { dirname, relative } from 'node:path'
import type { DevEvent as SessionEvent } from '../../engine/index.js'
import type { DevEvent as PanelLine } from './dev-events.js'
import { codeChangeText, list, reloadedText, reloadErrorText, runCanceledText, runEndText, runStartText, staleText, watchingLines, type Level } from '../dev-text.js'
import { shortId } from './theme.js'


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
    const name = (f: string) => this.name(f)
    switch (e.type) {
      case 'watching':
        for (const line of watchingLines(e, name)) this.add(e.ts, 'info', line)
        return
      case 'reload-start':
        this.changed = e.changed
        return
      case 'reload-ok':
        this.base = dirname(e.defsPath)
        this.add(e.ts, 'info', reloadedText(e, this.changed, name))
        return
      case 'code-changed':
        this.add(e.ts, 'info', codeChangeText(e))
        return
      case 'stale': {
        const line = staleText(e)
        if (line) this.add(e.ts, panelLevel(line.level), line.text)
        return
      }
      case 'reload-error':
        this.add(e.ts, 'error', reloadErrorText(e, name))
        return
      case 'run-start':
        this.add(e.ts, 'info', runStartText(e))
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
        this.add(e.ts, 'warn', runCanceledText(e))
        return
      case 'run-end': {
        this.progress = undefined
        const line = runEndText(e)
        this.add(e.ts, panelLevel(line.level), line.text)
        return
      }
      case 'error':
        this.add(e.ts, 'error', `error: ${e.message}`)
        return
    }
  }
}

const panelLevel = (level: Level): PanelLine['level'] => (level === 'ok' ? 'info' : level)

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
