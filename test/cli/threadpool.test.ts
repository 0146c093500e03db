// The strata command sizes libuv's threadpool, which runs the durable flush of
// stored objects (ui-terminal/bin/strata.js). Linux: threads are counted in /proc.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { createProject, SOURCE_BIN } from '../integration/helpers.js'

// The step counts the threads of the process it runs in (the CLI's: steps run on its worker threads).
const DEFS = `import { readdirSync, writeFileSync } from 'node:fs'
import { asset, defineDefinitions } from 'strata-engine'
export const threads = asset({
  key: 'threads',
  compute: () => {
    const n = readdirSync('/proc/self/task').length
    writeFileSync(new URL('./threads.txt', import.meta.url), String(n))
    return n
  },
})
export default defineDefinitions({ assets: [threads] })
`

describe('the strata command and the threadpool', () => {
  const p = createProject(DEFS)
  after(() => p.cleanup())

  const threadsOfRun = async (env: Record<string, string | undefined>) => {
    await p.ok(['materialize', '--json'], 0, { bin: SOURCE_BIN, env })
    return Number(p.read('threads.txt'))
  }

  it('starts 32 threadpool threads when UV_THREADPOOL_SIZE is not set', async () => {
    // Main thread, V8's platform threads, a worker thread, module hooks: well under 32 besides the pool.
    assert.ok((await threadsOfRun({ UV_THREADPOOL_SIZE: undefined })) > 32)
  })

  it('keeps the size the user set', async () => {
    assert.ok((await threadsOfRun({ UV_THREADPOOL_SIZE: '2' })) < 32)
  })
})
