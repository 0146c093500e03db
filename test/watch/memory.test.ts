// Reloading must not grow memory without bound: ESM modules can never be
// unloaded from a thread, so a session that imported each version of the
// definitions in its own thread would keep every one of them. Each version
// here carries ~10 MB of module-level data, so 90 versions kept alive would
// add ~900 MB; the bound below is 50 MB.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startDevSession, type DevSession } from '../../engine/watch/index.js'
import { createProject, type Project } from '../integration/helpers.js'
import { eventLog, sleep } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
// Module-level data (10 MB, written so the pages are really used): what a big import graph costs each time it is loaded.
export const ballast = new Float64Array(1_310_720).fill(Math.random())
export const a = asset({ key: 'a', compute: () => ballast.length })
;(globalThis as any).__strataDevTestLoads = ((globalThis as any).__strataDevTestLoads ?? 0) + 1
export default defineDefinitions({ assets: [a] })
`

const RELOADS = 100
const MB = 1024 * 1024

/** A full collection, also when node runs without --expose-gc. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

async function measure(gc: () => void): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    gc()
    await sleep(50)
  }
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed + m.external }
}

describe('dev session memory', () => {
  let project: Project
  let session: DevSession
  const log = eventLog()

  before(async () => {
    project = createProject(DEFS)
    // A long debounce: only the forced reloads below happen.
    session = await startDevSession({ defsPath: `${project.dir}/definitions.ts`, debounceMs: 60_000, onEvent: log.push })
    await session.idle()
  })
  after(async () => {
    await session?.close()
    project?.cleanup()
  })

  it(`${RELOADS} reloads in a row: heap and RSS stay within 50 MB of their level after 10`, { timeout: 120_000 }, async () => {
    const gc = collector()
    let at10 = { rss: 0, heap: 0 }
    const started = Date.now()
    for (let i = 1; i <= RELOADS; i++) {
      await session.reload()
      if (i === 10) at10 = await measure(gc)
    }
    const at100 = await measure(gc)
    const ok = log.events.filter((e) => e.type === 'reload-ok').length
    const errors = log.events.filter((e) => e.type === 'reload-error')
    assert.deepEqual(errors, [], 'every reload loads')
    assert.equal(ok, RELOADS + 1, 'the initial load plus one per forced reload')
    assert.equal((globalThis as { __strataDevTestLoads?: number }).__strataDevTestLoads, undefined, 'the definitions are never imported in the session thread')
    const growth = { rss: (at100.rss - at10.rss) / MB, heap: (at100.heap - at10.heap) / MB }
    const figures = `after 10: rss ${(at10.rss / MB).toFixed(1)} MB, heap+external ${(at10.heap / MB).toFixed(1)} MB; after ${RELOADS}: rss ${(at100.rss / MB).toFixed(1)} MB, heap+external ${(at100.heap / MB).toFixed(1)} MB; growth rss ${growth.rss.toFixed(1)} MB, heap ${growth.heap.toFixed(1)} MB; ${((Date.now() - started) / RELOADS).toFixed(0)} ms per reload`
    console.log(`# memory: ${figures}`)
    assert.ok(growth.heap < 50, `main-thread heap grew by ${growth.heap.toFixed(1)} MB over ${RELOADS - 10} reloads (${figures})`)
    assert.ok(growth.rss < 50, `RSS grew by ${growth.rss.toFixed(1)} MB over ${RELOADS - 10} reloads (${figures})`)
  })
})
