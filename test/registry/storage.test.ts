// The model registry through the engine API, on every storage backend:
// versions per name, stages, gates, replacement, history and rollback.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { getModelHistory, getProductionModel, listModels, promoteModel, registerModel, rollbackModel, type RegisterModelInput } from '../../engine/registry/index.js'
import { openStorage } from '../../engine/storage/index.js'
import type { Storage } from '../../engine/storage/types.js'
import pg from 'pg'
import { forEachBackend, newInstance, newMaterialization, newRun, tempHome, type BackendName, type StorageInstance } from '../storage/helpers.js'

const model = (name: string, over: Partial<RegisterModelInput> = {}): RegisterModelInput => ({
  name,
  metrics: { auc: 0.8 },
  config: { depth: 6 },
  lineage: { trainedOn: ['2024-01-01'] },
  codeVersion: 'code-1',
  artifact: 'objects/ab/model.json',
  gate: { passed: true, reasons: ['auc 0.8 ≥ 0.75'] },
  ...over,
})

function errorCode(code: string, message?: RegExp) {
  return (err: any) => {
    assert.equal(err?.code, code, `expected ${code}, got ${err?.code}: ${err?.message}`)
    if (message) assert.match(err.message, message)
    return true
  }
}

const stages = async (s: Storage, name: string) => Object.fromEntries((await listModels(s, name)).map((m) => [m.version, m.stage]))

/** Opens `count` storages on one fresh instance of `backend` (separate connections, as separate processes would have). */
async function withShared(backend: BackendName, count: number, fn: (storages: Storage[], instance: StorageInstance) => Promise<void>): Promise<void> {
  const instance = newInstance(backend)
  const storages: Storage[] = []
  try {
    for (let i = 0; i < count; i++) storages.push(await instance.open())
    await fn(storages, instance)
  } finally {
    for (const s of storages) await s.close()
    await instance.cleanup()
  }
}

/** Runs one SQL statement on the instance's database directly, past the storage. */
async function rawSql(backend: BackendName, instance: StorageInstance, text: string): Promise<void> {
  if (backend === 'sqlite') {
    const db = new Database(join(instance.home, 'strata.db'))
    try {
      db.prepare(text).run()
    } finally {
      db.close()
    }
    return
  }
  const client = new pg.Client({ connectionString: instance.url!.replace(/[?&]schema=([a-z0-9_]+)/, '') })
  const schema = /[?&]schema=([a-z0-9_]+)/.exec(instance.url!)![1]
  await client.connect()
  try {
    await client.query(`SET search_path = ${schema}`)
    await client.query(text)
  } finally {
    await client.end()
  }
}

