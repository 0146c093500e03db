// What the one-time rewrite of multi-partition keys stored in declaration
// order costs (migration 006 + engine/partitions/key-upgrade.ts), and what
// every later open pays to find nothing to do. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { asset, defineDefinitions } from '../../assets/index.js'
import { dailyPartitions, multiPartitions, staticPartitions } from '../../assets/partitions/index.js'
import { upgradeMultiPartitionKeys } from '../../engine/partitions/key-upgrade.js'
import { openStorage } from '../../engine/storage/index.js'

const DAYS = 10_000
const REGIONS = ['us', 'eu']

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`
}

export async function run(): Promise<void> {
  console.log('## Rewriting multi-partition keys of an older home')
  await scenario(false)
  // One partition also stored in the new order: the rewrite must de-duplicate and park keys.
  await scenario(true)
}

async function scenario(bothOrders: boolean): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'strata-bench-keys-'))
  try {
    const date = dailyPartitions({ start: '1990-01-01' })
    const defs = defineDefinitions({ assets: [asset({ key: 'cube', partitions: multiPartitions({ region: staticPartitions(REGIONS), date }), codeVersion: '1', compute: () => 1 })] })
    const days = date.keys({ now: new Date(Date.UTC(1990, 0, 1) + DAYS * 86_400_000) })

    let t = performance.now()
    const s = await openStorage(home)
    await s.createRun({ runId: 'r', selection: '*', stepKeys: [], defsPath: 'd.ts', pid: process.pid, host: 'bench', startedAt: 0 })
    const keys = days.flatMap((day) => REGIONS.map((region) => `${region}|${day}`))
    if (bothOrders) keys.unshift(`${days[0]}|${REGIONS[0]}`)
    for (const key of keys) {
      await s.recordMaterialization(
        { assetKey: 'cube', partitionKey: key, runId: 'r', codeVersion: '1', dataVersion: key, location: 'x', format: 'json', bytes: 1, metadata: {}, startedAt: 0, endedAt: 0 },
        [],
        { precedingEvents: [{ runId: 'r', ts: 0, type: 'STEP_START', assetKey: 'cube', partitionKey: key }] },
      )
    }
    await s.createBackfill(
      { backfillId: 'b', selection: 'cube', assetKeys: ['cube'], options: {}, defsPath: 'd.ts', createdAt: 0, pid: process.pid, host: 'bench' },
      keys.map((partitionKey) => ({ assetKey: 'cube', partitionKey })),
    )
    await s.close()
    const db = new Database(join(home, 'strata.db'))
    db.exec('DROP TABLE partition_key_layouts; DELETE FROM schema_migrations WHERE version = 6')
    const rows = ['materializations', 'latest_materializations', 'partition_states', 'events', 'backfill_targets'].map((tb) => db.prepare(`SELECT count(*) FROM ${tb}`).pluck().get() as number)
    db.close()
    const what = bothOrders ? `${keys.length} partition keys, one partition in both orders` : `${keys.length} partitions in declaration order`
    console.log(`seeded ${what} (${rows.reduce((a, b) => a + b, 0)} rows in 5 tables): ${ms(t)}`)

    t = performance.now()
    const reopened = await openStorage(home)
    console.log(`  open with migration 006 (marks the asset): ${ms(t)}`)
    t = performance.now()
    const done = await upgradeMultiPartitionKeys(reopened, defs)
    console.log(`  first open with definitions, rewrite of ${done[0]?.renames.length ?? 0} keys in every table: ${ms(t)}`)
    const again: number[] = []
    for (let i = 0; i < 5; i++) {
      t = performance.now()
      await upgradeMultiPartitionKeys(reopened, defs)
      again.push(performance.now() - t)
    }
    console.log(`  every later open (nothing to do), median of 5: ${again.sort((a, b) => a - b)[2]!.toFixed(2)} ms`)
    await reopened.close()
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}
