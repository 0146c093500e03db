// Homes written when multi-partition keys followed the declaration order are
// rewritten into dimension-name order on the first open with definitions
// (migration 006 + engine/partitions/key-upgrade.ts), in every table.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { dailyPartitions, multiPartitions, staticPartitions } from '../../assets/partitions/index.js'
import { asset, defineDefinitions } from '../../assets/index.js'
import { planKeyRewrite, upgradeMultiPartitionKeys } from '../../engine/partitions/key-upgrade.js'
import { openStorage, type Storage } from '../../engine/storage/index.js'
import { newMaterialization, newRun, tempHome } from '../storage/helpers.js'
import { withProject } from '../integration/helpers.js'

const date = dailyPartitions({ start: '2024-01-01', end: '2024-01-04' })
const region = staticPartitions(['us', 'eu'])
/** Declared region first: the old code wrote `us|2024-01-01`. */
const cubeParts = multiPartitions({ region, date })

/** Writes through the storage API, then leaves the database as the previous version did: schema 5, no layouts table. */
async function oldHome(home: string, write: (s: Storage) => Promise<void>): Promise<void> {
  const s = await openStorage(home)
  try {
    await write(s)
  } finally {
    await s.close()
  }
  const db = new Database(join(home, 'strata.db'))
  db.exec('DROP TABLE partition_key_layouts; DELETE FROM schema_migrations WHERE version = 6')
  db.close()
}

function column(home: string, sql: string): unknown[] {
  const db = new Database(join(home, 'strata.db'), { readonly: true })
  try {
    return db.prepare(sql).pluck().all()
  } finally {
    db.close()
  }
}

describe('planning the rewrite of stored keys', () => {
  function layout(keys: string[], dimensions: string[] | null = null) {
    return { assetKey: 'cube', dimensions, keys }
  }

  it('keys from before the layout was recorded are in declaration order', () => {
    const plan = planKeyRewrite(cubeParts, layout(['eu|2024-01-02', 'us|2024-01-01']))
    assert.deepEqual(plan, { assetKey: 'cube', dimensions: ['date', 'region'], renames: [['eu|2024-01-02', '2024-01-02|eu'], ['us|2024-01-01', '2024-01-01|us']], unresolved: [] })
  })

  it('a key that fits only another order (the declaration changed between runs) takes that order', () => {
    const plan = planKeyRewrite(cubeParts, layout(['2024-01-03|eu', 'us|2024-01-01']))
    assert.deepEqual(plan.renames, [['us|2024-01-01', '2024-01-01|us']])
  })

  it('when several orders fit, or none, the order the key was written in wins', () => {
    const twin = multiPartitions({ b: staticPartitions(['x', 'y']), a: staticPartitions(['x', 'y']) })
    assert.deepEqual(planKeyRewrite(twin, layout(['x|y', 'y|x'])).renames, [['x|y', 'y|x'], ['y|x', 'x|y']])
    // "apac" is no region any more: still written region first.
    assert.deepEqual(planKeyRewrite(cubeParts, layout(['apac|2024-01-01'])).renames, [['apac|2024-01-01', '2024-01-01|apac']])
  })

  it('leaves keys with the wrong number of parts, and reorders by fit after a rename', () => {
    assert.deepEqual(planKeyRewrite(cubeParts, layout(['us|2024-01-01|x'])).unresolved, ['us|2024-01-01|x'])
    // Recorded as [date, region]; "region" renamed "area" now sorts first.
    const renamed = multiPartitions({ area: region, date })
    const plan = planKeyRewrite(renamed, layout(['2024-01-01|us', '2024-01-02|mars'], ['date', 'region']))
    assert.deepEqual(plan.dimensions, ['area', 'date'])
    assert.deepEqual(plan.renames, [['2024-01-01|us', 'us|2024-01-01']])
    assert.deepEqual(plan.unresolved, ['2024-01-02|mars'])
  })
})

