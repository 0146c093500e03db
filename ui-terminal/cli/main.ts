import { moveGlobalOptionsAfterCommand, wantsJson } from './args.js'
import { EXIT, classify, printError } from './errors.js'
import { didYouMean } from './suggest.js'

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
  doctor: () => import('./commands/doctor.js'),
  daemon: () => import('./commands/daemon.js'),
  automation: () => import('./commands/automation.js'),
  worker: () => import('./commands/worker.js'),
  workers: () => import('./commands/workers.js'),
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
  models list|show|lineage|promote|rollback
                            the model registry: versions, stages, gates, rollback
  runs                      recent runs
  logs RUN_ID               events and log lines of a run
  ui                        interactive terminal UI: status, details, live runs; materialize and backfill
  dev [--auto]              watch mode: reload on save, show what is stale (--auto: rebuild it)
  serve [--port N]          HTTP predictions from production models (--shadow STAGE, --canary STAGE:PCT)
  gc [--grace HOURS]        delete objects nothing refers to and temporary files of killed runs
  doctor [--dry-run]        check the database and stored values; remove stray files, mark damaged values stale
  daemon [--interval S]     run automation: conditions, schedules and sensors launch runs
  automation list|why KEY   what is automated; why an asset did or did not run
  worker --queue URL        run the steps of --executor queue runs on this host
  workers --queue URL       the live workers of a queue: host, pid, running steps, heartbeat

Every command takes -f/--defs FILE (default ./definitions.ts), --home DIR, --json and
-q/--quiet, before or after the command name. Run strata <command> --help for details.

Exit codes: 0 success; 1 a run or backfill failed (or nothing to show, e.g. the lineage of
an asset never materialized); 2 bad usage (an unknown command, option, asset, run, backfill
or model), invalid definitions or an unusable home; 130 canceled with Ctrl-C.`

/** See EXIT (errors.ts) for the exit codes. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    // By the package's own name: the sources and the compiled copy (dist/) sit at different depths below it.
    const { createRequire } = await import('node:module')
    const pkg = createRequire(import.meta.url)('strata-engine/package.json') as { version: string }
    console.log(pkg.version)
    return 0
  }
  const json = wantsJson(argv)
  try {
    const args = moveGlobalOptionsAfterCommand(argv)
    const [first, ...rest] = args
    // `strata help materialize` is `strata materialize --help`.
    const command = first === 'help' && rest[0] !== undefined && COMMANDS[rest[0]] ? rest.shift() : first
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE)
      return command ? EXIT.ok : EXIT.usage
    }
    const load = COMMANDS[command]
    if (!load) {
      const hint = command.startsWith('-') ? '' : didYouMean(command, [...Object.keys(COMMANDS), 'help'])
      printError({ code: 'STRATA_USAGE', message: `strata: unknown command "${command}".${hint} See strata --help for the commands.` }, json)
      return EXIT.usage
    }
    const mod = await load()
    if (first === 'help' || rest.includes('--help') || rest.includes('-h')) {
      console.log(mod.help)
      return EXIT.ok
    }
    return await mod.run(rest)
  } catch (err) {
    const known = classify(err)
    if (known === undefined) throw err
    printError(known.error, json)
    return known.exit
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
