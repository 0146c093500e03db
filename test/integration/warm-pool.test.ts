// A pool executor kept warm across runs (createPoolExecutor({ keepAlive: true })
// passed as materialize({ executor })): threads and the definitions they
// imported survive between runs, and are replaced only when the files change.
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { existsSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Piscina } from 'piscina'
import { createPoolExecutor, materialize, openWorkspace, type Workspace } from '../../engine/index.js'
import { definitionsVersion } from '../../engine/executors/defs-version.js'
import { Generations } from '../../engine/executors/pool-generations.js'
import { loadValue } from '../../engine/io/object-store.js'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { startDevSession } from '../../engine/watch/index.js'
import { brief, eventLog } from '../watch/helpers.js'
import { query, waitFor } from './db.js'
import { createProject, sleep, type Project } from './helpers.js'

// Each worker thread that imports the definitions appends a line, so the test counts imports.
const DEFS = `import { appendFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'
import { asset, defineDefinitions } from 'strata-engine'
import { factor } from './lib.js'
if (!isMainThread) appendFileSync(new URL('./imports.txt', import.meta.url), 'imported\\n')
export const n = asset({ key: 'n', compute: () => factor * 2 })
export default defineDefinitions({ assets: [n] })
`

const imports = (p: Project) => (existsSync(join(p.dir, 'imports.txt')) ? readFileSync(join(p.dir, 'imports.txt'), 'utf8').split('\n').filter(Boolean).length : 0)

async function valueOf(ws: Workspace, key: string): Promise<unknown> {
  const latest = await ws.storage.getLatest(key, '')
  assert.ok(latest, `${key} has a materialization`)
  return loadValue(ws.home, latest.location, latest.format)
}

async function withWarmPool(fn: (p: Project, ws: Workspace, pool: ReturnType<typeof createPoolExecutor>) => Promise<void>): Promise<void> {
  const p = createProject(DEFS, { 'lib.ts': 'export const factor = 1\n' })
  const ws = await openWorkspace({ cwd: p.dir })
  const pool = createPoolExecutor({ keepAlive: true, concurrency: 2 })
  try {
    await fn(p, ws, pool)
  } finally {
    await pool.close()
    await ws.close()
    p.cleanup()
  }
}

describe('a warm pool shared by runs', { concurrency: 1 }, () => {
  it('runs every run on one thread that imported the definitions once, and stays open after them', () =>
    withWarmPool(async (p, ws, pool) => {
      for (let i = 0; i < 5; i++) {
        const r = await materialize(ws, { executor: pool })
        assert.equal(r.status, 'SUCCESS')
      }
      assert.equal(imports(p), 1, 'the definitions were imported by one thread, once')
      assert.equal(pool.threadsStarted, 1)
      assert.equal(pool.threadsAlive, 1, 'the thread is still up between runs')
      assert.equal(await valueOf(ws, 'n'), 2)
    }))

  it('starts new threads when an imported module changes, runs the new code there, and lets the old threads go', () =>
    withWarmPool(async (p, ws, pool) => {
      await materialize(ws, { executor: pool })
      p.write('lib.ts', 'export const factor = 5\n')
      const r = await materialize(ws, { executor: pool })
      assert.equal(r.status, 'SUCCESS')
      assert.equal(await valueOf(ws, 'n'), 10, 'the step ran the edited helper')
      assert.equal(imports(p), 2, 'imported again, by a new thread')
      assert.equal(pool.threadsStarted, 2)
      for (let i = 0; i < 100 && pool.threadsAlive > 1; i++) await sleep(20)
      assert.equal(pool.threadsAlive, 1, 'the threads of the old files were destroyed')
      await materialize(ws, { executor: pool })
      assert.equal(imports(p), 2, 'and the new thread is reused')
    }))

  it('keeps its threads when a file is touched without being changed', () =>
    withWarmPool(async (p, ws, pool) => {
      await materialize(ws, { executor: pool })
      const later = new Date(Date.now() + 5000)
      utimesSync(join(p.dir, 'lib.ts'), later, later)
      utimesSync(join(p.dir, 'definitions.ts'), later, later)
      await materialize(ws, { executor: pool })
      assert.equal(imports(p), 1)
      assert.equal(pool.threadsStarted, 1)
    }))
})

describe('strata ui', () => {
  it('runs the UI starts share one warm pool: the definitions are imported once for all of them', async () => {
    const p = createProject(DEFS, { 'lib.ts': 'export const factor = 1\n' })
    const model = new WorkspaceModel({ open: workspaceOpener({ cwd: p.dir }), title: 'warm', pollMs: 200 })
    try {
      await model.start()
      for (let i = 0; i < 3; i++) {
        model.materialize({ key: 'n' })
        await waitFor(`run ${i + 1} to end`, () => model.ownActive() === 0)
      }
      assert.deepEqual(query(p.home, `SELECT status FROM runs`), [{ status: 'SUCCESS' }, { status: 'SUCCESS' }, { status: 'SUCCESS' }])
      assert.equal(imports(p), 1, 'one thread imported the definitions, once')
    } finally {
      await model.close({ cancelRuns: true })
      p.cleanup()
    }
  })
})