forEachBackend((withStorage, backend) => describe('model registry storage', () => {
  it('registers versions numbered per name, round-trips every field, lists newest first', () =>
    withStorage(async (s) => {
      const a1 = await registerModel(s, model('delay', { description: 'first' }), 1000)
      const a2 = await registerModel(s, model('delay', { metrics: { auc: 0.85 } }), 2000)
      const b1 = await registerModel(s, model('churn'), 3000)
      assert.deepEqual([a1.version, a2.version, b1.version], [1, 2, 1])
      assert.deepEqual(a1, {
        name: 'delay',
        version: 1,
        stage: 'development',
        metrics: { auc: 0.8 },
        config: { depth: 6 },
        lineage: { trainedOn: ['2024-01-01'] },
        codeVersion: 'code-1',
        artifact: 'objects/ab/model.json',
        gate: { passed: true, reasons: ['auc 0.8 ≥ 0.75'] },
        description: 'first',
        createdAt: 1000,
        stageChangedAt: 1000,
      })
      assert.deepEqual(await s.getModel('delay', 1), a1)
      assert.equal(await s.getModel('delay', 3), undefined)
      assert.deepEqual((await listModels(s)).map((m) => `${m.name}@${m.version}`), ['churn@1', 'delay@2', 'delay@1'])
      assert.deepEqual((await listModels(s, 'delay')).map((m) => m.version), [2, 1])
      assert.deepEqual(await listModels(s, 'nope'), [])
      assert.deepEqual((await getModelHistory(s, 'delay', 1)).map((h) => [h.from, h.to, h.kind]), [[null, 'development', 'register']])
    }))

  it('promoting to production archives the previous production version and records history', () =>
    withStorage(async (s) => {
      for (let i = 0; i < 3; i++) await registerModel(s, model('delay'), 1000 + i)
      const p1 = await promoteModel(s, 'delay', 1, 'production', { now: 2000 })
      assert.equal(p1.changed, true)
      assert.equal(p1.replaced, undefined)
      await promoteModel(s, 'delay', 2, 'staging', { now: 2500 })
      const p2 = await promoteModel(s, 'delay', 2, 'production', { now: 3000, reason: 'better auc' })
      assert.deepEqual([p2.model.version, p2.model.stage, p2.model.stageChangedAt], [2, 'production', 3000])
      assert.deepEqual([p2.replaced?.version, p2.replaced?.stage], [1, 'archived'])
      assert.deepEqual(await stages(s, 'delay'), { 1: 'archived', 2: 'production', 3: 'development' })
      assert.equal((await getProductionModel(s, 'delay'))?.version, 2)
      const again = await promoteModel(s, 'delay', 2, 'production', { now: 4000 })
      assert.equal(again.changed, false, 'promoting to the current stage changes nothing')
      assert.deepEqual(
        (await getModelHistory(s, 'delay')).map((h) => [h.version, h.from, h.to, h.kind, h.reason ?? null]),
        [
          [1, null, 'development', 'register', null],
          [2, null, 'development', 'register', null],
          [3, null, 'development', 'register', null],
          [1, 'development', 'production', 'promote', null],
          [2, 'development', 'staging', 'promote', null],
          [1, 'production', 'archived', 'replaced', 'replaced by version 2'],
          [2, 'staging', 'production', 'promote', 'better auc'],
        ],
      )
    }))

  it('only a model whose gate passed reaches staging or production (STRATA_GATE_FAILED); development and archived are always allowed', () =>
    withStorage(async (s) => {
      await registerModel(s, model('delay', { gate: { passed: false, reasons: ['auc 0.6 < 0.75'] } }))
      await assert.rejects(promoteModel(s, 'delay', 1, 'production'), errorCode('STRATA_GATE_FAILED', /version 1 cannot move to production: its gate did not pass \(auc 0\.6 < 0\.75\)/))
      await assert.rejects(promoteModel(s, 'delay', 1, 'staging'), errorCode('STRATA_GATE_FAILED'))
      assert.equal((await promoteModel(s, 'delay', 1, 'archived')).model.stage, 'archived')
      assert.equal((await promoteModel(s, 'delay', 1, 'development')).model.stage, 'development')
      await assert.rejects(registerModel(s, model('delay', { gate: { passed: false, reasons: [] }, stage: 'production' })), errorCode('STRATA_GATE_FAILED'))
      assert.deepEqual((await listModels(s, 'delay')).map((m) => m.version), [1], 'a rejected registration leaves nothing behind')
      const direct = await registerModel(s, model('delay', { stage: 'production' }))
      assert.deepEqual([direct.version, direct.stage], [2, 'production'])
    }))

  it('rollback restores the previous production version and archives the current one; repeated rollbacks walk back', () =>
    withStorage(async (s) => {
      for (let i = 0; i < 3; i++) await registerModel(s, model('delay'))
      for (const v of [1, 2, 3]) await promoteModel(s, 'delay', v, 'production')
      const r1 = await rollbackModel(s, 'delay', { now: 9000 })
      assert.deepEqual([r1.restored.version, r1.restored.stage, r1.archived.version, r1.archived.stage], [2, 'production', 3, 'archived'])
      assert.deepEqual(await stages(s, 'delay'), { 1: 'archived', 2: 'production', 3: 'archived' })
      const r2 = await rollbackModel(s, 'delay')
      assert.deepEqual([r2.restored.version, r2.archived.version], [1, 2])
      await assert.rejects(rollbackModel(s, 'delay'), errorCode('STRATA_NO_ROLLBACK', /no earlier production version.*version 1 is the first/))
      // Promoting again after rollbacks: rollback goes back to the one it replaced.
      await promoteModel(s, 'delay', 3, 'production')
      assert.equal((await rollbackModel(s, 'delay')).restored.version, 1)
      const kinds = (await getModelHistory(s, 'delay')).filter((h) => h.kind === 'rollback').map((h) => [h.version, h.to])
      assert.deepEqual(kinds, [[3, 'archived'], [2, 'production'], [2, 'archived'], [1, 'production'], [3, 'archived'], [1, 'production']])
    }))

  it('rollback errors: unknown model, nothing in production, a first production version', () =>
    withStorage(async (s) => {
      await assert.rejects(rollbackModel(s, 'ghost'), errorCode('STRATA_UNKNOWN_MODEL', /No model named "ghost"/))
      await registerModel(s, model('delay'))
      await assert.rejects(rollbackModel(s, 'delay'), errorCode('STRATA_NO_ROLLBACK', /no version in production/))
      await promoteModel(s, 'delay', 1, 'production')
      await assert.rejects(rollbackModel(s, 'delay'), errorCode('STRATA_NO_ROLLBACK'))
      assert.equal((await getProductionModel(s, 'delay'))?.version, 1, 'a refused rollback changes nothing')
      // A production version taken out by hand is not rolled back to.
      await registerModel(s, model('delay'))
      await promoteModel(s, 'delay', 2, 'production')
      await promoteModel(s, 'delay', 2, 'archived')
      await assert.rejects(rollbackModel(s, 'delay'), errorCode('STRATA_NO_ROLLBACK', /no version in production/))
    }))

  it('unknown names, versions and stages, and malformed models are refused with clear errors', () =>
    withStorage(async (s) => {
      await registerModel(s, model('delay'))
      await registerModel(s, model('delay'))
      await assert.rejects(promoteModel(s, 'delay', 7, 'staging'), errorCode('STRATA_UNKNOWN_MODEL', /Model "delay" has no version 7; its versions are 1–2/))
      await assert.rejects(promoteModel(s, 'churn', 1, 'staging'), errorCode('STRATA_UNKNOWN_MODEL', backend === 'sqlite' ? /No model named "churn" in .*strata\.db\. Registered models: delay\./ : /No model named "churn" in postgres:\/\/.*\?schema=strata_test_\w+\. Registered models: delay\./))
      await assert.rejects(promoteModel(s, 'delay', 1, 'prod' as any), errorCode('STRATA_INVALID_MODEL', /Unknown model stage "prod"/))
      await assert.rejects(s.setModelStage('delay', 1.5, 'staging', 0), errorCode('STRATA_INVALID_MODEL'))
      await assert.rejects(registerModel(s, model('bad name')), errorCode('STRATA_INVALID_MODEL', /model name/))
      await assert.rejects(registerModel(s, model('m', { gate: { ok: true } as any })), errorCode('STRATA_INVALID_MODEL', /gate must be/))
      await assert.rejects(registerModel(s, model('m', { metrics: 'x' as any })), errorCode('STRATA_INVALID_MODEL', /metrics must be an object/))
      await assert.rejects(registerModel(s, model('m', { artifact: '' })), errorCode('STRATA_INVALID_MODEL', /artifact/))
      assert.deepEqual((await listModels(s)).map((m) => m.name), ['delay', 'delay'])
    }))

  it('at most one production version per name, enforced by the schema too', () =>
    withShared(backend, 1, async ([s], instance) => {
      await registerModel(s!, model('delay'))
      await registerModel(s!, model('delay'))
      await promoteModel(s!, 'delay', 1, 'production')
      await assert.rejects(rawSql(backend, instance, `UPDATE models SET stage = 'production' WHERE name = 'delay' AND version = 2`), /UNIQUE|unique constraint "models_one_production"/)
    }))

  it('two connections register concurrently without duplicate version numbers', () =>
    withShared(backend, 2, async ([a, b]) => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => registerModel(i % 2 ? a! : b!, model('delay'))))
      assert.deepEqual((await listModels(a!, 'delay')).map((m) => m.version), Array.from({ length: 20 }, (_, i) => 20 - i))
    }))

  it('concurrent promotions from two connections leave one production version, each having archived the one before', () =>
    withShared(backend, 2, async ([a, b]) => {
      for (let i = 0; i < 8; i++) await registerModel(a!, model('delay'))
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => promoteModel(i % 2 ? a! : b!, 'delay', i + 1, 'production', { now: 1000 + i })))
      const production = (await listModels(a!, 'delay')).filter((m) => m.stage === 'production')
      assert.equal(production.length, 1)
      // Each promotion saw the one before it: 7 of the 8 replaced a production version, none the same one twice.
      const replaced = results.flatMap((r) => (r.replaced ? [r.replaced.version] : []))
      assert.equal(replaced.length, 7)
      assert.equal(new Set(replaced).size, 7)
      assert.ok(!replaced.includes(production[0]!.version))
      // The history replays to the same state: rollback walks back through the promotions in the order they happened.
      const order = (await getModelHistory(a!, 'delay')).filter((h) => h.to === 'production').map((h) => h.version)
      assert.equal(order.at(-1), production[0]!.version)
      assert.equal((await rollbackModel(b!, 'delay')).restored.version, order.at(-2))
    }))

  it('registerModelOnce knows a retrain by its stored artifact’s data version; a changed artifact is a new version', () =>
    withStorage(async (s) => {
      await s.createRun(newRun('r1'))
      const stored = (location: string, dataVersion: string) => s.recordMaterialization(newMaterialization('model', 'r1', { location, dataVersion }), [])
      const [m1, m2, m3] = [await stored('objects/a', 'dv1'), await stored('objects/b', 'dv1'), await stored('objects/c', 'dv2')]
      const version = (m: { id: number; location: string }, createdAt: number) => ({ ...model('delay'), config: {}, artifact: m.location, lineage: { materializationId: m.id }, createdAt })
      const first = await s.registerModelOnce(version(m1!, 1))
      assert.deepEqual([first.model.version, first.existing], [1, false])
      const same = await s.registerModelOnce(version(m2!, 2))
      assert.deepEqual([same.model.version, same.existing, same.model.createdAt], [1, true, 1])
      const changed = await s.registerModelOnce(version(m3!, 3))
      assert.deepEqual([changed.model.version, changed.existing], [2, false])
    }))

  it('identical concurrent retrains from two connections register one version', () =>
    withShared(backend, 2, async ([a, b]) => {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a! : b!).registerModelOnce({ ...model('delay'), config: { depth: 6 }, lineage: { trainedOn: ['2024-01-01'] }, createdAt: 1000 + i })))
      assert.deepEqual(new Set(results.map((r) => r.model.version)), new Set([1]))
      assert.equal(results.filter((r) => !r.existing).length, 1)
      assert.equal((await listModels(a!, 'delay')).length, 1)
    }))
}))

