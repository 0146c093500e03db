// The pool starts a second thread only when the work shows it pays
// (engine/executors/thread-growth.ts): a deep graph of tiny steps runs on one
// thread, while long independent steps still run side by side.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createPoolExecutor, materialize, openWorkspace, type Workspace } from '../../engine/index.js'
import { loadValue } from '../../engine/io/object-store.js'
import { createProject } from './helpers.js'

async function withPool(defs: string, fn: (ws: Workspace, pool: ReturnType<typeof createPoolExecutor>) => Promise<void>): Promise<void> {
  const p = createProject(defs)
  const ws = await openWorkspace({ cwd: p.dir })
  const pool = createPoolExecutor({ concurrency: 2 })
  try {
    await fn(ws, pool)
  } finally {
    await pool.close()
    await ws.close()
    p.cleanup()
  }
}

// 100 layers of 2 trivial assets, each reading both of the layer above. Two at a
// time is little enough to stay on one thread even when the steps run slowly
// on a loaded machine (a second thread pays from ~10 ms of waiting work); no
// fsync in a step's time either ('verify'), as a busy disk could stretch it.
const DEEP = `import { asset, defineDefinitions } from 'strata-engine'
const assets: any[] = []
for (let l = 0; l < 100; l++) {
  for (let i = 0; i < 2; i++) {
    const ins = l === 0 ? {} : { x: assets[(l - 1) * 2 + i], y: assets[(l - 1) * 2 + ((i + 1) % 2)] }
    assets.push(asset({ key: \`l\${l}/a\${i}\`, ins, compute: (_c: unknown, v: any) => (v.x ?? 0) + (v.y ?? 0) + 1 }))
  }
}
export default defineDefinitions({ assets, durability: 'verify' })
`

// Two independent steps that each wait (up to 30 s) for the other to be
// running: they finish together only if both ran at once. A rendezvous, not
// timestamps, as a loaded machine can take over a second to start a thread.
const LONG = `import { existsSync, writeFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
const flag = (key: string) => new URL(key + '.running', import.meta.url)
const meet = (key: string, other: string) => asset({ key, compute: async () => {
  writeFileSync(flag(key), '')
  const start = Date.now()
  while (!existsSync(flag(other))) {
    if (Date.now() - start > 30_000) return { met: false }
    await new Promise((r) => setTimeout(r, 10))
  }
  return { met: true }
} })
export default defineDefinitions({ assets: [meet('left', 'right'), meet('right', 'left')] })
`

describe('pool thread growth', { concurrency: 1 }, () => {
  it('runs 200 tiny steps, 2 ready at a time, on one thread even with --concurrency 2', () =>
    withPool(DEEP, async (ws, pool) => {
      const r = await materialize(ws, { executor: pool })
      assert.equal(r.status, 'SUCCESS')
      assert.equal(r.steps.length, 200)
      assert.equal(pool.threadsStarted, 1, 'a second thread would have cost more than the work it could take')
      const latest = await ws.storage.getLatest('l99/a0', '')
      assert.equal(await loadValue(ws.home, latest!.location, latest!.format), 2 ** 100 - 1, 'every value computed from its inputs')
    }))

  it('runs two long steps side by side on two threads', () =>
    withPool(LONG, async (ws, pool) => {
      const r = await materialize(ws, { executor: pool })
      assert.equal(r.status, 'SUCCESS')
      assert.equal(pool.threadsStarted, 2)
      for (const key of ['left', 'right']) {
        const latest = await ws.storage.getLatest(key, '')
        // The second is let go once the first has computed LONG_TASK_MS; one at a time, the first would give up waiting.
        assert.deepEqual(await loadValue(ws.home, latest!.location, latest!.format), { met: true }, `${key} ran alongside the other`)
      }
    }))
})
