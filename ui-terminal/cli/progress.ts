import type { RunEvent, StepResult } from '../../engine/index.js'
import { escapeForTerminal, formatDuration, paletteFor, type Palette } from './output.js'

const BAR_WIDTH = 24

/** Step ids carry partition keys, and messages come from user code: both are escaped before they reach the terminal. */
function stepLabel(r: { id: string }): string {
  return escapeForTerminal(r.id)
}

/**
 * Shows a run as it goes. On a terminal: a live progress line with the steps
 * running now, and failures/logs printed above it. Otherwise: one plain line
 * per finished step, good for logs and CI (never the redrawn progress line).
 * `failuresOnly` (--quiet) prints nothing but the steps that failed.
 */
export class RunProgress {
  private total = 0
  private done = 0
  private ok = 0
  private failed = 0
  private skipped = 0
  private upToDate = 0
  private readonly running = new Set<string>()
  private started = Date.now()
  private lastDraw = 0
  private drawn = false
  private timer: NodeJS.Timeout | undefined

  private readonly c: Palette
  private readonly live: boolean

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    live = out.isTTY === true,
    private readonly failuresOnly = false,
  ) {
    this.c = paletteFor(out)
    this.live = live && !failuresOnly
  }

  handle = (e: RunEvent): void => {
    if (this.failuresOnly) {
      if (e.type === 'step-end' && e.result.status === 'FAILURE') this.record(e.result)
      return
    }
    switch (e.type) {
      case 'run-start':
        this.total = e.total
        this.started = Date.now()
        this.line(this.c.dim(`Run ${e.runId} — ${e.total} step(s)`))
        if (this.live) this.timer = setInterval(() => this.draw(true), 250)
        break
      case 'step-start':
        this.running.add(e.step.id)
        this.draw()
        break
      case 'step-log': {
        const message = escapeForTerminal(e.line.message, { multiline: true })
        this.line(`${this.c.dim(`${stepLabel(e.step)} │`)} ${e.line.level === 'error' ? this.c.red(message) : e.line.level === 'warn' ? this.c.yellow(message) : message}`)
        break
      }
      case 'step-retry':
        this.running.delete(e.step.id)
        this.line(this.c.yellow(`↻ ${stepLabel(e.step)} attempt ${e.attempt} failed: ${escapeForTerminal(e.error.message, { multiline: true })} — retrying in ${formatDuration(e.delayMs)}`))
        break
      case 'step-end':
        this.running.delete(e.step.id)
        this.done++
        this.record(e.result)
        this.draw()
        break
      case 'run-end':
        if (this.timer) clearInterval(this.timer)
        this.clear()
        break
    }
  }

  private record(r: StepResult): void {
    if (r.status === 'SUCCESS') {
      this.ok++
      if (!this.live) this.line(`${this.c.green('✓')} ${stepLabel(r)} ${this.c.dim(`${formatDuration(r.durationMs)}  data ${r.dataVersion?.slice(0, 12)}`)}`)
    } else if (r.status === 'FAILURE') {
      this.failed++
      this.line(`${this.c.red('✗')} ${stepLabel(r)} failed${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}: ${escapeForTerminal(r.error?.message ?? 'unknown error', { multiline: true })}`)
    } else if (r.skipReason === 'UP_TO_DATE') {
      this.upToDate++
      if (!this.live) this.line(`${this.c.dim('=')} ${stepLabel(r)} ${this.c.dim('up to date (inputs unchanged)')}`)
    } else if (r.skipReason === 'CANCELED' && r.error) {
      // Stopped while it ran (the others were canceled before they started).
      this.skipped++
      this.line(`${this.c.yellow('⊘')} ${stepLabel(r)} ${escapeForTerminal(r.error.message)}`)
    } else {
      this.skipped++
      if (!this.live || r.skipReason !== 'CANCELED') {
        this.line(`${this.c.grey('⊘')} ${stepLabel(r)} ${this.c.dim(r.skipReason === 'CANCELED' ? 'skipped: run canceled' : `skipped: upstream ${escapeForTerminal(r.blockedBy ?? '')} failed`)}`)
      }
    }
  }

  private line(text: string): void {
    this.clear()
    this.out.write(text + '\n')
    this.draw(true)
  }

  private clear(): void {
    if (this.live && this.drawn) {
      this.out.write('\r\x1b[2K')
      this.drawn = false
    }
  }

  private draw(force = false): void {
    if (!this.live || this.total === 0) return
    const now = Date.now()
    if (!force && now - this.lastDraw < 80) return
    this.lastDraw = now
    const filled = Math.round((this.done / this.total) * BAR_WIDTH)
    const bar = this.c.green('█'.repeat(filled)) + this.c.grey('░'.repeat(BAR_WIDTH - filled))
    const elapsed = (now - this.started) / 1000
    const rate = elapsed > 0 ? this.done / elapsed : 0
    const eta = rate > 0 && this.done < this.total ? ` eta ${formatDuration(((this.total - this.done) / rate) * 1000)}` : ''
    const running = [...this.running].slice(0, 3).map((id) => escapeForTerminal(id)).join(', ') + (this.running.size > 3 ? ` +${this.running.size - 3}` : '')
    const counts = `${this.c.green(`✓${this.ok}`)}${this.upToDate ? this.c.dim(` =${this.upToDate}`) : ''}${this.failed ? this.c.red(` ✗${this.failed}`) : ''}${this.skipped ? this.c.grey(` ⊘${this.skipped}`) : ''}`
    const text = `${bar} ${this.done}/${this.total} ${counts}${eta}${running ? this.c.dim(`  ▶ ${running}`) : ''}`
    // A terminal that reports no size (0 columns, e.g. a bare pty) still gets the line.
    const cols = this.out.columns || 120
    this.out.write('\r\x1b[2K' + truncateVisible(text, cols - 1))
    this.drawn = true
  }
}

function truncateVisible(text: string, width: number): string {
  let visible = 0
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\x1b') {
      const end = text.indexOf('m', i)
      out += text.slice(i, end + 1)
      i = end
      continue
    }
    if (visible >= width) break
    out += text[i]
    visible++
  }
  return out.includes('\x1b') ? out + '\x1b[0m' : out
}
