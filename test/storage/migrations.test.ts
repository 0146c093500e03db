import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStorage } from '../../engine/storage/index.js'
import { openDatabase, migrate, migrations, latestSchemaVersion, BUSY_TIMEOUT_MS } from '../../engine/storage/sqlite/index.js'
import { storageErrorLike, tempHome } from './helpers.js'

function readMigrations(file: string): Array<{ version: number; name: string; applied_at: number }> {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as Array<{
      version: number
      name: string
      applied_at: number
    }>
  } finally {
    db.close()
  }
}

test('a fresh home gets every migration once; reopening applies nothing', async () => {
  const { home, cleanup } = tempHome()
  try {
    const file = join(home, 'nested', 'strata.db')
    const first = await openStorage(join(home, 'nested'))
    await first.close()
    const applied = readMigrations(file)
    assert.deepEqual(
      applied.map((r) => [r.version, r.name]),
      migrations.map((m) => [m.version, m.name]),
    )
    assert.equal(applied.at(-1)?.version, latestSchemaVersion)

    const second = await openStorage(join(home, 'nested'))
    await second.close()
    assert.deepEqual(readMigrations(file), applied, 'reopening must not re-apply or re-record migrations')

    const db = openDatabase(file)
    try {
      assert.deepEqual(migrate(db, file), [], 'migrate on an up-to-date database is a no-op')
    } finally {
      db.close()
    }
  } finally {
    cleanup()
  }
})

test('a new migration is applied once, on the next open', () => {
  const { home, cleanup } = tempHome()
  try {
    const file = join(home, 'strata.db')
    const db = openDatabase(file)
    try {
      const extra = [...migrations, { version: latestSchemaVersion + 1, name: 'add-notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)' }]
      assert.deepEqual(migrate(db, file, extra), [latestSchemaVersion + 1])
      assert.deepEqual(migrate(db, file, extra), [])
      db.prepare('INSERT INTO notes (body) VALUES (?)').run('works')
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()
      assert.deepEqual(versions, [...migrations.map((m) => m.version), latestSchemaVersion + 1])
    } finally {
      db.close()
    }
  } finally {
    cleanup()
  }
})

