// Which object store a command uses: --objects, else STRATA_OBJECTS, else
// defineDefinitions({ objects }), else the home; malformed specs are refused
// with STRATA_INVALID_OBJECTS.
import assert from 'node:assert/strict'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { asset, defineDefinitions } from '../../assets/index.js'
import { checkObjectsSpec, openObjectStore, resolveObjectsSpec } from '../../engine/io/object-stores/open.js'

const PG = 'postgres://u@db:5432/x?schema=objs'

describe('resolveObjectsSpec', () => {
  const home = resolve('/tmp/some-home')
  it('flag > environment > definitions > the home', () => {
    assert.equal(resolveObjectsSpec({ flag: '/flag', env: '/env', definitions: '/defs', home }), '/flag')
    assert.equal(resolveObjectsSpec({ env: PG, definitions: '/defs', home }), PG)
    assert.equal(resolveObjectsSpec({ env: '', definitions: '/defs', home }), '/defs')
    assert.equal(resolveObjectsSpec({ env: '', home }), home)
  })
  it('relative directories: from the working directory for the flag and environment, from the definitions file for the definitions', () => {
    assert.equal(resolveObjectsSpec({ flag: 'shared', home, cwd: '/work' }), join('/work', 'shared'))
    assert.equal(resolveObjectsSpec({ env: 'shared', home, cwd: '/work' }), join('/work', 'shared'))
    assert.equal(resolveObjectsSpec({ env: '', definitions: '../objects', definitionsDir: '/project/pipelines', home, cwd: '/work' }), '/project/objects')
  })
  it('a PostgreSQL URL is kept as written', () => {
    assert.equal(resolveObjectsSpec({ flag: PG, home }), PG)
    assert.equal(resolveObjectsSpec({ flag: 'postgresql://h/db', home }), 'postgresql://h/db')
  })
})

describe('refused specs', () => {
  it('an empty spec, or another URL scheme, is STRATA_INVALID_OBJECTS saying what to give', async () => {
    assert.throws(() => checkObjectsSpec(''), (e: Error & { code?: string }) => e.code === 'STRATA_INVALID_OBJECTS' && /--objects \/mnt/.test(e.message))
    assert.throws(() => checkObjectsSpec('s3://bucket/x'), (e: Error & { code?: string }) => e.code === 'STRATA_INVALID_OBJECTS' && /s3/.test(e.message))
    await assert.rejects(openObjectStore('s3://bucket/x'), { code: 'STRATA_INVALID_OBJECTS' })
    await assert.rejects(openObjectStore('postgres://u@h/db?schema=Bad-Name'), (e: Error & { code?: string }) => e.code === 'STRATA_INVALID_OBJECTS' && /schema "Bad-Name"/.test(e.message))
  })
  it('a password never appears in the message', async () => {
    await assert.rejects(openObjectStore('postgres://u:hunter2@h/db?schema=Bad'), (e: Error) => !e.message.includes('hunter2') && e.message.includes('***'))
  })
  it('defineDefinitions({ objects }) takes a directory or a PostgreSQL URL', () => {
    const a = asset({ key: 'a', compute: () => 1 })
    assert.equal(defineDefinitions({ assets: [a], objects: PG }).objects, PG)
    assert.equal(defineDefinitions({ assets: [a], objects: '../shared' }).objects, '../shared')
    assert.equal(defineDefinitions({ assets: [a] }).objects, undefined)
    assert.throws(() => defineDefinitions({ assets: [a], objects: 's3://bucket' }), { code: 'STRATA_INVALID_OBJECTS' })
    assert.throws(() => defineDefinitions({ assets: [a], objects: 42 as unknown as string }), { code: 'STRATA_INVALID_OBJECTS' })
  })
})