describe('migrations 003-checks and 004-model-registry', () => {
  it('apply on top of a database that has 001–002, keeping its data', async () => {
    const { migrate, migrations } = await import('../../engine/storage/sqlite/index.js')
    const { home, cleanup } = tempHome()
    try {
      const file = join(home, 'strata.db')
      const old = new Database(file)
      try {
        assert.deepEqual(migrate(old, file, migrations.filter((m) => m.version <= 2)), [1, 2])
        old.prepare(`INSERT INTO runs (run_id, status, selection, step_keys, defs_path, pid, host, started_at) VALUES ('old-run', 'SUCCESS', '*', '[]', 'd.ts', 1, 'h', 5)`).run()
        assert.deepEqual(old.prepare(`SELECT name FROM sqlite_master WHERE name IN ('check_results', 'models')`).all(), [])
      } finally {
        old.close()
      }
      const s = await openStorage(home)
      try {
        assert.equal((await s.getRun('old-run'))?.status, 'SUCCESS')
        const db = new Database(file, { readonly: true })
        try {
          const versions = db.prepare('SELECT version, name FROM schema_migrations WHERE version IN (3, 4) ORDER BY version').all()
          assert.deepEqual(versions, [{ version: 3, name: 'checks' }, { version: 4, name: 'model-registry' }])
          const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('check_results', 'latest_check_results', 'models', 'model_stage_history') ORDER BY name`).pluck().all()
          for (const name of ['check_results_asset', 'latest_check_results_counts', 'models_one_production', 'model_stage_history_name']) assert.ok(indexes.includes(name), `index ${name}`)
        } finally {
          db.close()
        }
        await s.recordCheckResults([{ assetKey: 'a', partitionKey: '', checkName: 'c', passed: false, blocking: true, metadata: {}, runId: 'old-run', ts: 9 }])
        assert.equal((await s.getLatestCheckResults('a'))[0]!.checkName, 'c')
        await registerModel(s, model('m'))
        assert.equal((await listModels(s)).length, 1)
        await assert.rejects(
          s.recordCheckResults([{ assetKey: 'a', partitionKey: '', checkName: 'c', passed: true, blocking: true, metadata: {}, runId: 'no-such-run', ts: 10 }]),
          errorCode('STRATA_STORAGE', /Run no-such-run does not exist/),
        )
      } finally {
        await s.close()
      }
    } finally {
      cleanup()
    }
  })
})
