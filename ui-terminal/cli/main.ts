import { isStrataError } from '../../assets/errors.js'
import { moveGlobalOptionsAfterCommand } from './args.js'
import { color, escapeForTerminal } from './output.js'

const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number>; help: string }>> = {
  init: () => import('./commands/init.js'),
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
  gc: () => import('./commands/gc.js'),
}

const USAGE = `strata — software-defined assets: see what is stale, materialize it, trace its lineage

Usage: strata <command> [options]

Commands:
  init [DIR]                set up a project: definitions.ts, tsconfig.json, package.json, .gitignore
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
  gc [--grace HOURS]        delete objects nothing refers to and temporary files of killed runs

Every command takes -f/--defs FILE (default ./definitions.ts), --home DIR and --json,
before or after the command name.
Run strata <command> --help for details.`

/** One line on stderr: what went wrong, with its stable code. */
function printError(message: string, code: string): void {
  console.error(`${color.red('error')} ${escapeForTerminal(message, { multiline: true })} ${color.dim(`[${code}]`)}`)
}

const ENVIRONMENT_SQLITE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|READONLY|CANTOPEN|NOTADB|PERM|PROTOCOL|NOLFS|AUTH)/

/**
 * Failures of the machine rather than of Strata's code: a database or file
 * system error (disk full, permissions, a locked or corrupt file). They are
 * reported as one coded line; anything else is a bug and keeps its stack.
 */
function environmentError(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined
  if (err.name === 'SqliteError') {
    const code = String((err as { code?: unknown }).code)
    return ENVIRONMENT_SQLITE.test(code) ? `The Strata database failed: ${err.message} (${code}).` : undefined
  }
  const sys = err as NodeJS.ErrnoException
  if (typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string') return err.message
  return undefined
}

/** Exit codes: 0 success, 1 a run failed (or nothing found), 2 bad usage or invalid definitions. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    // By the package's own name: the sources and the compiled copy (dist/) sit at different depths below it.
    const { createRequire } = await import('node:module')
    const pkg = createRequire(import.meta.url)('strata-engine/package.json') as { version: string }
    console.log(pkg.version)
    return 0
  }
  let args: string[]
  try {
    args = moveGlobalOptionsAfterCommand(argv)
  } catch (err) {
    if (!isStrataError(err)) throw err
    printError(err.message, err.code)
    return 2
  }
  const [command, ...rest] = args
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 2
  }
  const load = COMMANDS[command]
  if (!load) {
    printError(`strata: unknown command "${command}"; the commands are ${Object.keys(COMMANDS).join(', ')}. See strata --help.`, 'STRATA_USAGE')
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
      printError(err.message, err.code)
      return err.code === 'STRATA_NOT_FOUND' ? 1 : 2
    }
    const message = environmentError(err)
    if (message === undefined) throw err
    printError(message, 'STRATA_STORAGE')
    return 2
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
