import { StrataError } from '../../../assets/errors.js'
import { offsetClock, startDaemon, systemClock, type DaemonEvent } from '../../../engine/index.js'
import { GLOBAL_HELP, parseCommandArgs } from '../args.js'
import { daemonEventJson } from '../automation-json.js'
import { partitionList } from '../partition-list.js'
import { color, escapeForTerminal } from '../output.js'

export const help = `strata daemon — run automation: conditions, schedules and sensors, with no command typed

Every interval it evaluates each asset's automation condition, the schedules'
cron ticks (ticks missed while it was down are caught up per catchUp) and the
sensors (each on its own interval), records why each did or did not request a
run, and launches the requested runs, at most automation.maxConcurrentRuns at
once (default 1; the rest wait in order). One daemon per home: a second one
exits 2 naming the first's pid. Saving a definitions file reloads them; a
reload that fails keeps the last good definitions. Ctrl-C stops ticking and
waits for running runs (a second Ctrl-C leaves them; the next daemon marks
them failed).

Options:
      --interval SECONDS   how often conditions are evaluated (default 30)
${GLOBAL_HELP}

Output: one line per tick that did something, launch, run end and reload;
with --json one JSON object per line. See: strata automation list | why KEY`

/** `--now ISO` / STRATA_NOW: the daemon's clock starts there and runs at real speed (tests pass midnight without waiting). */
function clockFrom(text: string | undefined) {
  if (text === undefined) return systemClock
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new StrataError('STRATA_USAGE', `--now takes an ISO date and time, e.g. 2024-01-02T00:05:00Z (got "${text}").`)
  return offsetClock(t)
}

function intervalMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new StrataError('STRATA_USAGE', `--interval takes a number of seconds > 0 (got "${text}"), e.g. strata daemon --interval 30.`)
  return Math.round(n * 1000)
}

const time = (iso: string) => iso.slice(11, 19)
const short = (runId: string) => `${runId.slice(0, 8)}…`

function line(e: DaemonEvent, now: () => string): string | undefined {
  switch (e.type) {
    case 'started': {
      const what = `${e.conditions} condition(s), ${e.schedules} schedule(s), ${e.sensors} sensor(s)`
      const took = e.replaced ? ` (took over from pid ${e.replaced.pid} on ${e.replaced.host}, which is gone)` : ''
      return `strata daemon pid ${e.pid} on ${escapeForTerminal(e.home)}: ${what}${took}`
    }
    case 'tick':
      // A conditions tick that changed nothing is the common case: not printed.
      if (e.sourceKind === 'conditions' && e.requested === 0 && e.status !== 'FAILED') return undefined
      if (e.sourceKind === 'sensor' && e.status === 'SKIPPED') return undefined
      return `${time(e.at)} ${e.sourceKind === 'conditions' ? 'conditions' : `${e.sourceKind} ${escapeForTerminal(e.sourceName)}`}: ${e.status === 'FAILED' ? color.red(e.status) : e.status}${e.message ? ` ${escapeForTerminal(e.message)}` : ''}`
    case 'launch':
      return `${now()} launched run ${short(e.runId)} (request ${e.requestId}): ${escapeForTerminal(e.selection)}${e.partitionKeys?.length ? ` [${escapeForTerminal(partitionList(e.partitionKeys))}]` : ''} — ${escapeForTerminal(e.reason)}`
    case 'run-end': {
      const status = e.status === 'SUCCESS' ? color.green(e.status) : e.status === 'FAILURE' || e.status.startsWith('NOT_LAUNCHED') ? color.red(e.status) : e.status
      return `${now()} run ${short(e.runId)} ${status}: ${escapeForTerminal(e.selection)}`
    }
    case 'recovered':
      return `resumed ${e.relaunched} request(s) the previous daemon recorded but never launched`
    case 'sensor-log':
      return `${now()} sensor ${escapeForTerminal(e.sensor)} [${e.level}] ${escapeForTerminal(e.message)}`
    case 'reload':
      return e.ok
        ? `${now()} definitions reloaded: ${e.conditions} condition(s), ${e.schedules} schedule(s), ${e.sensors} sensor(s)`
        : color.red(`${now()} definitions failed to reload; keeping the last good ones: ${escapeForTerminal(e.error, { multiline: true })}${e.code ? ` [${e.code}]` : ''}`)
    case 'error':
      return color.red(`${now()} error: ${escapeForTerminal(e.message, { multiline: true })}`)
    case 'stopped':
      return `strata daemon stopped (${e.reason})`
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('daemon', argv, { interval: { type: 'string' }, now: { type: 'string' }, 'tick-once': { type: 'boolean' } })
  if (positionals.length) throw new StrataError('STRATA_USAGE', `strata daemon takes no arguments (got "${positionals[0]}"). See strata daemon --help.`)
  const clock = clockFrom(values.now ?? process.env.STRATA_NOW)
  const once = values['tick-once'] === true
  let failedRuns = 0
  const now = () => time(clock.now().toISOString())
  const daemon = await startDaemon({
    defsPath: values.defs,
    home: values.home,
    storage: values.storage,
    objects: values.objects,
    intervalMs: intervalMs(values.interval),
    clock,
    once,
    onEvent: (e) => {
      if (e.type === 'run-end' && e.status !== 'SUCCESS' && e.status !== 'NOTHING_TO_DO') failedRuns++
      if (values.json) process.stdout.write(`${JSON.stringify(daemonEventJson(e))}\n`)
      else {
        const text = line(e, now)
        if (text !== undefined) console.log(text)
      }
    },
  })
  let signals = 0
  const onSignal = () => {
    signals++
    if (signals === 1) {
      process.stderr.write(color.yellow('\nStopping: no new ticks; waiting for running runs. Press Ctrl-C again to leave them (the next daemon marks them failed).\n'))
      void daemon.stop('interrupted')
    } else {
      void daemon.stop('interrupted', { now: true }).finally(() => process.exit(0))
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    await daemon.done
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  return once && failedRuns > 0 ? 1 : 0
}
