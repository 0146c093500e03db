// PostgreSQL's own numbered migrations: applied once per schema (concurrent
// openers serialize on an advisory lock), and a schema written by a newer
// Strata is refused rather than used.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { latestPgSchemaVersion, migratePg, PgDb } from '../../engine/storage/postgres/index.js'
import { freshSchemaUrl, storageErrorLike } from './helpers.js'

test('PostgreSQL: concurrent opens of a fresh schema apply each migration once; reopening applies nothing; a newer schema is refused', async () => {
  const { url, drop } = freshSchemaUrl()
  const dbs = [new PgDb(url), new PgDb(url), new PgDb(url)]
  try {
    const applied = await Promise.all(dbs.map((db) => migratePg(db)))
    const all = applied.flat().sort((a, b) => a - b)
    assert.equal(new Set(all).size, all.length, 'no version applied twice')
    assert.ok(all.includes(1) && all.includes(latestPgSchemaVersion))
    assert.deepEqual(await migratePg(dbs[0]!), [], 'reopening applies nothing')
    const rows = await dbs[0]!.sql.rows<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    assert.deepEqual(rows.map((r) => r.version), all)

    await dbs[0]!.sql.exec('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [latestPgSchemaVersion + 1, 'from-the-future', 0])
    await assert.rejects(migratePg(dbs[1]!), storageErrorLike(/schema version \d+.*newer Strata/))
  } finally {
    await Promise.all(dbs.map((db) => db.close()))
    await drop()
  }
})
