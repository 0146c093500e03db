// The flights pipeline on 30 days (FLIGHTS_END=2001-01-31, test config
// fixtures/training.30d.json), through the engine API and the real CLI: the
// reproducibility checklist of examples/flights.
//
//   - rebuild the exact training dataset from the config (same data version, fresh home);
//   - retrain and get the same model and metrics;
//   - roll back a model;
//   - trace a model to its training partitions, their data versions and code versions;
//   - a changed source file makes everything downstream stale;
//   - a failed gate registers without promoting; serving scores like the batch pipeline.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { appendFileSync, copyFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tableFromIPC, type Table } from 'apache-arrow'
import { BIN, DEFS, FIXTURES, useThirtyDays } from './thirty-days.js'

const { TMP, SOURCE } = useThirtyDays('flights')

const { defaultSourcePath } = await import('../../examples/flights/ingest.js')
copyFileSync(defaultSourcePath(), SOURCE)
const engine = await import('strata-engine/engine')
type Workspace = Awaited<ReturnType<typeof engine.openWorkspace>>

const TRAINING_DAYS = Array.from({ length: 16 }, (_, i) => `2001-01-${String(8 + i).padStart(2, '0')}`)

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '-f', DEFS], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** `--stale` observes the source first (observe: true), then builds what is missing or stale. */
async function observeAndBuild(ws: Workspace, selection?: string) {
  return engine.materialize(ws, { selection, stale: true })
}

function readJson<T>(ws: Workspace, location: string): T {
  return JSON.parse(readFileSync(join(ws.home, location), 'utf8')) as T
}

function readTable(ws: Workspace, location: string): Table {
  return tableFromIPC(readFileSync(join(ws.home, location)))
}

