import { test } from 'node:test'
import assert from 'node:assert/strict'
import { defineDefinitions } from '../../assets/index.js'
import { openStorage, parseStorageUrl, resolveStorageUrl } from '../../engine/storage/index.js'
import { tempHome } from './helpers.js'

const PG = 'postgres://u@db.example:5432/strata?schema=team_a'

test('storage URLs: sqlite or absent is the home database, postgres:// and postgresql:// are PostgreSQL, anything else STRATA_INVALID_STORAGE_URL', () => {
  assert.deepEqual(parseStorageUrl(undefined), { kind: 'sqlite' })
  assert.deepEqual(parseStorageUrl('sqlite'), { kind: 'sqlite' })
  assert.deepEqual(parseStorageUrl(PG), { kind: 'postgres', url: PG, description: 'postgres://u@db.example:5432/strata?schema=team_a' })
  assert.equal((parseStorageUrl('postgresql://u:secret@h/db') as { description: string }).description, 'postgres://u@h:5432/db?schema=strata', 'default port and schema; never the password')
  for (const bad of ['mysql://h/db', 'strata.db', 'postgres://h/db?schema=Bad-Name']) {
    assert.throws(() => parseStorageUrl(bad), (e: any) => e.code === 'STRATA_INVALID_STORAGE_URL' && !String(e.message).includes('secret'), bad)
  }
  assert.throws(() => parseStorageUrl('mysql://u:secret@h/db'), (e: any) => e.code === 'STRATA_INVALID_STORAGE_URL' && !e.message.includes('secret'))
})

test('precedence: --storage, then STRATA_STORAGE_URL, then defineDefinitions({ storage }), then SQLite; the source is named in errors', () => {
  const env = { STRATA_STORAGE_URL: 'postgres://env@h/db' }
  assert.equal(resolveStorageUrl({ flag: PG, definitions: 'postgres://defs@h/db', env }), PG)
  assert.equal(resolveStorageUrl({ definitions: 'postgres://defs@h/db', env }), 'postgres://env@h/db')
  assert.equal(resolveStorageUrl({ definitions: 'postgres://defs@h/db', env: {} }), 'postgres://defs@h/db')
  assert.equal(resolveStorageUrl({ env: {} }), undefined)
  assert.equal(resolveStorageUrl({ flag: 'sqlite', env }), undefined, '--storage sqlite overrides the environment')
  assert.throws(() => resolveStorageUrl({ env: { STRATA_STORAGE_URL: 'redis://h' } }), (e: any) => e.code === 'STRATA_INVALID_STORAGE_URL' && e.message.startsWith('$STRATA_STORAGE_URL: '))
})

test('defineDefinitions validates storage with STRATA_INVALID_STORAGE_URL', () => {
  assert.equal(defineDefinitions({ assets: [], storage: PG }).storage, PG)
  assert.equal(defineDefinitions({ assets: [] }).storage, undefined)
  for (const bad of [42, 'mysql://u:secret@h/db', 'not a url']) {
    assert.throws(() => defineDefinitions({ assets: [], storage: bad as string }), (e: any) => e.code === 'STRATA_INVALID_STORAGE_URL' && !e.message.includes('secret'), String(bad))
  }
})

test('an unreachable PostgreSQL server fails with STRATA_STORAGE_UNREACHABLE naming host:port', async () => {
  const { home, cleanup } = tempHome()
  try {
    await assert.rejects(openStorage(home, { url: 'postgres://u:secret@127.0.0.1:1/db' }), (e: any) => {
      assert.equal(e.code, 'STRATA_STORAGE_UNREACHABLE')
      assert.match(e.message, /Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\)/)
      assert.doesNotMatch(e.message, /secret/)
      return true
    })
  } finally {
    cleanup()
  }
})