describe('rewriting a home written in declaration order', () => {
  it('rewrites every table once, keeps the newest row where two keys meet, and records the layout', async () => {
    const { home, cleanup } = tempHome()
    try {
      await oldHome(home, async (s) => {
        await s.createRun(newRun('r1'))
        const a = await s.recordMaterialization(newMaterialization('cube', 'r1', { partitionKey: 'us|2024-01-01', dataVersion: 'd1' }), [], {
          precedingEvents: [{ runId: 'r1', ts: 1, type: 'STEP_START', assetKey: 'cube', partitionKey: 'us|2024-01-01' }],
          checkResults: [{ assetKey: 'cube', partitionKey: 'us|2024-01-01', checkName: 'rows', passed: true, blocking: true, metadata: {}, runId: 'r1', ts: 2 }],
        })
        await s.recordMaterialization(newMaterialization('cube', 'r1', { partitionKey: 'eu|2024-01-02', dataVersion: 'd2' }), [])
        // The same partition also stored in the new order, older: the old-order row is newer and wins.
        await s.recordMaterialization(newMaterialization('cube', 'r1', { partitionKey: '2024-01-03|us', dataVersion: 'old' }), [])
        await s.recordMaterialization(newMaterialization('cube', 'r1', { partitionKey: 'us|2024-01-03', dataVersion: 'new', endedAt: 1_700_000_001_000 }), [])
        await s.setPartitionStates([{ assetKey: 'cube', partitionKey: 'eu|2024-01-03', state: 'FAILED' }], 'r1', 3)
        await s.recordMaterialization(newMaterialization('summary', 'r1', { dataVersion: 's' }), [
          { upstreamMaterializationId: a.id, upstreamAssetKey: 'cube', upstreamPartitionKey: 'us|2024-01-01', upstreamDataVersion: 'd1', inputName: 'cube' },
        ])
        await s.createBackfill(
          { backfillId: 'b1', selection: 'cube', assetKeys: ['cube'], options: {}, defsPath: 'd.ts', createdAt: 1, pid: 1, host: 'h' },
          [{ assetKey: 'cube', partitionKey: 'us|2024-01-01' }, { assetKey: 'cube', partitionKey: 'eu|2024-01-03' }],
        )
      })

      const s = await openStorage(home)
      try {
        assert.deepEqual(column(home, "SELECT asset_key || '=' || coalesce(dimensions, 'null') FROM partition_key_layouts"), ['cube=null'], 'the migration marks what it cannot rewrite')
        const defs = defineDefinitions({
          assets: [asset({ key: 'cube', partitions: cubeParts, codeVersion: '1', compute: () => 1 }), asset({ key: 'flat', partitions: multiPartitions({ date, region }), codeVersion: '1', compute: () => 1 })],
        })
        const done = await upgradeMultiPartitionKeys(s, defs, 10)
        assert.deepEqual(done.map((r) => [r.assetKey, r.renames.length]), [['cube', 4]])
        assert.deepEqual(await upgradeMultiPartitionKeys(s, defs, 11), [], 'a second open rewrites nothing')

        const keys = (table: string, col = 'partition_key', asset = 'asset_key') => column(home, `SELECT DISTINCT ${col} FROM ${table} WHERE ${asset} = 'cube' ORDER BY 1`)
        const all = ['2024-01-01|us', '2024-01-02|eu', '2024-01-03|us']
        assert.deepEqual(keys('materializations'), all)
        assert.deepEqual(keys('latest_materializations'), all)
        assert.deepEqual(keys('partition_states'), [...all, '2024-01-03|eu'].sort())
        assert.deepEqual(keys('check_results'), ['2024-01-01|us'])
        assert.deepEqual(keys('latest_check_results'), ['2024-01-01|us'])
        assert.deepEqual(keys('backfill_targets'), ['2024-01-01|us', '2024-01-03|eu'])
        assert.deepEqual(keys('events'), all)
        assert.deepEqual(keys('lineage_edges', 'upstream_partition_key', 'upstream_asset_key'), ['2024-01-01|us'])
        assert.equal((await s.getLatest('cube', '2024-01-03|us'))?.dataVersion, 'new')
        assert.equal((await s.getLatest('cube', '2024-01-01|us'))?.dataVersion, 'd1')
        assert.deepEqual(column(home, "SELECT asset_key || '=' || dimensions FROM partition_key_layouts ORDER BY 1"), ['cube=["date","region"]', 'flat=["date","region"]'])
      } finally {
        await s.close()
      }
    } finally {
      cleanup()
    }
  })

  it('swaps keys of two dimensions sharing their keys without a unique-key clash', async () => {
    const { home, cleanup } = tempHome()
    try {
      await oldHome(home, async (s) => {
        await s.createRun(newRun('r1'))
        await s.recordMaterialization(newMaterialization('twin', 'r1', { partitionKey: 'x|y', dataVersion: 'bx-ay' }), [])
        await s.recordMaterialization(newMaterialization('twin', 'r1', { partitionKey: 'y|x', dataVersion: 'by-ax' }), [])
      })
      const s = await openStorage(home)
      try {
        const twin = multiPartitions({ b: staticPartitions(['x', 'y']), a: staticPartitions(['x', 'y']) })
        await upgradeMultiPartitionKeys(s, defineDefinitions({ assets: [asset({ key: 'twin', partitions: twin, codeVersion: '1', compute: () => 1 })] }))
        // Keys are now a|b: the value of b=x, a=y is under "y|x".
        assert.equal((await s.getLatest('twin', 'y|x'))?.dataVersion, 'bx-ay')
        assert.equal((await s.getLatest('twin', 'x|y'))?.dataVersion, 'by-ax')
      } finally {
        await s.close()
      }
    } finally {
      cleanup()
    }
  })
})

describe('strata status on a home written in declaration order', () => {
  it('sees the partitions materialized before as materialized', () =>
    withProject(
      `import { asset, defineDefinitions, dailyPartitions, multiPartitions, staticPartitions } from 'strata-engine'
const parts = multiPartitions({
  region: staticPartitions(['us', 'eu']),
  date: dailyPartitions({ start: '2024-01-01', end: '2024-01-03' }),
})
export const cube = asset({ key: 'cube', partitions: parts, codeVersion: '1', compute: (ctx) => ({ key: ctx.partitionKey }) })
export default defineDefinitions({ assets: [cube] })
`,
      async (p) => {
        await oldHome(p.home, async (s) => {
          await s.createRun(newRun('r1'))
          for (const key of ['us|2024-01-01', 'eu|2024-01-02']) {
            await s.recordMaterialization(newMaterialization('cube', 'r1', { partitionKey: key, codeVersion: '1', location: `objects/${key}.json` }), [])
          }
        })
        const r = await p.ok(['status', 'cube', '--partitions', '--json'])
        const statuses = new Map(r.json.partitions.map((x: { key: string; status: string }) => [x.key, x.status]))
        assert.deepEqual(Object.fromEntries(statuses), { '2024-01-01|us': 'FRESH', '2024-01-01|eu': 'MISSING', '2024-01-02|us': 'MISSING', '2024-01-02|eu': 'FRESH' })
        // Nothing is left to materialize for those two.
        const plan = await p.ok(['materialize', '--partition', '2024-01-01|us', '--stale', '--json', '--executor', 'in-process'])
        assert.equal(plan.json.runId, null, plan.stdout)
      },
    ))
})