describe('flights pipeline (30 days): reproducibility', () => {
  let ws: Workspace
  const homes: string[] = []
  const home = (name: string) => {
    const dir = join(TMP, name)
    homes.push(dir)
    return dir
  }

  before(async () => {
    ws = await engine.openWorkspace({ defsFile: DEFS, home: home('home') })
  })
  after(async () => {
    await ws?.close()
    rmSync(TMP, { recursive: true, force: true })
  })

  it('runs end to end: 30 days ingested and contract-checked, features, dataset, model, evaluation, registered in staging', async () => {
    const result = await observeAndBuild(ws)
    assert.equal(result.status, 'SUCCESS', JSON.stringify(result.steps.filter((s) => s.status !== 'SUCCESS').slice(0, 3)))
    const built = (key: string) => result.steps.filter((s) => s.key === key && s.status === 'SUCCESS').length
    assert.equal(built('raw/flights'), 30)
    assert.equal(built('features/flights'), 30)
    const checks = await ws.storage.getLatestCheckResults('raw/flights')
    assert.equal(checks.length, 30)
    assert.ok(checks.every((c) => c.checkName === 'contract' && c.passed && c.blocking))

    // The rows no day selects (here every flight from 2001-01-31 on) are reported by landing, not silently dropped.
    const landing = (await ws.storage.getLatest('landing/flights'))!
    let sliced = 0
    for (const day of ws.defs.byKey.get('raw/flights')!.partitions!.keys()) sliced += (await ws.storage.getLatest('raw/flights', day))!.metadata.rows as number
    const m = landing.metadata as Record<string, unknown>
    assert.equal(m.rowsOutsidePartitions, (m.rows as number) - (m.rowsWithoutDate as number) - sliced)
    assert.ok((m.rowsOutsidePartitions as number) > 0)
    assert.deepEqual([m.rowsOutsidePartitionsRange, m.partitionsRange], [`2001-01-31T00:00:00.000Z..${m.lastDate}`, '2001-01-01..2001-01-30'])
    const [warned] = await ws.storage.getLatestCheckResults('landing/flights')
    assert.deepEqual([warned?.checkName, warned?.passed, warned?.blocking], ['rows_in_partitions', false, false])
    const outsideLine = `${(m.rowsOutsidePartitions as number).toLocaleString('en-US')} rows dated 2001-01-31T00:00:00.000Z … ${m.lastDate} are outside every daily partition (2001-01-01..2001-01-30)`
    assert.equal(warned!.message, outsideLine)
    const logs = await ws.storage.getEvents(landing.runId, { types: ['LOG'] })
    assert.ok(logs.some((e) => e.assetKey === 'landing/flights' && e.level === 'warn' && e.message === `${outsideLine}: kept in the landed table, in no raw/flights day`), JSON.stringify(logs.map((e) => e.message)))

    const models = await engine.listModels(ws, 'flight_delay')
    assert.equal(models.length, 1)
    assert.equal(models[0]!.stage, 'staging', `gate: ${models[0]!.gate.reasons.join('; ')}`)
    assert.ok(models[0]!.gate.passed)
    assert.ok((models[0]!.metrics.auc as number) > (models[0]!.metrics.baseline_auc as number))
  })

  it('a second run with nothing changed does no work: only the observed sources are looked at', async () => {
    const result = await observeAndBuild(ws)
    // The parquet file and strata serve's logs (serving/logs): unchanged, so nothing downstream reruns.
    assert.deepEqual(result.steps.map((s) => [s.key, s.status]).sort(), [['serving/logs', 'SUCCESS'], ['source/flights_file', 'SUCCESS']])
  })

  it('rebuilds the exact training dataset from the config: same data version in a fresh home', async () => {
    const original = (await ws.storage.getLatest('training/dataset'))!
    const fresh = await engine.openWorkspace({ defsFile: DEFS, home: home('rebuild') })
    try {
      const result = await observeAndBuild(fresh, '*training/dataset')
      assert.equal(result.status, 'SUCCESS')
      const rebuilt = (await fresh.storage.getLatest('training/dataset'))!
      assert.equal(rebuilt.dataVersion, original.dataVersion)
      assert.deepEqual(
        rebuilt.consumed.map((e) => [e.upstreamPartitionKey, e.upstreamDataVersion]),
        original.consumed.map((e) => [e.upstreamPartitionKey, e.upstreamDataVersion]),
      )
      assert.deepEqual(rebuilt.metadata, original.metadata)
    } finally {
      await fresh.close()
    }
  })

  it('retrains and gets the same model and the same evaluation metrics', async () => {
    const model = (await ws.storage.getLatest('training/model'))!
    const report = (await ws.storage.getLatest('evaluation/report'))!
    const result = await engine.materialize(ws, { selection: ['training/model', 'evaluation/report', 'models/flight_delay'] })
    assert.equal(result.status, 'SUCCESS')
    const model2 = (await ws.storage.getLatest('training/model'))!
    const report2 = (await ws.storage.getLatest('evaluation/report'))!
    assert.notEqual(model2.runId, model.runId, 'it really trained again')
    assert.equal(model2.dataVersion, model.dataVersion, 'same model bytes and config')
    assert.equal(model2.metadata.modelSha256, model.metadata.modelSha256)
    const r1 = readJson<{ overall: unknown; segments: unknown; gate: unknown }>(ws, report.location)
    const r2 = readJson<{ overall: unknown; segments: unknown; gate: unknown }>(ws, report2.location)
    assert.deepEqual([r2.overall, r2.segments, r2.gate], [r1.overall, r1.segments, r1.gate])
    assert.equal(report2.dataVersion, report.dataVersion, 'an identical report has the same data version: its timing is metadata')
    assert.equal(typeof report2.metadata.evaluationMs, 'number')
    // The same code, config, data and model (the package's data version leaves out the wall time): the registry recognises version 1.
    const versions = await engine.listModels(ws, 'flight_delay')
    assert.deepEqual(versions.map((m) => m.version), [1], 'an identical retrain registers no new version')
    const registered = result.steps.find((s) => s.key === 'models/flight_delay')!
    assert.deepEqual(registered.models, [{ name: 'flight_delay', version: 1, stage: 'staging', kind: 'existing', unchanged: true }])
    // A second version for the rollback below, as a different training would register it.
    const v1 = versions[0]!
    const v2 = await engine.registerModel(ws, { name: 'flight_delay', metrics: v1.metrics, config: { ...v1.config, note: 'second' }, lineage: v1.lineage, codeVersion: v1.codeVersion, artifact: v1.artifact, gate: v1.gate })
    assert.equal(v2.version, 2)
  })

  it('re-materializing an unchanged evaluation report keeps its data version: nothing downstream is stale, no model is registered again', async () => {
    // Bring everything after the evaluation up to date first.
    assert.equal((await engine.materialize(ws, { selection: 'evaluation/report*', stale: true })).status, 'SUCCESS')
    const before = (await ws.storage.getLatest('evaluation/report'))!
    const versions = (await engine.listModels(ws, 'flight_delay')).length
    const result = await engine.materialize(ws, { selection: 'evaluation/report' })
    assert.equal(result.status, 'SUCCESS')
    const after = (await ws.storage.getLatest('evaluation/report'))!
    assert.notEqual(after.runId, before.runId, 'it really evaluated again')
    assert.equal(after.dataVersion, before.dataVersion)
    const downstream = await engine.materialize(ws, { selection: 'evaluation/report*', stale: true })
    assert.equal(downstream.runId, null, `nothing to rebuild, got ${JSON.stringify(downstream.steps.map((s) => [s.key, s.status]))}`)
    assert.equal((await engine.listModels(ws, 'flight_delay')).length, versions)
  })

  it('serving scores flights exactly like the batch pipeline (same feature code, same model)', async () => {
    const { aggregateDay, buildHistory, FEATURE_NAMES } = await import('../../examples/flights/features.js')
    const { flightColumns, float32Column } = await import('../../examples/flights/tables.js')
    const { loadModel, scoreFlights, toMatrix } = await import('../../examples/flights/model.js')
    const day = '2001-01-27'
    const pkg = readJson<{ model: Parameters<typeof loadModel>[0] }>(ws, (await engine.getModel(ws, 'flight_delay', 1))!.artifact)
    const model = await loadModel(pkg.model)
    try {
      // Serving: raw flights of the day and the 7 days before it → features → model.
      const raw = async (key: string) => readTable(ws, (await ws.storage.getLatest('raw/flights', key))!.location)
      const previous = Array.from({ length: 7 }, (_, i) => new Date(Date.parse(`${day}T00:00:00Z`) - (7 - i) * 86_400_000).toISOString().slice(0, 10))
      const history = buildHistory(
        await Promise.all(previous.map(async (k) => aggregateDay(flightColumns(await raw(k)), Date.parse(`${k}T00:00:00Z`)))),
        Date.parse(`${day}T00:00:00Z`),
      )
      const served = scoreFlights(model, { ...flightColumns(await raw(day)), delay: undefined }, history)
      // Batch: the stored feature rows of that day.
      const features = readTable(ws, (await ws.storage.getLatest('features/flights', day))!.location)
      const batch = model.predict(toMatrix(FEATURE_NAMES.map((n) => float32Column(features, n)), features.numRows), features.numRows)
      assert.equal(served.length, batch.length)
      assert.deepEqual(served, batch)
    } finally {
      model.free()
    }
  })

  it('rolls back a model: production goes back to the previous version (strata models rollback)', async () => {
    await engine.promoteModel(ws, 'flight_delay', 1, 'production')
    const promoted = await engine.promoteModel(ws, 'flight_delay', 2, 'production')
    assert.equal(promoted.replaced?.version, 1)
    const started = performance.now()
    const r = cli(['models', 'rollback', 'flight_delay', '--reason', 'test rollback', '--json', '--home', ws.home])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), { name: 'flight_delay', production: { name: 'flight_delay', version: 1, stage: 'production' }, archived: { name: 'flight_delay', version: 2, stage: 'archived' } })
    assert.ok(performance.now() - started < 5 * 60_000)
    assert.equal((await engine.getProductionModel(ws, 'flight_delay'))?.version, 1)
  })

  it('a failed gate registers the model in development, not promoted, with the reason (only evaluation reruns)', () => {
    const r = cli(['materialize', '--stale', '--json', '--home', ws.home], { FLIGHTS_TRAINING_CONFIG: join(FIXTURES, 'training.30d.strict-gate.json') })
    assert.equal(r.status, 0, r.stderr)
    const run = JSON.parse(r.stdout) as { steps: Array<{ key: string; status: string; models?: unknown }> }
    // Monitoring runs after registration (deps), so it reruns too; nothing upstream of the evaluation does
    // (the observed sources, the parquet file and serving/logs, are always looked at).
    const rebuilt = run.steps.filter((s) => s.status === 'SUCCESS').map((s) => s.key)
    assert.deepEqual([...new Set(rebuilt.filter((k) => !k.startsWith('monitoring/')))].sort(), ['evaluation/report', 'models/flight_delay', 'serving/logs', 'source/flights_file'])
    const show = cli(['models', 'show', 'flight_delay', '3', '--json', '--home', ws.home])
    assert.equal(show.status, 0, show.stderr)
    const v3 = JSON.parse(show.stdout) as { stage: string; gate: { passed: boolean; reasons: string[] }; metrics: Record<string, unknown> }
    assert.equal(v3.stage, 'development')
    assert.equal(v3.gate.passed, false)
    assert.ok(v3.gate.reasons.some((x) => x.startsWith('FAILED: auc') && x.includes('(min_auc)')), v3.gate.reasons.join('; '))
    assert.ok(v3.gate.reasons.some((x) => x.includes('vs production v1')), 'compared with the production model')
    assert.equal(v3.metrics.compared_with_version, 1)
    // Promoting it by hand is refused too.
    const promote = cli(['models', 'promote', 'flight_delay', '3', 'staging', '--home', ws.home])
    assert.notEqual(promote.status, 0)
  })

  it('traces the model back to its training partitions, their data versions and code versions (strata lineage)', async () => {
    const r = cli(['lineage', 'training/model', '--json', '--home', ws.home])
    assert.equal(r.status, 0, r.stderr)
    type Node = { key: string; partitionKey: string | null; dataVersion: string; codeVersion: string; upstream?: Node[] }
    const root = JSON.parse(r.stdout) as Node
    const all: Node[] = []
    const walk = (n: Node) => {
      all.push(n)
      n.upstream?.forEach(walk)
    }
    walk(root)
    const dataset = root.upstream!.find((n) => n.key === 'training/dataset')!
    const features = dataset.upstream!.filter((n) => n.key === 'features/flights')
    assert.deepEqual(features.map((n) => n.partitionKey), TRAINING_DAYS, 'exactly the configured training days')
    for (const f of features) {
      const latest = (await ws.storage.getLatest('features/flights', f.partitionKey!))!
      assert.equal(f.dataVersion, latest.dataVersion)
      assert.equal(f.codeVersion, latest.codeVersion)
      assert.match(f.codeVersion, /^[0-9a-f]{16}$/)
    }
    // The features of the first training day read 2001-01-01..07 as history, and the day itself.
    const first = features[0]!.upstream!.map((n) => n.partitionKey).sort()
    assert.deepEqual(first, ['2001-01-01', '2001-01-02', '2001-01-03', '2001-01-04', '2001-01-05', '2001-01-06', '2001-01-07', '2001-01-08'])
    const source = all.find((n) => n.key === 'source/flights_file')!
    const { observeSource } = await import('../../examples/flights/ingest.js')
    assert.equal(source.dataVersion, observeSource(SOURCE).sha256, 'down to the source file hash')
    // And from the registry: the registered version names the materialization of its package, whose inputs include this model.
    const v1 = (await engine.getModel(ws, 'flight_delay', 1))!
    const edges = await ws.storage.getLineage(v1.lineage.materializationId!)
    assert.ok(edges.some((e) => e.upstreamAssetKey === 'training/model' && e.upstreamDataVersion === root.dataVersion))
    const inputs = v1.lineage.inputs!
    assert.equal(inputs.find((i) => i.assetKey === 'training/dataset')?.dataVersion, dataset.dataVersion, 'the registry names the exact training data')
    assert.deepEqual((v1.lineage.training as { from: string; to: string }), { from: '2001-01-08', to: '2001-01-23', partitions: 16, rows: 30000, seed: 42 })
    // strata models lineage: the same tree from the version itself.
    const m = cli(['models', 'lineage', 'flight_delay', '1', '--json', '--home', ws.home])
    assert.equal(m.status, 0, m.stderr)
    const tree = JSON.parse(m.stdout) as Node & { materializationId: number; model: unknown }
    assert.deepEqual(tree.model, { name: 'flight_delay', version: 1 })
    assert.equal(tree.materializationId, v1.lineage.materializationId)
    assert.equal(tree.upstream!.find((n) => n.key === 'training/model')?.dataVersion, root.dataVersion)
    // Each materialization is expanded once (training/dataset under training/model here).
    const trained: string[] = []
    const visit = (n: Node) => {
      if (n.key === 'training/dataset') trained.push(...(n.upstream ?? []).filter((u) => u.key === 'features/flights').map((u) => u.partitionKey!))
      n.upstream?.forEach(visit)
    }
    visit(tree)
    assert.deepEqual(trained, TRAINING_DAYS)
  })

  it('a changed source file makes everything downstream stale', async () => {
    appendFileSync(SOURCE, Buffer.from('changed'))
    const observed = await engine.materialize(ws, { selection: 'source/flights_file', executor: 'in-process' })
    assert.equal(observed.status, 'SUCCESS')
    const index = await engine.loadStatusIndex(ws)
    const landing = index.node('landing/flights')!
    assert.equal(landing.status, 'STALE')
    assert.ok(landing.reasons.some((x) => x.kind === 'UPSTREAM_DATA_CHANGED' && x.dep === 'source/flights_file'))
    for (const key of ['raw/flights', 'features/flights']) assert.ok(index.nodes(key).every((n) => n.status === 'STALE'), key)
    for (const key of ['training/dataset', 'training/model', 'evaluation/report', 'models/flight_delay']) assert.equal(index.node(key)!.status, 'STALE', key)
  })
})
