// Output metadata that JSON cannot store fails the step on the worker, before
// the value is stored, with STRATA_INVALID_METADATA naming the field; the last
// good materialization stays the latest. Driven through the real CLI.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { assetsByKey, createProject, get, stepsByKey, type Project } from './helpers.js'

const GOOD = `import { asset, defineDefinitions, output } from 'strata-engine'
export const counted = asset({ key: 'counted', compute: () => output([1, 2], { metadata: { n: 2 } }) })
export default defineDefinitions({ assets: [counted] })
`

/** Each asset returns a value no other asset returns, with one kind of unstorable metadata. */
const BAD = `import { asset, defineDefinitions, output } from 'strata-engine'
const retry = { maxRetries: 2, delayMs: 10 }
export const counted = asset({ key: 'counted', retry, compute: () => output([1, 2, 'bigint'], { metadata: { n: 10n } }) })
const loop: Record<string, unknown> = { name: 'loop' }
loop.self = loop
export const circular = asset({ key: 'circular', compute: () => output(['circular'], { metadata: { stats: { rows: [1, loop] } } }) })
export const fn = asset({ key: 'fn', compute: () => output(['fn'], { metadata: { 'row count': () => 3 } }) })
export const map = asset({ key: 'map', compute: () => output(['map'], { metadata: { byDay: new Map([['a', 1]]) } }) })
export const fine = asset({ key: 'fine', compute: () => output(['fine'], { metadata: { at: new Date(0), skipped: undefined, shared: [[1], [1]] } }) })
export default defineDefinitions({ assets: [counted, circular, fn, map, fine] })
`

function objectFiles(home: string): string[] {
  const dir = join(home, 'objects')
  return readdirSync(dir).flatMap((shard) => readdirSync(join(dir, shard)).map((f) => `${shard}/${f}`))
}

let project: Project
let goodDataVersion: string
let objectsBefore: string[]

before(async () => {
  project = createProject(GOOD)
  const first = await project.ok(['materialize', '--json'])
  goodDataVersion = get(stepsByKey(first), 'counted').dataVersion!
  objectsBefore = objectFiles(project.home)
  project.writeDefs(BAD)
})
after(() => project.cleanup())

describe('metadata that cannot be stored', () => {
  let steps: ReturnType<typeof stepsByKey>

  before(async () => {
    steps = stepsByKey(await project.ok(['materialize', '--json'], 1))
  })

  it('a BigInt fails the step, naming the field, with STRATA_INVALID_METADATA and no retry', () => {
    const s = get(steps, 'counted')
    assert.equal(s.status, 'FAILURE')
    assert.equal(s.errorCode, 'STRATA_INVALID_METADATA')
    assert.match(s.error!, /metadata\.n: BigInt cannot be stored in metadata; convert it to a number or string/)
    assert.equal(s.attempts, 1, 'a deterministic error is not retried')
  })

  it('a cycle, a function and a Map are named by their path', () => {
    assert.match(get(steps, 'circular').error!, /metadata\.stats\.rows\[1\]\.self: a circular reference cannot be stored in metadata/)
    assert.match(get(steps, 'fn').error!, /metadata\["row count"\]: a function cannot be stored in metadata/)
    assert.match(get(steps, 'map').error!, /metadata\.byDay: a Map cannot be stored in metadata; convert it to an object/)
    for (const key of ['circular', 'fn', 'map']) assert.equal(get(steps, key).errorCode, 'STRATA_INVALID_METADATA')
  })

  it('storable metadata still succeeds: dates as ISO strings, undefined dropped, shared (not circular) objects kept', async () => {
    assert.equal(get(steps, 'fine').status, 'SUCCESS')
    const db = new Database(join(project.home, 'strata.db'), { readonly: true })
    try {
      const stored = db.prepare(`SELECT metadata FROM materializations WHERE asset_key = 'fine'`).pluck().get() as string
      assert.deepEqual(JSON.parse(stored), { at: '1970-01-01T00:00:00.000Z', shared: [[1], [1]] })
    } finally {
      db.close()
    }
  })

  it('the last good materialization stays the latest, and no failed value was stored', async () => {
    const assets = assetsByKey(await project.ok(['list', '--json']))
    assert.equal(get(assets, 'counted').dataVersion, goodDataVersion)
    const lineage = await project.ok(['lineage', 'counted', '--json'])
    assert.equal(lineage.json.dataVersion, goodDataVersion)
    const added = objectFiles(project.home).filter((f) => !objectsBefore.includes(f))
    assert.equal(added.length, 1, `only "fine" stored a value, got ${added.join(', ')}`)
    assert.deepEqual(project.readObject(`objects/${added[0]}`), ['fine'])
  })
})
