import { relative } from 'node:path'
import { StrataError } from '../../../assets/errors.js'
import { resolveDefsPath } from '../../../engine/index.js'
import { loadTerminalUi } from '../../app/load.js'
import { workspaceOpener } from '../../app/workspace-loader.js'
import { WorkspaceModel } from '../../app/workspace-model.js'
import { GLOBAL_HELP, parseCommandArgs, positiveInt } from '../args.js'

export const help = `strata ui — interactive terminal UI: assets with status and partition bars, details and
staleness reasons, lineage, live runs and backfills with their logs; materialize, backfill and cancel

Keys: ↑/↓ j/k move · Enter details · / search (or a selection: *key, key+, group:, tag:) ·
Enter/Space on a group folds it, z all · e checks and metadata in full · ←/→ partition cursor,
Shift+←/→ or v a range · m materialize · M with downstream · s all stale · b backfill the range ·
r runs (Enter: a step's whole log; c cancels the selected run) · l lineage · g graph (←/→ along edges) ·
a automation (schedules, sensors, conditions, ticks, requested runs) · ? help · q quit;
the mouse wheel scrolls, a click selects

Options:
      --executor NAME    pool (worker threads, default) or in-process, for runs started from the UI
      --concurrency N    steps at once for runs started from the UI (default: number of CPUs)
${GLOBAL_HELP.split('\n').filter((l) => !l.includes('--json')).join('\n')}

Needs an interactive terminal; for plain output use strata list / strata status.`

export const NO_TTY_MESSAGE = 'strata ui needs an interactive terminal (a TTY). Use strata list / strata status for plain output.'

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('ui', argv, { executor: { type: 'string' }, concurrency: { type: 'string' } })
  if (values.json) throw new StrataError('STRATA_USAGE', 'strata ui has no --json output; use strata list --json or strata status KEY --json.')
  const executor = values.executor ?? 'pool'
  if (executor !== 'pool' && executor !== 'in-process') throw new StrataError('STRATA_USAGE', `Unknown executor "${executor}". Use --executor pool or --executor in-process.`)
  const concurrency = positiveInt('concurrency', values.concurrency)
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new StrataError('STRATA_USAGE', NO_TTY_MESSAGE)

  const { createElement, render, FullscreenApp } = await loadTerminalUi()

  const defsPath = resolveDefsPath(values.defs)
  const model = new WorkspaceModel({
    open: workspaceOpener({ defsFile: values.defs, home: values.home, storage: values.storage, objects: values.objects }),
    title: relative(process.cwd(), defsPath) || defsPath,
    executor,
    concurrency,
  })
  const started = model.start()

  const out = process.stdout
  out.write('\x1b[?1049h\x1b[H\x1b[2J') // alternate screen: the shell's screen comes back on exit
  const instance = render(createElement(FullscreenApp, { model }), { exitOnCtrlC: false, patchConsole: true })
  // SIGINT from another process (e.g. another UI canceling this one's run) or SIGTERM: quit, canceling own runs.
  const stop = () => instance.unmount()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    await instance.waitUntilExit()
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    out.write('\x1b[?1049l')
  }
  await started
  const active = model.ownActive()
  if (active > 0) process.stderr.write(`Canceling ${active} run(s) started from the UI: waiting for their running steps to finish…\n`)
  await model.close({ cancelRuns: true })
  return 0
}
