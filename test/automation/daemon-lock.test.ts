import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { startDaemon } from '../../engine/automation/daemon.js'
import { openStorage } from '../../engine/storage/index.js'
import { createProject } from '../integration/helpers.js'

test('a daemon whose lease another daemon took over (its heartbeats were missed) stops with STRATA_DAEMON_RUNNING', async () => {
  const project = createProject(`import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'a', compute: () => 1 })
export default defineDefinitions({ assets: [a] })
`)
  const home = join(project.dir, '.strata')
  const events: string[] = []
  try {
    const daemon = await startDaemon({ defsPath: join(project.dir, 'definitions.ts'), home, intervalMs: 200, watch: false, lease: { ttlMs: 5_000, heartbeatMs: 50 }, onEvent: (e) => events.push(e.type) })
    const storage = await openStorage(home)
    try {
      const held = await storage.getDaemonLease()
      assert.equal(held?.pid, process.pid)
      // Another host judged the lease expired (as after missed heartbeats) and took it.
      const taken = await storage.acquireDaemonLease({ owner: 'other', pid: 1, host: 'elsewhere', now: held!.expiresAt + 1, ttlMs: 60_000 }, () => true)
      assert.equal(taken.acquired, true)
      await assert.rejects(daemon.done, (err: Error & { code?: string }) => err.code === 'STRATA_DAEMON_RUNNING' && /pid 1 on elsewhere/.test(err.message))
      assert.ok(events.includes('stopped'))
      // It did not release the lease it no longer held.
      assert.equal((await storage.getDaemonLease())?.owner, 'other')
    } finally {
      await storage.close()
    }
  } finally {
    project.cleanup()
  }
})
