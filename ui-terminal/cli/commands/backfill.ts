import { StrataError } from '../../../assets/index.js'
import { cancelBackfill, launchBackfill, runBackfill, type BackfillRecord, type BackfillResult, type BackfillTargetStatus, type Workspace } from '../../../engine/index.js'
import { GLOBAL_HELP, concurrencyArg, parseCommandArgs, positiveInt, seconds } from '../args.js'
import { handleCtrlC, type CtrlC } from '../interrupt.js'
import { color, errColor, escapeForTerminal, formatDuration, formatTime, printJson, table } from '../output.js'
import { RunProgress } from '../progress.js'
import { timeoutArg } from '../timeout-arg.js'
import { executorArg, openExecutor } from '../executor-arg.js'
import { didYouMean } from '../suggest.js'
import { withWorkspace } from '../workspace.js'

export const help = `strata backfill — materialize a range of partitions, resumably

  strata backfill SELECTION --from KEY --to KEY   plan every (asset, partition) in the range and run it
  strata backfill SELECTION --partitions K1,K2    the same for a list of partitions
  strata backfill list                            backfills, newest first
  strata backfill show ID                         one backfill with per-asset progress
  strata backfill resume ID                       finish an interrupted backfill (e.g. after kill -9); redoes nothing that finished
  strata backfill retry ID                        re-run only failed partitions and those they blocked
  strata backfill cancel ID                       stop a running backfill after its running steps

Options:
      --from KEY / --to KEY   inclusive partition range (keys of the selected assets' partitions)
      --partitions K1,K2      explicit partitions instead of a range
      --stale                 only missing or stale partitions
      --concurrency N         steps at once (default: number of CPUs; at most 4 × CPUs)
      --executor NAME         pool (default), in-process, or queue (strata worker processes)
      --queue URL             with --executor queue: the queue's Redis (default $STRATA_QUEUE_URL)
      --grace SECONDS         after Ctrl-C, how long running steps may finish before their workers are stopped (default 10)
      --timeout SECONDS       cancel the run when it is still going after this long (running steps get --grace, then
                              are stopped); unfinished partitions stay pending for a resume
${GLOBAL_HELP}

Ctrl-C cancels (running steps get the grace period; unfinished partitions stay pending for resume);
press it again to stop running steps at once.

Exit codes: 0 completed successfully, 1 some partitions failed or it was canceled (also by --timeout), 2 bad usage
(an unknown backfill id: STRATA_UNKNOWN_BACKFILL), 130 canceled with Ctrl-C.
JSON: schemas/backfill.schema.json (a run, resume or retry), backfill-list, backfill-show, backfill-cancel.`

const SUBCOMMANDS = ['list', 'show', 'resume', 'retry', 'cancel']

const STATUSES: BackfillTargetStatus[] = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED']

function target(b: BackfillRecord): string {
  const range = b.partitionKeys?.length ? b.partitionKeys.join(',') : `${b.fromKey}..${b.toKey}`
  return `${b.selection} ${range}`
}

function countsJson(counts: Record<BackfillTargetStatus, number>) {
  return { ...counts, total: STATUSES.reduce((n, s) => n + counts[s], 0) }
}

function describeCounts(counts: Record<BackfillTargetStatus, number>): string {
  const total = STATUSES.reduce((n, s) => n + counts[s], 0)
  const parts = [`${counts.SUCCESS} done`]
  if (counts.UP_TO_DATE) parts.push(`${counts.UP_TO_DATE} already up to date`)
  if (counts.FAILED) parts.push(color.red(`${counts.FAILED} failed`))
  if (counts.SKIPPED) parts.push(`${counts.SKIPPED} skipped`)
  const remaining = counts.PENDING + counts.IN_PROGRESS
  if (remaining) parts.push(`${remaining} remaining`)
  return `${parts.join(', ')} of ${total}`
}

const paint = (s: string) =>
  s === 'COMPLETED_SUCCESS' ? color.green(s) : s === 'RUNNING' ? color.blue(s) : s === 'COMPLETED_FAILED' ? color.red(s) : color.yellow(s)

