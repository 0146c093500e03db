// Leftovers through the real CLI: `strata gc` deletes objects nothing refers
// to (after a grace period) and stale temporary files; opening a home after a
// killed run removes that run's temporary files.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openStorage } from '../../engine/storage/index.js'
import { createProject, sleep, stepsByKey, get, type Project } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
import { existsSync, readFileSync } from 'node:fs'
// The value changes with version.txt, so a second run leaves the first value in history only.
const version = existsSync('version.txt') ? readFileSync('version.txt', 'utf8').trim() : '1'
export const a = asset({ key: 'a', compute: () => ({ version }) })
export const slow = asset({
  key: 'slow',
  compute: async () => {
    if (existsSync('hang.txt')) await new Promise((r) => setTimeout(r, 600_000))
    return 'slow'
  },
})
export default defineDefinitions({ assets: [a, slow] })
`

const HOUR = 3_600_000

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''])
  assert.ok(r.pid)
  return r.pid
}

function age(path: string, ms: number): void {
  const t = new Date(Date.now() - ms)
  utimesSync(path, t, t)
}

/** Writes a file under the home's objects/ (a fake object or temp) `ageMs` old; returns its path. */
function plant(home: string, name: string, text: string, ageMs = 0): string {
  const dir = join(home, 'objects', name.slice(0, 2))
  mkdirSync(dir, { recursive: true })
  const path = join(dir, name)
  writeFileSync(path, text)
  age(path, ageMs)
  return path
}

const fakeHash = (c: string) => c.repeat(64)

let project: Project
let firstLocation: string
let secondLocation: string

before(async () => {
  project = createProject(DEFS)
  await project.ok(['materialize', '--json'])
  firstLocation = (await project.ok(['lineage', 'a', '--json'])).json.location
  project.write('version.txt', '2')
  get(stepsByKey(await project.ok(['materialize', 'a', '--json'])), 'a')
  secondLocation = (await project.ok(['lineage', 'a', '--json'])).json.location
  assert.notEqual(firstLocation, secondLocation)
  // Referenced objects are old too: only references protect them.
  age(join(project.home, firstLocation), 72 * HOUR)
  age(join(project.home, secondLocation), 72 * HOUR)
})
after(() => project.cleanup())

describe('strata gc', () => {
  const unreferencedText = JSON.stringify({ orphan: true })
  let unreferenced: string
  let recent: string
  let modelArtifact: string
  let staleTemp: string
  let liveTemp: string
  let staleDbTemp: string

  before(async () => {
    unreferenced = plant(project.home, `${fakeHash('a')}.json`, unreferencedText, 48 * HOUR)
    recent = plant(project.home, `${fakeHash('b')}.json`, '"recent"', 1 * HOUR)
    modelArtifact = plant(project.home, `${fakeHash('c')}.json`, '"weights"', 48 * HOUR)
    staleTemp = plant(project.home, `${fakeHash('d')}.json.tmp-${deadPid()}-0badcafe`, 'half-writ', 0)
    // A temp of a live process (this test) written just now: a write in progress.
    liveTemp = plant(project.home, `${fakeHash('e')}.json.tmp-${process.pid}-0badcafe`, 'writing', 0)
    staleDbTemp = join(project.home, `strata.db.tmp-${deadPid()}-0badcafe`)
    writeFileSync(staleDbTemp, 'x'.repeat(100))
    const storage = await openStorage(project.home)
    try {
      await storage.registerModel({
        name: 'kept',
        metrics: {},
        config: {},
        lineage: {},
        codeVersion: 'c1',
        artifact: `objects/cc/${fakeHash('c')}.json`,
        gate: { passed: true, reasons: [] },
        createdAt: Date.now(),
      })
    } finally {
      await storage.close()
    }
  })

  it('--dry-run reports what would go and deletes nothing', async () => {
    const r = await project.ok(['gc', '--dry-run', '--json'])
    assert.deepEqual(r.json, { removed: { objects: 1, temps: 2 }, bytesFreed: unreferencedText.length + 'half-writ'.length + 100, dryRun: true })
    for (const p of [unreferenced, staleTemp, staleDbTemp]) assert.ok(existsSync(p), p)
    const text = await project.ok(['gc', '--dry-run'])
    assert.match(text.stdout, /Would remove 1 unreferenced object\(s\) and 2 temporary file\(s\)/)
  })

  it('deletes the unreferenced old object and stale temps, keeps everything referenced or recent, reports bytes', async () => {
    const r = await project.ok(['gc', '--json'])
    assert.deepEqual(r.json, { removed: { objects: 1, temps: 2 }, bytesFreed: unreferencedText.length + 'half-writ'.length + 100, dryRun: false })
    assert.equal(existsSync(unreferenced), false)
    assert.equal(existsSync(staleTemp), false)
    assert.equal(existsSync(staleDbTemp), false)
    assert.ok(existsSync(join(project.home, firstLocation)), 'an object referenced only by history is kept')
    assert.ok(existsSync(join(project.home, secondLocation)), 'the latest object is kept')
    assert.ok(existsSync(modelArtifact), 'a registered model artifact is kept')
    assert.ok(existsSync(recent), 'an object younger than the grace period is kept')
    assert.ok(existsSync(liveTemp), 'a temp being written by a live process is kept')
    // History stays readable.
    assert.deepEqual(project.readObject(firstLocation), { version: '1' })
    const again = await project.ok(['gc'])
    assert.match(again.stdout, /Nothing to remove/)
  })

  it('--grace HOURS lowers the grace period; a temp older than every running run is stale even if its process lives', async () => {
    // No run is RUNNING, so a temp written ten minutes ago is no write in progress.
    age(liveTemp, 600_000)
    const r = await project.ok(['gc', '--grace', '0.5', '--json'])
    assert.deepEqual(r.json.removed, { objects: 1, temps: 1 })
    assert.equal(existsSync(recent), false)
    assert.equal(existsSync(liveTemp), false)
  })

  it('never deletes an object newer than the oldest running run, whatever the grace', async () => {
    const storage = await openStorage(project.home)
    try {
      await storage.createRun({ runId: 'live-run', selection: '*', stepKeys: ['a'], defsPath: 'definitions.ts', pid: process.pid, host: hostname(), startedAt: Date.now() - 2 * HOUR })
      const inFlight = plant(project.home, `${fakeHash('f')}.json`, '"about to be recorded"', 1 * HOUR)
      const r = await project.ok(['gc', '--grace', '0', '--json'])
      assert.deepEqual(r.json.removed, { objects: 0, temps: 0 })
      assert.ok(existsSync(inFlight))
      await storage.finishRun('live-run', 'SUCCESS', Date.now())
      const after = await project.ok(['gc', '--grace', '0', '--json'])
      assert.deepEqual(after.json.removed, { objects: 1, temps: 0 })
    } finally {
      await storage.close()
    }
  })

  it('an old unreferenced object stored again by a step is refreshed, so gc keeps it', async () => {
    // The same content as `a` produces with version 3, planted as an old leftover.
    const other = createProject(DEFS, { 'version.txt': '3' })
    try {
      await other.ok(['materialize', 'a', '--json'])
      const location = (await other.ok(['lineage', 'a', '--json'])).json.location as string
      const path = join(project.home, location)
      mkdirSync(join(path, '..'), { recursive: true })
      copyFileSync(join(other.home, location), path)
      age(path, 72 * HOUR)
      project.write('version.txt', '3')
      await project.ok(['materialize', 'a', '--json'])
      assert.ok(Date.now() - statSync(path).mtimeMs < HOUR, 'reusing a stored object refreshes its mtime')
      assert.equal((await project.ok(['lineage', 'a', '--json'])).json.location, location)
    } finally {
      other.cleanup()
    }
  })

  it('bad usage: STRATA_USAGE', async () => {
    for (const args of [['gc', '--grace', '-1'], ['gc', '--grace', 'soon'], ['gc', 'now']]) {
      const r = await project.run(args)
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /\[STRATA_USAGE\]/)
    }
  })
})

describe('opening a home after a killed run', () => {
  it('removes the temporary files the killed process left, and says so on stderr', async () => {
    project.write('hang.txt', '')
    const started = project.start(['materialize', 'slow', '--json'])
    const pid = started.child.pid!
    // Wait until the run is recorded as RUNNING.
    for (let i = 0; ; i++) {
      const runs = (await project.ok(['runs', '--json'])).json.runs as Array<{ status: string }>
      if (runs.some((r) => r.status === 'RUNNING')) break
      assert.ok(i < 100, 'the run never started')
      await sleep(100)
    }
    started.child.kill('SIGKILL')
    await started.result
    const temp = plant(project.home, `${fakeHash('9')}.json.tmp-${pid}-12345678`, 'partial', 0)

    const r = await project.ok(['list', '--json'])
    assert.ok(Array.isArray(r.json.assets), 'stdout stays JSON')
    assert.match(r.stderr, /Removed 1 temporary file\(s\) \(7 B\) left by an interrupted run/)
    assert.equal(existsSync(temp), false)
  })

  it('without a crash, opening a home does not scan it again (gc still finds the file)', async () => {
    const temp = plant(project.home, `${fakeHash('8')}.json.tmp-${deadPid()}-12345678`, 'partial', 0)
    const r = await project.ok(['list', '--json'])
    assert.equal(r.stderr, '')
    assert.ok(existsSync(temp), 'the home was scanned moments ago; opening it stays cheap')
    assert.deepEqual((await project.ok(['gc', '--json'])).json.removed, { objects: 0, temps: 1 })
    assert.equal(existsSync(temp), false)
    assert.deepEqual(readdirSync(project.home).filter((n) => n.includes('.tmp-')), [])
  })
})
