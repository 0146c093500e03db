// strata doctor on a healthy home, a damaged one (a stray temporary file, an
// altered and a missing object) and with --dry-run, through the CLI.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openStorage } from '../../engine/storage/index.js'
import { createProject, type Project } from '../integration/helpers.js'
import { expectSchema } from './schemas.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'raw/a', compute: () => ({ n: 12345 }) })
export const c = asset({ key: 'raw/c', compute: () => ({ label: 'kept' }) })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.n + 1 })
export default defineDefinitions({ assets: [a, b, c] })
`

let p: Project

async function locationOf(key: string): Promise<string> {
  const storage = await openStorage(p.home)
  try {
    return (await storage.getLatest(key))!.location
  } finally {
    await storage.close()
  }
}

/** A process id that no process has now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(r.stdout)
}

async function doctor(args: string[], code: number): Promise<any> {
  const r = await p.ok(['doctor', ...args, '--json'], code)
  expectSchema('doctor', r.json, `strata doctor ${args.join(' ')} --json`)
  return r.json
}

before(async () => {
  p = createProject(DEFS)
  await p.ok(['materialize'])
})
after(() => p.cleanup())

describe('strata doctor', () => {
  it('a healthy home: everything checked, nothing to do, exit 0', async () => {
    const report = await doctor([], 0)
    assert.equal(report.healthy, true)
    assert.deepEqual(report.database.problems, [])
    assert.equal(report.objects.checked, 3)
    assert.ok(report.objects.bytes > 0)
    assert.deepEqual(report.objects.corrupt, [])
    assert.deepEqual(report.temps, { stray: 0, removed: 0, bytes: 0 })
    const text = await p.ok(['doctor'], 0)
    assert.match(text.stdout, /database +ok/)
    assert.match(text.stdout, /objects +3 checked/)
    assert.match(text.stdout, /Healthy\./)
  })

  it('a damaged home: --dry-run reports and changes nothing; then the stray file is removed and the damaged values marked stale', async () => {
    const aLocation = await locationOf('raw/a')
    const cLocation = await locationOf('raw/c')
    const aPath = join(p.home, aLocation)
    // Same size, other content: what a flipped bit does.
    writeFileSync(aPath, readFileSync(aPath, 'utf8').replace('12345', '99999'))
    rmSync(join(p.home, cLocation))
    const temp = `${aPath}.tmp-${deadPid()}-0badf00d`
    writeFileSync(temp, 'half a value')

    const dry = await doctor(['--dry-run'], 1)
    assert.equal(dry.healthy, false)
    assert.deepEqual(dry.temps, { stray: 1, removed: 0, bytes: 12 })
    assert.ok(existsSync(temp), '--dry-run removes nothing')
    assert.deepEqual(
      dry.objects.corrupt.map((c: any) => [c.assets, c.markedStale]),
      [
        [['raw/a'], false],
        [['raw/c'], false],
      ],
    )
    const listed = await p.ok(['list', '--json'])
    assert.equal(listed.json.assets.find((x: any) => x.key === 'raw/a').status, 'FRESH', '--dry-run marks nothing stale')

    const report = await doctor([], 1)
    assert.equal(report.healthy, false, 'damaged values remain until rebuilt')
    assert.deepEqual(report.temps, { stray: 1, removed: 1, bytes: 12 })
    assert.ok(!existsSync(temp), 'the stray temporary file is removed')
    const byAsset = new Map(report.objects.corrupt.map((c: any) => [c.assets[0], c]))
    assert.match((byAsset.get('raw/a') as any).problem, /^altered/)
    assert.equal((byAsset.get('raw/a') as any).location, aLocation)
    assert.equal((byAsset.get('raw/c') as any).problem, 'missing')
    assert.ok(report.objects.corrupt.every((c: any) => c.markedStale))
    assert.ok(existsSync(aPath), 'the damaged file is left for inspection')

    const text = await p.ok(['doctor'], 1)
    assert.match(text.stdout, /2 damaged/)
    assert.match(text.stdout, /raw\/a\): altered: its \d+ bytes do not hash to its name — marked stale/)
    assert.match(text.stdout, /temp files none stray/)
    assert.match(text.stdout, /Problems remain: rebuild the damaged values with strata materialize --stale\./)

    const list = await p.ok(['list', '--json'])
    expectSchema('list', list.json, 'strata list --json with a corrupt object')
    const a = list.json.assets.find((x: any) => x.key === 'raw/a')
    assert.equal(a.status, 'STALE')
    assert.deepEqual(a.reasonDetails, [{ kind: 'CORRUPT_OBJECT', location: aLocation, problem: (byAsset.get('raw/a') as any).problem }])
    assert.match(a.reasons[0], new RegExp(`^stored object ${aLocation} is corrupt \\(altered`))
    assert.equal(list.json.assets.find((x: any) => x.key === 'b').status, 'STALE', 'downstream of a damaged value is stale too')
    expectSchema('why', (await p.ok(['why', 'raw/a', '--json'])).json, 'strata why --json with a corrupt object')
    const why = await p.ok(['why', 'b'])
    assert.match(why.stdout, /root cause: raw\/a: stored object .* is corrupt/)
  })

  it('materialize --stale rebuilds the damaged values; doctor is healthy again', async () => {
    await p.ok(['materialize', '--stale'])
    const list = await p.ok(['list', '--json'])
    assert.deepEqual(
      list.json.assets.map((x: any) => [x.key, x.status]).sort(),
      [
        ['b', 'FRESH'],
        ['raw/a', 'FRESH'],
        ['raw/c', 'FRESH'],
      ],
    )
    assert.deepEqual(p.readObject(await locationOf('raw/a')), { n: 12345 }, 'the rebuild rewrote the damaged file')
    const report = await doctor([], 0)
    assert.equal(report.healthy, true)
    assert.deepEqual(report.objects.corrupt, [])
  })

  it('a home that does not exist is a usage error', async () => {
    const r = await p.ok(['doctor', '--home', join(p.dir, 'nowhere'), '--json'], 2)
    assert.equal(JSON.parse(r.stderr).error.code, 'STRATA_USAGE')
  })
})