async function finish(result: BackfillResult, json: boolean, quiet: boolean): Promise<number> {
  const b = result.backfill
  const exit = b.status === 'COMPLETED_SUCCESS' ? 0 : 1
  if (json) {
    // runId and durationMs are null when nothing was left to run.
    printJson({ backfillId: b.backfillId, id: b.backfillId, status: b.status, timedOut: result.run?.timedOut === true, target: target(b), counts: countsJson(result.counts), runId: result.run?.runId ?? null, durationMs: result.run?.durationMs ?? null })
  } else if (!(quiet && exit === 0)) {
    console.log(`Backfill ${color.bold(b.backfillId)} ${paint(b.status)}: ${describeCounts(result.counts)}${result.run ? ` in ${formatDuration(result.run.durationMs)}` : ''}.`)
    if (b.status === 'COMPLETED_FAILED') console.log(color.dim(`Re-run only what failed with: strata backfill retry ${b.backfillId}`))
    if (b.status === 'CANCELED') console.log(color.dim(`${result.run?.timedOut ? 'Canceled: the run passed its --timeout.' : 'Canceled.'} Unfinished partitions stay pending.`))
  }
  return exit
}

/** Ctrl-C cancels the backfill's run; what did not finish stays pending for a resume. */
const interruptible = (executor: string, graceMs: number): CtrlC => handleCtrlC({ executor, graceMs, after: 'Resume later with strata backfill resume ID.' })

