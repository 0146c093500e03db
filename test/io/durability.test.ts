// A stored object truncated, emptied or altered after it was recorded (what a
// power loss or a bad disk leaves): the step that needs it fails with
// STRATA_CORRUPT_OBJECT and never computes with it, list and why show the
// asset STALE with the reason, and materialize --stale rebuilds it (rewriting
// the damaged file, although the rebuilt value has the same content hash).
import assert from 'node:assert/strict'
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { defineDefinitions } from '../../assets/definitions.js'
import { openStorage } from '../../engine/storage/index.js'
import { createProject, get, stepsByKey, type Project } from '../integration/helpers.js'

const defs = (durability: string) => `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'raw/a', compute: () => ({ n: 12345, note: 'a value long enough to be cut short' }) })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.n + 1 })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b * 2 })
export default defineDefinitions({ assets: [a, b, c], durability: '${durability}' })
`

async function latest(p: Project, key: string) {
  const storage = await openStorage(p.home)
  try {
    return (await storage.getLatest(key))!
  } finally {
    await storage.close()
  }
}

const DAMAGE: Array<{ name: string; damage: (path: string) => void; problem: RegExp }> = [
  { name: 'truncated', damage: (path) => truncateSync(path, 10), problem: /^truncated: 10 of \d+ bytes$/ },
  { name: 'emptied', damage: (path) => truncateSync(path, 0), problem: /^empty: 0 of \d+ bytes$/ },
  {
    name: 'bit-flipped',
    damage: (path) => {
      const bytes = readFileSync(path)
      const at = bytes.indexOf('12345')
      bytes[at] = bytes[at]! ^ 0x08 // '1' → '9'
      writeFileSync(path, bytes)
    },
    problem: /^altered: its \d+ bytes do not hash to its name$/,
  },
]

for (const durability of ['fsync', 'verify']) {
  describe(`a damaged stored object (durability: '${durability}')`, () => {
    let p: Project
    before(async () => {
      p = createProject(defs(durability))
      await p.ok(['materialize'])
    })
    after(() => p.cleanup())

    for (const { name, damage, problem } of DAMAGE) {
      it(`${name}: detected by the step that reads it, shown STALE, rebuilt by --stale`, async () => {
        const a = await latest(p, 'raw/a')
        const bBefore = await latest(p, 'b')
        const path = join(p.home, a.location)
        const original = readFileSync(path)
        damage(path)

        const run = await p.ok(['materialize', 'b', '--json'], 1)
        const step = get(stepsByKey(run), 'b')
        assert.equal(step.status, 'FAILURE')
        assert.equal(step.errorCode, 'STRATA_CORRUPT_OBJECT')
        assert.ok(step.error!.includes(a.location), `the error names the object: ${step.error}`)
        assert.ok(step.error!.includes('raw/a'), `the error names the asset: ${step.error}`)
        assert.equal(step.attempts, 1, 'not retried: the same bytes would fail again')
        assert.equal((await latest(p, 'b')).id, bBefore.id, 'b kept its last good value; it never computed with wrong data')

        const list = await p.ok(['list', '--json'])
        const status = (key: string) => list.json.assets.find((x: any) => x.key === key)
        assert.equal(status('raw/a').status, 'STALE')
        const reason = status('raw/a').reasonDetails[0]
        assert.equal(reason.kind, 'CORRUPT_OBJECT')
        assert.equal(reason.location, a.location)
        assert.match(reason.problem, problem)
        assert.equal(status('c').status, 'STALE', 'what reads it is stale too')
        const why = await p.ok(['why', 'raw/a'])
        assert.match(why.stdout, new RegExp(`stored object ${a.location} is corrupt`))

        const rebuilt = await p.ok(['materialize', '--stale', '--json'])
        assert.equal(get(stepsByKey(rebuilt), 'raw/a').status, 'SUCCESS')
        const after = await latest(p, 'raw/a')
        assert.equal(after.location, a.location, 'the same value, so the same content hash')
        assert.deepEqual(readFileSync(path), original, 'the damaged file was rewritten')
        assert.equal(p.readObject((await latest(p, 'c')).location), 24692)
        const fresh = await p.ok(['list', '--json'])
        assert.deepEqual(fresh.json.assets.map((x: any) => x.status), ['FRESH', 'FRESH', 'FRESH'])
      })
    }

    it('a missing object: the step fails naming it, the asset shows STALE, --stale rebuilds it', async () => {
      const a = await latest(p, 'raw/a')
      const path = join(p.home, a.location)
      const original = readFileSync(path)
      rmSync(path)
      const run = await p.ok(['materialize', 'b', '--json'], 1)
      assert.match(get(stepsByKey(run), 'b').error!, /is missing/)
      const list = await p.ok(['list', '--json'])
      assert.equal(list.json.assets.find((x: any) => x.key === 'raw/a').reasonDetails[0].problem, 'missing')
      await p.ok(['materialize', '--stale'])
      assert.deepEqual(readFileSync(path), original)
    })
  })
}

describe('defineDefinitions({ durability })', () => {
  it("is 'fsync' unless given, and refuses anything but 'fsync' and 'verify'", () => {
    assert.equal(defineDefinitions({ assets: [] }).durability, 'fsync')
    assert.equal(defineDefinitions({ assets: [], durability: 'verify' }).durability, 'verify')
    assert.throws(() => defineDefinitions({ assets: [], durability: 'none' as any }), (err: any) => err.code === 'STRATA_INVALID_DEFINITIONS' && /'fsync'.*'verify'/.test(err.message))
  })
})
