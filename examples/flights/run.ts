/**
 * `npm start`: runs the flights pipeline end to end with live progress, then
 * prints a summary (model vs baseline, gate verdict, registry stage, an AUC
 * chart by segment) and where to look next.
 *
 *   1. observe the source file (its sha256 is its data version: unchanged → nothing downstream is stale);
 *   2. materialize everything missing or stale (`materialize({ stale: true })`, the worker pool);
 *   3. read the evaluation report and the registry.
 *
 * A second run with nothing changed does no work and finishes in seconds.
 * Options: --home DIR (default: examples/flights/.strata), --json (summary as JSON on stdout).
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { listModels, loadValue, materialize, openWorkspace, type MaterializeResult, type RunEvent, type Workspace } from 'strata-engine/engine'
import { RunProgress } from '../../ui-terminal/cli/progress.js'
import { color, formatDuration } from '../../ui-terminal/cli/output.js'
import { aucChart } from './chart.js'
import type { EvaluationReport } from './evaluate.js'
import type { DayDrift, DayPerformance } from './monitoring.js'
import type { Calibration } from './monitoring-calibration.js'
import { summarizeMonitoring, type MonitoringSummary } from './monitoring-summary.js'

// performance.now() counts from the start of this process, so the wall time printed at the end includes
// starting Node and loading the modules (about 0.8 s), as `time npm start` measures it.
const started = 0
const { values } = parseArgs({ options: { home: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } } })
const defsFile = fileURLToPath(new URL('./definitions.ts', import.meta.url))
const defsArg = relative(process.cwd(), defsFile) || defsFile
// `npm start | head` closes stdout early: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
const say = (text: string) => {
  if (!values.json) process.stdout.write(text + '\n')
}

async function latestValue<T>(ws: Workspace, key: string): Promise<{ value: T; runId: string; dataVersion: string } | undefined> {
  const m = await ws.storage.getLatest(key)
  if (!m || m.format !== 'json') return undefined
  return { value: (await loadValue(ws, m)) as T, runId: m.runId, dataVersion: m.dataVersion }
}

/** The monitoring summary from the stored daily partitions and the calibration (monitoring-summary.ts). */
async function monitoringSummary(ws: Workspace): Promise<MonitoringSummary> {
  const keys = ws.defs.byKey.get('monitoring/drift')?.partitions?.keys() ?? []
  const drift: DayDrift[] = []
  const perf: DayPerformance[] = []
  for (const k of keys) {
    const d = await ws.storage.getLatest('monitoring/drift', k)
    if (d) drift.push((await loadValue(ws, d)) as DayDrift)
    const p = await ws.storage.getLatest('monitoring/performance', k)
    if (p) perf.push((await loadValue(ws, p)) as DayPerformance)
  }
  const calibration = await latestValue<Calibration>(ws, 'monitoring/calibration')
  return summarizeMonitoring(drift, perf, calibration?.value ?? null)
}

function stepCounts(r: MaterializeResult): string {
  const n = (f: (s: MaterializeResult['steps'][number]) => boolean) => r.steps.filter(f).length
  const parts = [`${n((s) => s.status === 'SUCCESS')} built`]
  const upToDate = n((s) => s.skipReason === 'UP_TO_DATE')
  const failed = n((s) => s.status === 'FAILURE')
  const skipped = n((s) => s.status === 'SKIPPED' && s.skipReason !== 'UP_TO_DATE')
  if (upToDate) parts.push(`${upToDate} up to date`)
  if (failed) parts.push(`${failed} failed`)
  if (skipped) parts.push(`${skipped} skipped`)
  return parts.join(', ')
}