async function show(ws: Workspace, id: string, json: boolean): Promise<number> {
  const b = await ws.storage.getBackfill(id)
  if (!b) throw new StrataError('STRATA_UNKNOWN_BACKFILL', `No backfill "${id}". List backfills with: strata backfill list`, { backfillId: id })
  const targets = await ws.storage.getBackfillTargets(id)
  const counts = await ws.storage.countBackfillTargets(id)
  const perAsset = new Map<string, Record<BackfillTargetStatus, number>>()
  for (const t of targets) {
    const c = perAsset.get(t.assetKey) ?? { PENDING: 0, IN_PROGRESS: 0, SUCCESS: 0, UP_TO_DATE: 0, FAILED: 0, SKIPPED: 0 }
    c[t.status]++
    perAsset.set(t.assetKey, c)
  }
  const failed = targets.filter((t) => t.status === 'FAILED')
  if (json) {
    printJson({
      id: b.backfillId,
      status: b.status,
      target: target(b),
      counts: countsJson(counts),
      interrupted: b.interrupted,
      createdAt: new Date(b.createdAt).toISOString(),
      endedAt: b.endedAt ? new Date(b.endedAt).toISOString() : null,
      runIds: b.runIds,
      assets: [...perAsset].map(([key, c]) => ({ key, counts: countsJson(c) })),
      failed: failed.map((t) => ({ key: t.assetKey, partitionKey: t.partitionKey, error: t.error ?? null, runId: t.runId ?? null })),
    })
    return 0
  }
  console.log(`Backfill ${color.bold(b.backfillId)} ${paint(b.status)}${b.interrupted ? color.yellow(' (interrupted: resume it with strata backfill resume ' + b.backfillId + ')') : ''}`)
  console.log(`  target   ${escapeForTerminal(target(b))}`)
  console.log(`  created  ${formatTime(b.createdAt)}${b.endedAt ? `, ended ${formatTime(b.endedAt)}` : ''}`)
  console.log(`  progress ${describeCounts(counts)}`)
  console.log(table([['ASSET', 'DONE', 'UP TO DATE', 'FAILED', 'SKIPPED', 'REMAINING'].map((h) => color.dim(h)), ...[...perAsset].map(([k, c]) => [escapeForTerminal(k), String(c.SUCCESS), String(c.UP_TO_DATE), String(c.FAILED), String(c.SKIPPED), String(c.PENDING + c.IN_PROGRESS)])]))
  for (const t of failed.slice(0, 10)) console.log(color.red(`  ✗ ${escapeForTerminal(`${t.assetKey}[${t.partitionKey}]: ${t.error ?? 'failed'}`)}`))
  return 0
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('backfill', argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    partitions: { type: 'string' },
    stale: { type: 'boolean' },
    concurrency: { type: 'string' },
    executor: { type: 'string' },
    queue: { type: 'string' },
    grace: { type: 'string' },
    timeout: { type: 'string' },
    limit: { type: 'string' },
  })
  const quiet = values.quiet === true
  const concurrency = concurrencyArg(values.concurrency, quiet)
  const graceMs = seconds('grace', values.grace) ?? 10_000
  const runTimeoutMs = timeoutArg(values.timeout)
  const executor = executorArg(values.executor)
  const [sub, ...rest] = positionals
  if (!sub) throw new StrataError('STRATA_USAGE', 'strata backfill needs a selection and a range, e.g. strata backfill "raw/events*" --from 2024-01-01 --to 2024-01-31. See strata backfill --help.')
  // A mistyped subcommand (`backfill lsit`) would be taken for a selection; without a range it cannot be one.
  const hint = SUBCOMMANDS.includes(sub) || values.from !== undefined || values.to !== undefined || values.partitions !== undefined ? '' : didYouMean(sub, SUBCOMMANDS)
  if (hint) throw new StrataError('STRATA_USAGE', `strata backfill: unknown subcommand "${sub}".${hint} See strata backfill --help.`)
  // The run's Ctrl-C handling, to exit at once if steps were runCtrlC on the main thread.
  let runCtrlC: CtrlC | undefined
  const code = await withWorkspace(values, async (ws) => {
    if (sub === 'list') {
      const list = await ws.storage.listBackfills({ limit: positiveInt('limit', values.limit) ?? 20 })
      const withCounts = await Promise.all(list.map(async (b) => ({ b, counts: await ws.storage.countBackfillTargets(b.backfillId) })))
      if (values.json) {
        printJson({ backfills: withCounts.map(({ b, counts }) => ({ id: b.backfillId, status: b.status, target: target(b), counts: countsJson(counts), interrupted: b.interrupted, createdAt: new Date(b.createdAt).toISOString() })) })
        return 0
      }
      if (list.length === 0) {
        console.log('No backfills yet. Start one with: strata backfill SELECTION --from KEY --to KEY')
        return 0
      }
      const rows = withCounts.map(({ b, counts }) => [b.backfillId, paint(b.status) + (b.interrupted ? color.yellow(' interrupted') : ''), formatTime(b.createdAt), describeCounts(counts), escapeForTerminal(target(b))])
      console.log(table([['ID', 'STATUS', 'CREATED', 'PROGRESS', 'TARGET'].map((h) => color.dim(h)), ...rows]))
      return 0
    }
    if (sub === 'show' || sub === 'resume' || sub === 'retry' || sub === 'cancel') {
      if (rest.length !== 1) throw new StrataError('STRATA_USAGE', `strata backfill ${sub} takes one backfill id; list them with strata backfill list.`)
      const id = rest[0]!
      if (sub === 'show') return show(ws, id, values.json === true)
      if (sub === 'cancel') {
        const b = await cancelBackfill(ws, id)
        if (values.json) printJson({ id: b.backfillId, status: b.status, cancelRequested: b.cancelRequested })
        else if (!quiet) console.log(b.status === 'CANCELED' ? `Backfill ${id} canceled.` : `Cancel requested: backfill ${id} stops after its running steps.`)
        return 0
      }
      const progress = values.json ? undefined : new RunProgress(process.stderr, process.stderr.isTTY === true, quiet)
      const stop = interruptible(executor, graceMs)
      const opened = openExecutor(ws, executor, { queue: values.queue, concurrency, quiet: quiet || values.json === true })
      try {
        const result = await runBackfill(ws, id, sub, { concurrency, executor: opened.executor, onEvent: progress?.handle, signal: stop.signal, stop: stop.stop, graceMs, runTimeoutMs })
        return stop.exitCode(await finish(result, values.json === true, quiet))
      } finally {
        stop.dispose()
        runCtrlC = stop
        await opened.close()
      }
    }
    const partitions = values.partitions ? String(values.partitions).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined
    const progress = values.json ? undefined : new RunProgress(process.stderr, process.stderr.isTTY === true, quiet)
    const stop = interruptible(executor, graceMs)
    const opened = openExecutor(ws, executor, { queue: values.queue, concurrency, quiet: quiet || values.json === true })
    try {
      const result = await launchBackfill(ws, {
        selection: positionals,
        from: values.from,
        to: values.to,
        partitions,
        stale: values.stale,
        concurrency,
        executor: opened.executor,
        onEvent: progress?.handle,
        signal: stop.signal,
        stop: stop.stop,
        graceMs,
        runTimeoutMs,
        onCreated: (b) => {
          if (!values.json && !quiet) process.stderr.write(errColor.dim(`Backfill ${b.backfillId} created (resume it with strata backfill resume ${b.backfillId} if interrupted)\n`))
        },
      })
      return stop.exitCode(await finish(result, values.json === true, quiet))
    } finally {
      stop.dispose()
      runCtrlC = stop
      await opened.close()
    }
  })
  runCtrlC?.exitIfStopped(code)
  return code
}