test('a failing migration rolls back entirely', () => {
  const { home, cleanup } = tempHome()
  try {
    const file = join(home, 'strata.db')
    const db = openDatabase(file)
    try {
      const broken = [...migrations, { version: latestSchemaVersion + 1, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); SELECT * FROM no_such_table;' }]
      assert.throws(() => migrate(db, file, broken))
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'half'`).all()
      assert.deepEqual(tables, [], 'the partial migration must not leave a table behind')
      assert.equal(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), latestSchemaVersion)
    } finally {
      db.close()
    }
  } finally {
    cleanup()
  }
})

test('a database from a newer Strata is refused with STRATA_STORAGE', async () => {
  const { home, cleanup } = tempHome()
  try {
    await (await openStorage(home)).close()
    const db = new Database(join(home, 'strata.db'))
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latestSchemaVersion + 5, 'future', 0)
    db.close()
    await assert.rejects(openStorage(home), storageErrorLike(/schema version \d+.*newer Strata/))
  } finally {
    cleanup()
  }
})

test('connection pragmas: WAL, synchronous NORMAL, foreign keys, busy timeout, a 16 MiB page cache', () => {
  const { home, cleanup } = tempHome()
  try {
    const db = openDatabase(join(home, 'strata.db'))
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
      assert.equal(db.pragma('synchronous', { simple: true }), 1) // NORMAL
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1)
      assert.equal(db.pragma('busy_timeout', { simple: true }), BUSY_TIMEOUT_MS)
      assert.ok(BUSY_TIMEOUT_MS >= 5000)
      // Negative means KiB: a long run fills the cache to this limit and keeps it resident, so it bounds peak memory.
      assert.equal(db.pragma('cache_size', { simple: true }), -16384)
    } finally {
      db.close()
    }
  } finally {
    cleanup()
  }
})

test('opening a home that is not usable fails with STRATA_STORAGE', async () => {
  const { home, cleanup } = tempHome()
  try {
    const { writeFileSync } = await import('node:fs')
    const notADir = join(home, 'file')
    writeFileSync(notADir, 'x')
    await assert.rejects(openStorage(notADir), storageErrorLike(/Could not (create|open)/))

    const notADb = join(home, 'garbage')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(notADb)
    writeFileSync(join(notADb, 'strata.db'), 'this is not a sqlite database, just some text that is long enough to have a header')
    await assert.rejects(openStorage(notADb), storageErrorLike(/not a SQLite database/))
  } finally {
    cleanup()
  }
})

test('migration 002 applies on top of a database that only has 001, keeping its data', async () => {
  const { home, cleanup } = tempHome()
  try {
    const file = join(home, 'strata.db')
    const only001 = migrations.filter((m) => m.version === 1)
    assert.equal(only001.length, 1)
    const old = new Database(file)
    try {
      assert.deepEqual(migrate(old, file, only001), [1])
      old.prepare(`INSERT INTO runs (run_id, status, selection, step_keys, defs_path, pid, host, started_at) VALUES ('old-run', 'SUCCESS', '*', '[]', 'd.ts', 1, 'h', 5)`).run()
      const id = old
        .prepare(
          `INSERT INTO materializations (asset_key, partition_key, run_id, code_version, data_version, location, format, bytes, started_at, ended_at)
           VALUES ('a', 'p', 'old-run', 'old-code', 'old-data', 'objects/a', 'json', 1, 5, 6)`,
        )
        .run().lastInsertRowid
      old.prepare(`INSERT INTO latest_materializations (asset_key, partition_key, materialization_id) VALUES ('a', 'p', ?)`).run(id)
      old
        .prepare(`INSERT INTO partition_states (asset_key, partition_key, state, run_id, updated_at, materialization_id, data_version) VALUES ('a', 'p', 'FAILED', 'old-run', 7, ?, 'old-data')`)
        .run(id)
      const tables = old.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('backfills', 'backfill_targets', 'dynamic_partitions')`).all()
      assert.deepEqual(tables, [], 'a 001-only database has none of the 002 tables')
    } finally {
      old.close()
    }

    const s = await openStorage(home)
    try {
      // 002 and every later migration.
      assert.deepEqual(
        readMigrations(file).map((r) => [r.version, r.name]),
        migrations.map((m) => [m.version, m.name]),
      )
      assert.deepEqual(readMigrations(file).slice(0, 2).map((r) => r.name), ['initial', 'backfills-dynamic-partitions'])
      assert.equal((await s.getRun('old-run'))?.status, 'SUCCESS')
      assert.deepEqual(await s.getPartitionStates('a'), [
        { assetKey: 'a', partitionKey: 'p', state: 'FAILED', runId: 'old-run', updatedAt: 7, materializationId: 1, dataVersion: 'old-data', codeVersion: 'old-code' },
      ])
      await s.createBackfill(
        { backfillId: 'b', selection: 'a', assetKeys: ['a'], options: {}, defsPath: 'd.ts', createdAt: 8, pid: 1, host: 'h' },
        [{ assetKey: 'a', partitionKey: 'p' }],
      )
      assert.equal((await s.countBackfillTargets('b')).PENDING, 1)
      assert.deepEqual(await s.addDynamicPartitions('d', ['x'], 9), ['x'])
    } finally {
      await s.close()
    }
    const again = openDatabase(file)
    try {
      assert.deepEqual(migrate(again, file), [], '002 is recorded once')
    } finally {
      again.close()
    }
  } finally {
    cleanup()
  }
})

test('migration 005 copies the code version of existing materialized partitions into partition_states', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { default: Database } = await import('better-sqlite3')
  const { openStorage } = await import('../../engine/storage/index.js')
  const home = mkdtempSync(join(tmpdir(), 'strata-m005-'))
  try {
    const s = await openStorage(home)
    await s.createRun({ runId: 'r', selection: '*', stepKeys: [], defsPath: 'd.ts', pid: 1, host: 'h', startedAt: 1 })
    await s.recordMaterialization({ assetKey: 'a', partitionKey: 'p1', runId: 'r', codeVersion: 'cv1', dataVersion: 'dv1', location: 'x', format: 'json', bytes: 1, metadata: {}, startedAt: 1, endedAt: 2 }, [])
    await s.close()
    // Simulate a database from before 005: drop the value, forget the migration, reopen.
    const db = new Database(join(home, 'strata.db'))
    db.exec("UPDATE partition_states SET code_version = NULL; DELETE FROM schema_migrations WHERE version = 5; ALTER TABLE partition_states DROP COLUMN code_version")
    db.close()
    const again = await openStorage(home)
    const [state] = await again.getPartitionStates('a')
    assert.equal(state?.codeVersion, 'cv1')
    await again.close()
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})
