import { getModel, materialize, resolveSelection, type MaterializeResult, type Workspace } from '../../../engine/index.js'
import { StrataError, type ModelGate } from '../../../assets/index.js'
import { GLOBAL_HELP, concurrencyArg, parseCommandArgs, seconds } from '../args.js'
import { INTERRUPTED_EXIT, handleCtrlC } from '../interrupt.js'
import { color, escapeForTerminal, formatDuration, printJson } from '../output.js'
import { RunProgress } from '../progress.js'
import { TIMEOUT_HELP, timeoutArg } from '../timeout-arg.js'
import { EXECUTOR_HELP, executorArg, openExecutor } from '../executor-arg.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata materialize [SELECTION...] — build assets and record their materializations

Options:
      --stale            only missing or stale assets/partitions; unchanged downstream is skipped (early cut-off)
      --partition KEY    the partition(s) of partitioned assets to build (repeat or comma-separate);
                         an error (STRATA_NOT_PARTITIONED) when no selected asset is partitioned
${EXECUTOR_HELP}
      --concurrency N    steps at once (default: number of CPUs; at most 4 × CPUs)
      --grace SECONDS    after Ctrl-C, how long running steps may finish before their workers are stopped (default 10)
${TIMEOUT_HELP}
${GLOBAL_HELP}

Ctrl-C cancels: nothing new starts, running steps get the grace period, then the result is printed.
Press it again to stop running steps at once.

Each model version a step registered or promoted is listed with its stage and gate
(the gate's reasons when it did not pass); with --json in the step's "models".

Exit codes: 0 every step succeeded, 1 a step failed or the run passed --timeout, 2 bad usage or invalid definitions, 130 canceled with Ctrl-C.
JSON: schemas/materialize.schema.json.`

type StepModel = NonNullable<MaterializeResult['steps'][number]['models']>[number]
type GatedModel = StepModel & { gate: ModelGate | null }

/** What a step did in the model registry, one line each, with the gate's reasons when it did not pass. */
function modelLine(m: GatedModel): string {
  const what = m.kind === 'existing' ? `${m.name} v${m.version} unchanged (identical retrain), ${m.stage}` : m.kind === 'register' ? `${m.name} v${m.version} registered (${m.stage})` : `${m.name} v${m.version} → ${m.stage}`
  if (!m.gate) return escapeForTerminal(what)
  if (m.gate.passed) return `${escapeForTerminal(what)}, ${color.green('gate passed')}`
  const reasons = m.gate.reasons.length ? `: ${m.gate.reasons.join('; ')}` : ''
  return `${escapeForTerminal(what)}, ${color.red(`gate did not pass${escapeForTerminal(reasons)}`)}`
}

/** The steps' model entries with each version's gate, read back from the registry. */
async function withGates(ws: Workspace, steps: MaterializeResult['steps']): Promise<Map<MaterializeResult['steps'][number], GatedModel[]>> {
  const out = new Map<MaterializeResult['steps'][number], GatedModel[]>()
  for (const s of steps) {
    const models: GatedModel[] = []
    for (const m of s.models ?? []) models.push({ ...m, gate: (await getModel(ws.storage, m.name, m.version))?.gate ?? null })
    out.set(s, models)
  }
  return out
}

/** Every field present, `null` when it does not apply (see schemas/materialize.schema.json). */
function stepJson(s: MaterializeResult['steps'][number], models: GatedModel[]) {
  return {
    key: s.key,
    partitionKeys: s.partitionKeys,
    status: s.status,
    dataVersion: s.dataVersion ?? null,
    durationMs: s.durationMs,
    attempts: s.attempts,
    skipReason: s.skipReason ?? null,
    blockedBy: s.blockedBy ?? null,
    error: s.error?.message ?? null,
    errorCode: s.error ? (s.error.code ?? null) : null,
    checks: (s.checks ?? []).map((c) => ({ name: c.name, passed: c.passed, blocking: c.blocking, message: c.message ?? null })),
    models: models.map((m) => ({ name: m.name, version: m.version, stage: m.stage, kind: m.kind, gate: m.gate })),
  }
}

/** `--partition` names partitions: it cannot apply when nothing selected is partitioned. */
function checkPartitioned(ws: Workspace, selection: string[], partitionKeys: string[]): void {
  if (partitionKeys.length === 0) return
  const keys = resolveSelection(selection, ws.graph, ws.defs)
  if (keys.some((k) => ws.defs.byKey.get(k)!.partitions)) return
  const what = keys.length === 1 ? `"${keys[0]}" is not partitioned` : `None of the ${keys.length} selected assets is partitioned`
  throw new StrataError('STRATA_NOT_PARTITIONED', `${what}, so --partition ${partitionKeys.join(',')} does not apply: drop --partition.`, { keys, partitionKeys })
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('materialize', argv, {
    stale: { type: 'boolean' },
    executor: { type: 'string' },
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    grace: { type: 'string' },
    timeout: { type: 'string' },
    partition: { type: 'string', multiple: true },
  })
  const partitionKeys = ((values.partition ?? []) as string[]).flatMap((p) => p.split(',')).filter(Boolean)
  const executor = executorArg(values.executor)
  const graceMs = seconds('grace', values.grace) ?? 10_000
  const runTimeoutMs = timeoutArg(values.timeout)
  const quiet = values.quiet === true
  const concurrency = concurrencyArg(values.concurrency, quiet)
  const ctrlC = handleCtrlC({ executor, graceMs })
  const code = await withWorkspace(values, async (ws) => {
    // Ctrl-C while the definitions were loading: nothing to run.
    if (ctrlC.signal.aborted) return INTERRUPTED_EXIT
    checkPartitioned(ws, positionals, partitionKeys)
    const progress = values.json ? undefined : new RunProgress(process.stderr, process.stderr.isTTY === true, quiet)
    let result: MaterializeResult
    const opened = openExecutor(ws, executor, { queue: values.queue, concurrency, quiet: quiet || values.json === true })
    try {
      result = await materialize(ws, {
        selection: positionals,
        stale: values.stale,
        partitions: partitionKeys.length ? { keys: partitionKeys } : undefined,
        executor: opened.executor,
        concurrency,
        onEvent: progress?.handle,
        signal: ctrlC.signal,
        stop: ctrlC.stop,
        graceMs,
        runTimeoutMs,
      })
    } finally {
      ctrlC.dispose()
      await opened.close()
    }
    const models = await withGates(ws, result.steps)
    const exit = ctrlC.exitCode(result.status === 'SUCCESS' ? 0 : 1)
    if (values.json) {
      printJson({ runId: result.runId, status: result.status, timedOut: result.timedOut === true, durationMs: result.durationMs, steps: result.steps.map((s) => stepJson(s, models.get(s)!)) })
    } else if (quiet && exit === 0) {
      // Quiet: a run that succeeded says nothing.
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
      if (result.timedOut) console.log(color.yellow(`It passed its --timeout of ${values.timeout} s: what had not finished was canceled.`))
      for (const s of result.steps) for (const m of models.get(s)!) console.log(`  model ${modelLine(m)}`)
      if (failed) console.log(color.dim(`See the errors with: strata logs ${result.runId}`))
    }
    return exit
  }).finally(() => ctrlC.dispose())
  ctrlC.exitIfStopped(code)
  return code
}
