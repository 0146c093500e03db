// End to end with the objects in PostgreSQL: `strata materialize --objects
// postgres://…` on a fresh home writes every value to the database (nothing
// under the home's objects/), downstream steps read them back from there, the
// values load through the public API, and `strata gc --objects` collects
// only what nothing refers to. STRATA_OBJECTS selects the store too.
import assert from 'node:assert/strict'
import { existsSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadValue, openObjectStore, openWorkspace } from '../../engine/index.js'
import { createProject, REPO_ROOT, stepsByKey, type Project } from '../integration/helpers.js'
import { dropSchema, freshObjectsUrl, TEST_POSTGRES_URL } from './object-store-helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
import { tableFromArrays } from 'apache-arrow'
export const rows = asset({ key: 'rows', compute: () => tableFromArrays({ id: Int32Array.from([1, 2, 3]), v: Float64Array.from([0.5, 1.5, 2.5]) }) })
export const total = asset({ key: 'total', ins: { rows }, compute: (_ctx, { rows }) => ({ total: rows.getChild('v').toArray().reduce((a, b) => a + b, 0), when: new Date(0) }) })
export const label = asset({ key: 'label', ins: { total }, compute: (_ctx, { total }) => \`total \${total.total}\` })
export default defineDefinitions({ assets: [rows, total, label] })
`

let project: Project
const { url, schema } = freshObjectsUrl()

before(async () => {
  const pg = (await import('pg')).default
  const probe = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  try {
    await probe.connect()
  } catch (err) {
    throw new Error(`PostgreSQL is unreachable at ${TEST_POSTGRES_URL} (${(err as Error).message}): this test needs it. Start it, or set STRATA_TEST_POSTGRES_URL.`)
  } finally {
    await probe.end().catch(() => {})
  }
  project = createProject(DEFS)
  // The definitions return an Arrow table: the project sees the repository's apache-arrow.
  symlinkSync(join(REPO_ROOT, 'node_modules', 'apache-arrow'), join(project.dir, 'node_modules', 'apache-arrow'), 'dir')
})
after(async () => {
  project?.cleanup()
  await dropSchema(schema)
})

describe('materialize with --objects postgres://…', { concurrency: false }, () => {
  it('stores every value in PostgreSQL and reads inputs back from it', async () => {
    const r = await project.ok(['materialize', '--objects', url, '--json'])
    const steps = stepsByKey(r)
    for (const key of ['rows', 'total', 'label']) assert.equal(steps.get(key)?.status, 'SUCCESS', key)
    assert.equal(existsSync(join(project.home, 'objects')), false, 'nothing was written under the home')
  })

  it('the values load through the public API from the same store', async () => {
    const ws = await openWorkspace({ defsFile: join(project.dir, 'definitions.ts'), objects: url })
    try {
      assert.equal(ws.objects?.description.startsWith('postgres://postgres@'), true)
      const total = await ws.storage.getLatest('total')
      assert.deepStrictEqual(await loadValue(ws, total!), { total: 4.5, when: new Date(0) })
      assert.equal(await loadValue(ws, (await ws.storage.getLatest('label'))!), 'total 4.5')
      const rows = (await loadValue(ws, (await ws.storage.getLatest('rows'))!)) as { numRows: number }
      assert.equal(rows.numRows, 3)
    } finally {
      await ws.close()
    }
  })

  it('the home alone does not have them: loading without the store says where to look', async () => {
    const ws = await openWorkspace({ defsFile: join(project.dir, 'definitions.ts') })
    try {
      await assert.rejects(loadValue(ws, (await ws.storage.getLatest('label'))!), (e: Error & { code?: string }) => e.code === 'STRATA_MISSING_OBJECT' && /--objects/.test(e.message))
    } finally {
      await ws.close()
    }
  })

  it('STRATA_OBJECTS selects the store too: an unchanged graph is up to date against it', async () => {
    const r = await project.ok(['materialize', '--stale', '--json'], 0, { env: { STRATA_OBJECTS: url } })
    assert.equal(JSON.parse(r.stdout).runId, null, 'nothing needed to run')
  })

  it('strata gc --objects keeps every referenced value in PostgreSQL', async () => {
    const store = await openObjectStore(url)
    try {
      const orphan = await (await import('../../engine/io/object-store.js')).storeValue(store, 'unreferenced')
      // Everything two hours old: only references keep the materialized values.
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await client.connect()
      await client.query(`UPDATE "${schema}".strata_objects SET touched_at = touched_at - 7200000`)
      await client.end()
      const r = await project.ok(['gc', '--objects', url, '--grace', '0', '--json'])
      assert.deepEqual(JSON.parse(r.stdout).removed, { objects: 1, temps: 0 })
      assert.equal(await store.stat(orphan.location), undefined)
      let left = 0
      for await (const _ of store.list()) left++
      assert.equal(left, 3, 'the three materialized values stay')
    } finally {
      await store.close()
    }
  })

  it('defineDefinitions({ objects }) names the store when no flag or environment does', async () => {
    const other = createProject(`import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'a', compute: () => ({ from: 'definitions' }) })
export default defineDefinitions({ assets: [a], objects: ${JSON.stringify(url)} })
`)
    try {
      await other.ok(['materialize', '--json'], 0, { env: { STRATA_OBJECTS: undefined } })
      assert.equal(existsSync(join(other.home, 'objects')), false, 'nothing was written under the home')
      const ws = await openWorkspace({ defsFile: join(other.dir, 'definitions.ts') })
      try {
        assert.equal(ws.objects?.spec, url)
        assert.deepStrictEqual(await loadValue(ws, (await ws.storage.getLatest('a'))!), { from: 'definitions' })
      } finally {
        await ws.close()
      }
      // strata gc too collects the store the definitions name: a dry run counts the orphan planted in it.
      const store = await openObjectStore(url)
      try {
        const orphan = await (await import('../../engine/io/object-store.js')).storeValue(store, 'unreferenced, from the definitions test')
        const pg = (await import('pg')).default
        const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
        await client.connect()
        await client.query(`UPDATE "${schema}".strata_objects SET touched_at = touched_at - 7200000 WHERE location = $1`, [orphan.location])
        await client.end()
        const r = await other.ok(['gc', '--grace', '0', '--dry-run', '--json'], 0, { env: { STRATA_OBJECTS: undefined } })
        // The home holds no objects: anything counted was found in the PostgreSQL store (the orphan, and the first project's old values, which this project's storage does not reference).
        assert.ok(JSON.parse(r.stdout).removed.objects >= 1)
        assert.ok(await store.stat(orphan.location), 'a dry run removes nothing')
      } finally {
        await store.close()
      }
    } finally {
      other.cleanup()
    }
  })

  it('an unreachable store fails with STRATA_OBJECTS_UNREACHABLE naming host and port', async () => {
    const r = await project.ok(['materialize', '--objects', 'postgres://postgres@127.0.0.1:1/test', '--json'], 2)
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!).error
    assert.equal(err.code, 'STRATA_OBJECTS_UNREACHABLE')
    assert.match(err.message, /127\.0\.0\.1:1/)
  })
})
