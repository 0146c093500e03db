import { materialize, type MaterializeResult } from '../../../engine/index.js'
import { StrataError } from '../../../assets/errors.js'
import { GLOBAL_HELP, concurrencyArg, parseCommandArgs, seconds } from '../args.js'
import { INTERRUPTED_EXIT, handleCtrlC } from '../interrupt.js'
import { color, formatDuration, printJson } from '../output.js'
import { RunProgress } from '../progress.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata materialize [SELECTION...] — build assets and record their materializations

Options:
      --stale            only missing or stale assets/partitions; unchanged downstream is skipped (early cut-off)
      --partition KEY    the partition(s) of partitioned assets to build (repeat or comma-separate)
      --executor NAME    pool (worker threads, default) or in-process (for debugging)
      --concurrency N    steps at once (default: number of CPUs; at most 4 × CPUs)
      --grace SECONDS    after Ctrl-C, how long running steps may finish before their workers are stopped (default 10)
${GLOBAL_HELP}

Ctrl-C cancels: nothing new starts, running steps get the grace period, then the result is printed.
Press it again to stop running steps at once.

Exit codes: 0 every step succeeded, 1 a step failed, 2 bad usage or invalid definitions, 130 canceled with Ctrl-C.`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('materialize', argv, {
    stale: { type: 'boolean' },
    executor: { type: 'string' },
    concurrency: { type: 'string' },
    grace: { type: 'string' },
    partition: { type: 'string', multiple: true },
  })
  const partitionKeys = ((values.partition ?? []) as string[]).flatMap((p) => p.split(',')).filter(Boolean)
  const executor = values.executor ?? 'pool'
  if (executor !== 'pool' && executor !== 'in-process') {
    throw new StrataError('STRATA_USAGE', `Unknown executor "${executor}". Use --executor pool or --executor in-process.`)
  }
  const graceMs = seconds('grace', values.grace) ?? 10_000
  const concurrency = concurrencyArg(values.concurrency)
  const ctrlC = handleCtrlC({ executor, graceMs })
  const code = await withWorkspace(values, async (ws) => {
    // Ctrl-C while the definitions were loading: nothing to run.
    if (ctrlC.signal.aborted) return INTERRUPTED_EXIT
    const progress = values.json ? undefined : new RunProgress()
    let result: MaterializeResult
    try {
      result = await materialize(ws, {
        selection: positionals,
        stale: values.stale,
        partitions: partitionKeys.length ? { keys: partitionKeys } : undefined,
        executor,
        concurrency,
        onEvent: progress?.handle,
        signal: ctrlC.signal,
        stop: ctrlC.stop,
        graceMs,
      })
    } finally {
      ctrlC.dispose()
    }
    if (values.json) {
      printJson({
        runId: result.runId,
        status: result.status,
        durationMs: result.durationMs,
        steps: result.steps.map((s) => ({
          key: s.key,
          ...(s.partitionKeys.length ? { partitionKeys: s.partitionKeys } : {}),
          status: s.status,
          dataVersion: s.dataVersion ?? null,
          durationMs: s.durationMs,
          attempts: s.attempts,
          ...(s.skipReason ? { skipReason: s.skipReason } : {}),
          ...(s.error ? { error: s.error.message, errorCode: s.error.code ?? null } : {}),
          ...(s.checks ? { checks: s.checks } : {}),
          ...(s.models ? { models: s.models } : {}),
        })),
      })
    } else if (result.runId === null) {
      console.log(values.stale ? 'Everything selected is fresh: nothing to materialize.' : 'Nothing selected.')
    } else {
      const count = (f: (s: MaterializeResult['steps'][number]) => boolean) => result.steps.filter(f).length
      const ok = count((s) => s.status === 'SUCCESS')
      const failed = count((s) => s.status === 'FAILURE')
      const upToDate = count((s) => s.skipReason === 'UP_TO_DATE')
      const canceled = count((s) => s.skipReason === 'CANCELED')
      const skipped = count((s) => s.status === 'SKIPPED') - upToDate - canceled
      const parts = [`${ok} materialized`]
      if (upToDate) parts.push(`${upToDate} already up to date`)
      if (failed) parts.push(color.red(`${failed} failed`))
      if (canceled) parts.push(color.yellow(`${canceled} canceled`))
      if (skipped) parts.push(`${skipped} skipped`)
      const head = result.status === 'SUCCESS' ? color.green('Run succeeded') : result.status === 'CANCELED' ? color.yellow('Run canceled') : color.red('Run failed')
      console.log(`${head} in ${formatDuration(result.durationMs)}: ${parts.join(', ')}. ${color.dim(`Run id ${result.runId}`)}`)
      if (failed) console.log(color.dim(`See the errors with: strata logs ${result.runId}`))
    }
    return ctrlC.exitCode(result.status === 'SUCCESS' ? 0 : 1)
  }).finally(() => ctrlC.dispose())
  ctrlC.exitIfStopped(code)
  return code
}
