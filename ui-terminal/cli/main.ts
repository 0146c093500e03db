import { isStrataError } from '../../assets/errors.js'
import { color } from './output.js'

const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number>; help: string }>> = {
  list: () => import('./commands/list.js'),
  materialize: () => import('./commands/materialize.js'),
  why: () => import('./commands/why.js'),
  lineage: () => import('./commands/lineage.js'),
  runs: () => import('./commands/runs.js'),
  logs: () => import('./commands/logs.js'),
  status: () => import('./commands/status.js'),
  backfill: () => import('./commands/backfill.js'),
  partitions: () => import('./commands/partitions.js'),
  models: () => import('./commands/models.js'),
  ui: () => import('./commands/ui.js'),
  dev: () => import('./commands/dev.js'),
  serve: () => import('./commands/serve.js'),
}

const USAGE = `strata — software-defined assets: see what is stale, materialize it, trace its lineage

Usage: strata <command> [options]

Commands:
  list [SELECTION]          assets with status (MISSING / STALE / FRESH) and reasons
  materialize [SELECTION]   build assets (--stale: only what is missing or stale)
  why KEY                   why an asset is stale, traced to root causes
  lineage KEY               the upstream materializations behind the latest one
  status KEY                per-partition status counts and a partition bar
  backfill SELECTION --from KEY --to KEY
                            materialize a partition range; list|show|resume|retry|cancel ID
  partitions add|delete|list NAME KEY...
                            keys of dynamic partitions
  models list|show|promote|rollback
                            the model registry: versions, stages, gates, rollback
  runs                      recent runs
  logs RUN_ID               events and log lines of a run
  ui                        interactive terminal UI: status, details, live runs; materialize and backfill
  dev [--auto]              watch mode: reload on save, show what is stale (--auto: rebuild it)
  serve [--port N]          HTTP predictions from production models (--shadow STAGE, --canary STAGE:PCT)

Every command takes -f/--defs FILE (default ./definitions.ts), --home DIR and --json.
Run strata <command> --help for details.`

/** Exit codes: 0 success, 1 a run failed (or nothing found), 2 bad usage or invalid definitions. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 2
  }
  if (command === '--version' || command === '-v') {
    const { default: pkg } = await import('../../package.json', { with: { type: 'json' } })
    console.log(pkg.version)
    return 0
  }
  const load = COMMANDS[command]
  if (!load) {
    console.error(`strata: unknown command "${command}".\n\n${USAGE}`)
    return 2
  }
  const mod = await load()
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(mod.help)
    return 0
  }
  try {
    return await mod.run(rest)
  } catch (err) {
    if (isStrataError(err)) {
      console.error(`${color.red('error')} ${err.message} ${color.dim(`[${err.code}]`)}`)
      return err.code === 'STRATA_NOT_FOUND' ? 1 : 2
    }
    throw err
  }
}

// `strata list | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}

process.exitCode = await main(process.argv.slice(2))