const ws = await openWorkspace({ defsFile, home: values.home })
let exitCode = 0
try {
  const progress = values.json || values.quiet ? undefined : new RunProgress()
  const home = relative(process.cwd(), ws.home) || ws.home
  say(color.bold(`Flight delays: ${relative(process.cwd(), defsFile)} → ${home}`))

  const before = await ws.storage.getLatest('source/flights_file')

  // Everything missing or stale, in the worker pool. The source is observed first (observe: true):
  // an unchanged file leaves everything downstream fresh.
  const abort = new AbortController()
  const onSigint = () => abort.abort()
  process.on('SIGINT', onSigint)
  let result: MaterializeResult
  try {
    // Debug lines (XGBoost's own chatter) are stored with the run (strata logs RUN_ID), not shown here.
    const onEvent = progress && ((e: RunEvent) => (e.type === 'step-log' && e.line.level === 'debug' ? undefined : progress.handle(e)))
    result = await materialize(ws, { stale: true, onEvent, signal: abort.signal, description: 'npm start (flights)' })
  } finally {
    process.off('SIGINT', onSigint)
  }
  const source = result.steps.find((s) => s.key === 'source/flights_file')
  if (source?.status === 'SUCCESS') {
    const changed = before?.dataVersion !== source.dataVersion
    say(`source   flights-3m.parquet sha256 ${source.dataVersion!.slice(0, 12)} ${before ? (changed ? color.yellow('(changed: downstream rebuilt)') : color.dim('(unchanged)')) : color.dim('(first observation)')}`)
  }
  if (result.runId === null) say(`pipeline ${color.green('everything fresh')}: nothing to materialize`)
  else say(`pipeline run ${result.runId}: ${stepCounts(result)} in ${formatDuration(result.durationMs)}`)
  const failures = result.steps.filter((s) => s.status === 'FAILURE')
  for (const f of failures.slice(0, 5)) say(color.red(`  ✗ ${f.key}${f.partitionKeys.length ? `[${f.partitionKeys.join(',')}]` : ''}: ${f.error?.message ?? 'failed'}`))
  if (result.status !== 'SUCCESS') exitCode = 1

  // Summary from what is stored (the same whether this run built it or not).
  const report = await latestValue<EvaluationReport>(ws, 'evaluation/report')
  const registered = await listModels(ws)
  if (!report) {
    say(color.red('No evaluation report yet: the pipeline did not get that far. See strata runs / strata logs.'))
    exitCode ||= 1
  } else {
    const r = report.value
    const o = r.overall
    // The registered version is the one whose lineage names the latest materialization of the model package asset.
    const packageAsset = ws.defs.assets.find((a) => a.tags.kind === 'model')
    const latestPackage = packageAsset ? await ws.storage.getLatest(packageAsset.key) : undefined
    const version = latestPackage ? registered.find((m) => m.lineage.materializationId === latestPackage.id) : undefined
    const lift = (o.model.auc ?? 0) - (o.baseline.auc ?? 0)
    const failed = r.gate.reasons.filter((x) => x.startsWith('FAILED'))
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            runId: result.runId,
            status: result.status,
            wallTimeMs: Math.round(performance.now() - started),
            model: version ? { name: version.name, version: version.version, stage: version.stage } : null,
            metrics: o,
            segments: r.segments,
            gate: r.gate,
            baseline: r.baseline?.description ?? null,
            monitoring: (({ lines: _lines, ...counts }) => counts)(await monitoringSummary(ws)),
          },
          null,
          2,
        ) + '\n',
      )
    } else {
      say('')
      say(color.bold(`Model ${version ? `${version.name} v${version.version}` : '(not registered)'} on the held-out period ${r.validation.from}..${r.validation.to} (${r.validation.rows.toLocaleString('en-US')} flights, ${(r.validation.positiveRate * 100).toFixed(1)}% delayed > 15 min)`))
      say(`  AUC      ${o.model.auc?.toFixed(4)}  vs baseline ${o.baseline.auc?.toFixed(4)} (${r.baseline?.description ?? 'baseline'})  ${lift >= 0 ? color.green(`+${lift.toFixed(4)}`) : color.red(lift.toFixed(4))}`)
      if (o.production && r.production) say(`           vs production v${r.production.version} ${o.production.auc?.toFixed(4)}`)
      say(`  log loss ${o.model.log_loss?.toFixed(4)}  vs baseline ${o.baseline.log_loss?.toFixed(4)}`)
      say(`  accuracy ${o.model.accuracy?.toFixed(4)}  vs baseline ${o.baseline.accuracy?.toFixed(4)}  (always "on time": ${(1 - r.validation.positiveRate).toFixed(4)})`)
      say(`  gate     ${r.gate.passed ? color.green('PASSED') : color.red('FAILED')} — ${r.gate.passed ? `${r.gate.reasons.length} criteria from training.config.json` : failed.map((x) => x.replace(/^FAILED: /, '')).join('; ')}`)
      if (version) {
        const stage = version.stage === 'staging' || version.stage === 'production' ? color.green(version.stage) : color.yellow(version.stage)
        say(`  registry ${version.name} v${version.version} is in ${stage}${version.stage === 'development' && !r.gate.passed ? ' (not promoted: the gate failed)' : ''}`)
      }
      for (const line of (await monitoringSummary(ws)).lines) say(line)
      say('')
      say(aucChart(r, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }))
      say('')
      say(`Wall time ${formatDuration(performance.now() - started)}.`)
      say(color.bold('Where to look next:'))
      say(`  npx strata list -f ${defsArg}                   assets, status, checks`)
      say(`  npx strata models list -f ${defsArg}            registered versions, stages, gates`)
      say(`  npx strata lineage training/model -f ${defsArg} the model back to its partitions, data and code versions`)
      if (version && version.stage === 'staging') say(`  npx strata models promote ${version.name} ${version.version} production -f ${defsArg}`)
    }
  }
} catch (err) {
  process.stderr.write(color.red(`npm start failed: ${(err as Error).message}\n`))
  exitCode = 1
} finally {
  await ws.close()
}
process.exitCode = exitCode