// Each import of the definitions draws an id; each step records the id of the import it ran with.
const DEV_DEFS = `import { appendFileSync, readFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
import { factor } from './lib.js'
const importId = Math.random().toString(36).slice(2)
const ran = (key) => appendFileSync(new URL('./steps.txt', import.meta.url), key + ' ' + importId + '\\n')
export const a = asset({ key: 'a', compute: () => { ran('a'); return readFileSync(new URL('./data.txt', import.meta.url), 'utf8') } })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => { ran('b'); return a.length * factor } })
export default defineDefinitions({ assets: [a, b] })
`

describe('strata dev --auto', () => {
  it('runs the steps of every reload on one warm pool: unchanged files are not imported again, a changed module is', { timeout: 60_000 }, async () => {
    const p = createProject(DEV_DEFS, { 'lib.ts': 'export const factor = 1\n', 'data.txt': 'one' })
    const log = eventLog()
    const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), auto: true, debounceMs: 50, concurrency: 1, onEvent: log.push })
    const steps = () => readFileSync(join(p.dir, 'steps.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string])
    const runEnd = async (from: number, what: string) => {
      const e = await log.waitFor((x) => x.type === 'run-end', { from, what })
      assert.ok(e.type === 'run-end' && e.status === 'SUCCESS', log.events.map(brief).join('\n'))
      await session.idle()
    }
    try {
      await runEnd(0, 'the initial run')
      // New data for a (materialized by another process): b is stale, and the next reload's run rebuilds it, with no file changed.
      p.write('data.txt', 'three')
      const ws = await openWorkspace({ cwd: p.dir })
      await materialize(ws, { selection: 'a', executor: 'in-process' })
      await ws.close()
      let from = log.mark()
      await session.reload()
      await runEnd(from, 'the run after a manual reload')
      const pooled = steps().filter(([key], i) => key === 'b' || i === 0)
      assert.equal(pooled.length, 3, JSON.stringify(steps()))
      assert.equal(new Set(pooled.map(([, id]) => id)).size, 1, 'both runs ran on the import of the first')
      // A changed module: new threads import it.
      from = log.mark()
      p.write('lib.ts', 'export const factor = 2\n')
      await runEnd(from, 'the run after the edit')
      const last = steps().at(-1)!
      assert.equal(last[0], 'b')
      assert.notEqual(last[1], pooled[0]![1], 'the edited module was imported afresh')
    } finally {
      await session.close()
      p.cleanup()
    }
  })
})

describe('definitionsVersion', () => {
  it('follows the content of the definitions and the local modules they import, not their timestamps', () => {
    const p = createProject(DEFS, { 'lib.ts': 'export const factor = 1\n' })
    try {
      const defs = join(p.dir, 'definitions.ts')
      const first = definitionsVersion(defs)
      assert.equal(definitionsVersion(defs), first)
      const later = new Date(Date.now() + 5000)
      utimesSync(join(p.dir, 'lib.ts'), later, later)
      assert.equal(definitionsVersion(defs), first, 'touched, same content')
      p.write('lib.ts', 'export const factor = 2\n')
      const second = definitionsVersion(defs)
      assert.notEqual(second, first, 'an imported module changed')
      p.write('lib.ts', 'export const factor = 2\nexport { other } from "./other.js"\n')
      const third = definitionsVersion(defs)
      assert.notEqual(third, second)
      p.write('other.ts', 'export const other = 1\n')
      assert.notEqual(definitionsVersion(defs), third, 'a module that did not exist was created')
    } finally {
      p.cleanup()
    }
  })
})

/** Stands in for a piscina pool: counts destroy() calls. */
class FakePool extends EventEmitter {
  destroyed = 0
  threads: unknown[] = []
  async destroy() {
    this.destroyed++
  }
}

describe('Generations (one piscina pool per version of the files)', () => {
  const setup = () => {
    const made: FakePool[] = []
    const gens = new Generations(() => {
      const f = new FakePool()
      made.push(f)
      return f as unknown as Piscina
    }, 2)
    return { gens, made }
  }

  it('reuses the pool of the same version, and destroys an older one once its last step is done', () => {
    const { gens, made } = setup()
    const a1 = gens.acquire('a')
    gens.release(a1)
    const a2 = gens.acquire('a')
    assert.equal(a2.pool, a1.pool)
    assert.equal(made.length, 1)
    // A run on new files starts while a step of the old files still runs: the old pool stays until it ends.
    const b = gens.acquire('b')
    assert.equal(made.length, 2)
    assert.equal(made[0]!.destroyed, 0)
    gens.release(a2)
    assert.equal(made[0]!.destroyed, 1)
    gens.release(b)
    assert.equal(made[1]!.destroyed, 0, 'the current version keeps its threads while idle')
  })

  it('a superseded version coming back (a run planned before a change) gets a pool of its own, gone when its step ends', () => {
    const { gens, made } = setup()
    gens.release(gens.acquire('a'))
    gens.release(gens.acquire('b'))
    const late = gens.acquire('a')
    assert.equal(made.length, 3)
    gens.release(late)
    assert.equal(made[2]!.destroyed, 1)
    assert.equal(made[1]!.destroyed, 0, 'b is still the current version')
    const again = gens.acquire('b')
    assert.equal(again.pool, made[1] as unknown as Piscina)
  })
})
