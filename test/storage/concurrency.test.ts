import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { startGatedChild, type GatedChild } from './gated-child.js'
import { forEachBackend, newInstance, type BackendName } from './helpers.js'

const WRITER = fileURLToPath(new URL('./fixtures/concurrent-writer.ts', import.meta.url))
const COUNT = 300

function startWriter(home: string, tag: string, url: string | undefined): GatedChild {
  return startGatedChild(WRITER, [home, tag, String(COUNT), ...(url ? [url] : [])], `writer ${tag}`)
}

function concurrentWriters(backend: BackendName): void {
  test('three processes open a fresh storage at once and write concurrently: no lock errors, no lost update', { timeout: 180_000 }, async () => {
    const instance = newInstance(backend)
    const { home } = instance
    const tags = ['a', 'b', 'c']
    try {
      const writers = tags.map((tag) => startWriter(home, tag, instance.url))
      await Promise.all(writers.map((w) => w.ready))
      for (const w of writers) w.go() // all open the fresh storage in the same instant
      const results = await Promise.all(writers.map((w) => w.done))
      for (const [i, r] of results.entries()) {
        assert.doesNotMatch(r.stderr, /database is locked|SQLITE_BUSY/i, `writer ${i} stderr`)
        assert.equal(r.code, 0, `writer ${i} exited with ${r.code}: ${r.stderr}`)
      }

      if (backend === 'sqlite') {
        const db = new Database(join(home, 'strata.db'), { readonly: true })
        try {
          assert.equal(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get(), db.prepare('SELECT count(DISTINCT version) FROM schema_migrations').pluck().get())
          assert.equal(db.prepare('SELECT count(*) FROM lineage_edges').pluck().get(), tags.length * (COUNT - 1))
        } finally {
          db.close()
        }
      }

      const s = await instance.open()
      try {
        const all = await s.listMaterializations('shared')
        assert.equal(all.length, tags.length * COUNT, 'every materialization recorded')
        assert.equal(new Set(all.map((m) => m.dataVersion)).size, tags.length * COUNT)
        let edges = 0
        for (const m of all) edges += (await s.getLineage(m.id)).length
        assert.equal(edges, tags.length * (COUNT - 1), 'every lineage edge recorded')
        for (const tag of tags) {
          const runId = `run-${tag}`
          assert.equal((await s.getRun(runId))?.status, 'SUCCESS')
          const events = await s.getEvents(runId)
          assert.equal(events.filter((e) => e.type === 'MATERIALIZATION').length, COUNT)
          assert.equal(events.filter((e) => e.type === 'STEP_START').length, COUNT)
          assert.deepEqual(
            events.filter((e) => e.type === 'STEP_START').map((e) => e.message),
            Array.from({ length: COUNT }, (_, i) => `${tag} ${i}`),
            'each writer sees its own events in order',
          )
        }
        const latest = await s.getLatestMany(['shared'])
        assert.equal(latest.length, 50)
        for (const l of latest) assert.equal(l.id, Math.max(...all.filter((m) => m.partitionKey === l.partitionKey).map((m) => m.id)))
        assert.deepEqual(await s.countPartitionStates('shared'), { IN_PROGRESS: 0, FAILED: 0, MATERIALIZED: 50 })
      } finally {
        await s.close()
      }
    } finally {
      await instance.cleanup()
    }
  })
}

forEachBackend((_withStorage, backend) => concurrentWriters(backend))
