/**
 * The event cursor's guarantee (Storage.getEvents): a reader that polls with
 * `afterId` = the last id it saw never skips an event, even while other
 * processes append to the same run concurrently; on PostgreSQL that holds
 * because ids become visible in id order (engine/storage/postgres/locks.ts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { setTimeout as delay } from 'node:timers/promises'
import { startGatedChild } from './gated-child.js'
import { forEachBackend, newInstance, newRun, type BackendName } from './helpers.js'

const APPENDER = fileURLToPath(new URL('./fixtures/event-appender.ts', import.meta.url))
const WRITERS = 4
const COUNT = 150

function startAppender(home: string, url: string | undefined, runId: string, tag: string) {
  return startGatedChild(APPENDER, [home, runId, tag, String(COUNT), ...(url ? [url] : [])], `appender ${tag}`)
}

function cursorTest(backend: BackendName): void {
  test(`a reader polling getEvents with afterId sees every event of ${WRITERS} concurrent writer processes exactly once`, { timeout: 180_000 }, async () => {
    const instance = newInstance(backend)
    const reader = await instance.open()
    try {
      await reader.createRun(newRun('shared'))
      const writers = Array.from({ length: WRITERS }, (_, i) => startAppender(instance.home, instance.url, 'shared', `w${i}`))
      await Promise.all(writers.map((w) => w.ready))
      for (const w of writers) w.go()
      let finished = false
      const done = Promise.all(writers.map((w) => w.done)).finally(() => (finished = true))

      const seen: Array<{ id: number; message: string }> = []
      let afterId = 0
      let polls = 0
      for (;;) {
        const last = finished // read before polling: once all writers have exited, this poll is the final one
        const batch = await reader.getEvents('shared', { afterId })
        polls++
        for (const e of batch) {
          assert.ok(e.id > afterId, `ids after the cursor only (${e.id} after ${afterId})`)
          afterId = e.id
          seen.push({ id: e.id, message: e.message! })
        }
        if (last) break
        // Yield to I/O: a synchronous backend's reads would otherwise never let the writers' exit be noticed.
        await delay(2)
      }
      for (const [i, r] of (await done).entries()) assert.equal(r.code, 0, `writer ${i} exited with ${r.code}: ${r.stderr}`)

      const all = await reader.getEvents('shared')
      assert.equal(all.length, WRITERS * COUNT, 'every event was stored')
      assert.equal(seen.length, all.length, `the polling reader (${polls} polls) saw ${seen.length} of ${all.length} events: it skipped some`)
      assert.deepEqual(
        seen.map((e) => e.id),
        all.map((e) => e.id),
        'seen once each, in id order',
      )
      for (let w = 0; w < WRITERS; w++) {
        const mine = seen.filter((e) => e.message.startsWith(`w${w} `)).map((e) => e.message)
        assert.deepEqual(mine, Array.from({ length: COUNT }, (_, i) => `w${w} ${i}`), `writer ${w}'s events in its order`)
      }
      assert.ok(polls > 3, `the reader polled while writers wrote (${polls} polls)`)
    } finally {
      await reader.close()
      await instance.cleanup()
    }
  })
}

forEachBackend((_withStorage, backend) => cursorTest(backend))
