import { relative } from 'node:path'
import { StrataError } from '../../../assets/errors.js'
import { resolveDefsPath } from '../../../engine/index.js'
import { workspaceOpener } from '../../app/workspace-loader.js'
import { WorkspaceModel } from '../../app/workspace-model.js'
import { GLOBAL_HELP, parseCommandArgs, positiveInt } from '../args.js'

export const help = `strata ui — interactive terminal UI: assets with status and partition bars, details and
staleness reasons, lineage, live runs and backfills with their logs; materialize, backfill and cancel

Keys: ↑/↓ j/k move · Enter details · / filter (selection syntax) · ←/→ partition cursor,
Shift+←/→ or v a range · m materialize · M with downstream · s all stale · b backfill the range ·
r runs (c cancels the selected run) · l lineage · ? help · q quit

Options:
      --executor NAME    pool (worker threads, default) or in-process, for runs started from the UI
      --concurrency N    steps at once for runs started from the UI (default: number of CPUs)
${GLOBAL_HELP.split('\n').filter((l) => !l.includes('--json')).join('\n')}

Needs an interactive terminal; for plain output use strata list / strata status.`

export const NO_TTY_MESSAGE = 'strata ui needs an interactive terminal (a TTY). Use strata list / strata status for plain output.'

/** Environment variables that make Ink believe it runs in CI (it then draws only the last frame). */
const CI_VARS = (env: NodeJS.ProcessEnv) => Object.keys(env).filter((k) => k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_'))

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('ui', argv, { executor: { type: 'string' }, concurrency: { type: 'string' } })
  if (values.json) throw new StrataError('STRATA_USAGE', 'strata ui has no --json output; use strata list --json or strata status KEY --json.')
  const executor = values.executor ?? 'pool'
  if (executor !== 'pool' && executor !== 'in-process') throw new StrataError('STRATA_USAGE', `Unknown executor "${executor}". Use --executor pool or --executor in-process.`)
  const concurrency = positiveInt('concurrency', values.concurrency)
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    console.error(NO_TTY_MESSAGE)
    return 2
  }

  // Ink and React read the environment once, when loaded. There is a terminal, so this is interactive
  // even if CI variables are set (Ink would draw only the last frame); and React's production build
  // renders several times faster. Both only while they load: compute code sees the environment as it was.
  const saved = Object.fromEntries([...CI_VARS(process.env), 'NODE_ENV'].map((k) => [k, process.env[k]]))
  for (const k of CI_VARS(process.env)) delete process.env[k]
  process.env.NODE_ENV = 'production'
  const { createElement } = await import('react')
  const { render } = await import('ink')
  const { FullscreenApp } = await import('../../app/fullscreen.js')
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }

  const defsPath = resolveDefsPath(values.defs)
  const model = new WorkspaceModel({
    open: workspaceOpener({ defsFile: values.defs, home: values.home }),
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
