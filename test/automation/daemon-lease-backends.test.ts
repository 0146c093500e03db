// One daemon per storage, on every backend: a second daemon on the same
// storage is refused with STRATA_DAEMON_RUNNING naming the first, and starts
// once the first has stopped. On PostgreSQL the two daemons have homes of
// their own, as daemons on two hosts sharing one schema would.
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startDaemon } from '../../engine/automation/daemon.js'
import { createProject, type Project } from '../integration/helpers.js'
import { forEachBackend, newInstance } from '../storage/helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'a', compute: () => 1 })
export default defineDefinitions({ assets: [a] })
`

forEachBackend((_withStorage, backend) => {
  test('a second daemon on the same storage gets STRATA_DAEMON_RUNNING naming the holder, and starts once it stops', async () => {
    const instance = newInstance(backend)
    const first = createProject(DEFS)
    const second = backend === 'postgres' ? createProject(DEFS) : first
    const options = (p: Project) => ({
      defsPath: join(p.dir, 'definitions.ts'),
      home: backend === 'postgres' ? join(p.dir, '.strata') : instance.home,
      intervalMs: 200,
      watch: false,
      ...(instance.url ? { storage: instance.url } : {}),
    })
    try {
      const holder = await startDaemon(options(first))
      try {
        await assert.rejects(startDaemon(options(second)), (err: Error & { code?: string }) => {
          assert.equal(err.code, 'STRATA_DAEMON_RUNNING')
          assert.match(err.message, new RegExp(`Another strata daemon holds the home .*: pid ${process.pid} on ${hostname()} `))
          return true
        })
      } finally {
        await holder.stop('test', { now: true })
        await holder.done
      }
      const next = await startDaemon(options(second))
      await next.stop('test', { now: true })
      await next.done
    } finally {
      first.cleanup()
      if (second !== first) second.cleanup()
      await instance.cleanup()
    }
  })
})
