// strata dev's terminal view without a terminal: a dev session's events (as
// engine/watch/types.ts defines them) fed to the DevModel and the panel feed,
// rendered by <DevApp> with ink-testing-library. No definitions are imported:
// the asset list and lineage come from the reload's plain asset records.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup, render } from 'ink-testing-library'
import type { DevAsset, DevEvent } from '../../engine/watch/types.js'
import { DevApp } from '../../ui-terminal/app/dev-app.js'
import { DevFeed, DevLines } from '../../ui-terminal/app/dev-feed.js'
import { DevModel } from '../../ui-terminal/app/dev-model.js'

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0)
const DIR = '/p'
const asset = (key: string, upstream: string[] = [], codeVersion = '3f2a0000'): DevAsset => ({ key, group: 'default', upstream, codeVersion, codeVersionSource: 'auto', tags: {} })
const step = (key: string) => ({ id: key, assetKey: key, partitionKeys: [], upstream: [] })
const ev = (e: Record<string, unknown>, dt = 0) => ({ ts: T0 + dt, ...e }) as unknown as DevEvent

const session: DevEvent[] = [
  ev({ type: 'watching', files: [`${DIR}/definitions.ts`, `${DIR}/lib.ts`], added: [`${DIR}/definitions.ts`, `${DIR}/lib.ts`], removed: [] }),
  ev({ type: 'reload-start', reload: 1, reason: 'initial', changed: [] }),
  ev({ type: 'reload-ok', reload: 1, defsPath: `${DIR}/definitions.ts`, assetCount: 2, durationMs: 120, assets: [asset('a'), asset('b', ['a'])] }),
  ev({ type: 'stale', reload: 1, after: 'reload', assets: [{ key: 'a', status: 'MISSING', reason: 'never materialized' }, { key: 'b', status: 'MISSING', reason: 'never materialized' }], total: 2 }),
  ev({ type: 'run-start', reload: 1, keys: ['a', 'b'] }, 10),
  ev({ type: 'run-event', reload: 1, event: { type: 'run-start', runId: 'abcdef0123456789', total: 2 } }, 10),
  ev({ type: 'run-event', reload: 1, event: { type: 'step-start', step: step('a'), attempt: 1 } }, 10),
]
const runRest: DevEvent[] = [
  ev({ type: 'run-event', reload: 1, event: { type: 'step-end', step: step('a'), result: { id: 'a', key: 'a', partitionKeys: [], status: 'SUCCESS', attempts: 1, durationMs: 5 } } }, 20),
  ev({ type: 'run-event', reload: 1, event: { type: 'step-start', step: step('b'), attempt: 1 } }, 20),
  ev({ type: 'run-event', reload: 1, event: { type: 'step-end', step: step('b'), result: { id: 'b', key: 'b', partitionKeys: [], status: 'SUCCESS', attempts: 1, durationMs: 5 } } }, 30),
  ev({ type: 'run-end', reload: 1, runId: 'abcdef0123456789', status: 'SUCCESS', counts: { succeeded: 2, failed: 0, skipped: 0, upToDate: 0 }, durationMs: 40 }, 30),
  ev({ type: 'stale', reload: 1, after: 'run', assets: [], total: 2 }, 30),
]
const edit: DevEvent[] = [
  ev({ type: 'reload-start', reload: 2, reason: 'change', changed: [`${DIR}/lib.ts`] }, 1000),
  ev({ type: 'reload-ok', reload: 2, defsPath: `${DIR}/definitions.ts`, assetCount: 3, durationMs: 40, assets: [asset('a', [], '9bc10000'), asset('b', ['a']), asset('c', ['b'])] }, 1000),
  ev({ type: 'code-changed', reload: 2, changed: [{ key: 'a', previous: '3f2a0000', current: '9bc10000' }], added: ['c'], removed: [] }, 1000),
  ev({ type: 'stale', reload: 2, after: 'reload', assets: [{ key: 'a', status: 'STALE', reason: 'code version changed' }, { key: 'b', status: 'STALE', reason: 'upstream a is stale' }, { key: 'c', status: 'MISSING', reason: 'never materialized' }], total: 3 }, 1000),
  ev({ type: 'reload-start', reload: 3, reason: 'change', changed: [`${DIR}/lib.ts`] }, 2000),
  ev({ type: 'reload-error', reload: 3, message: 'Unexpected token, expected ","', location: { file: `${DIR}/lib.ts`, line: 3, column: 14 }, durationMs: 30, inEffect: 2 }, 2000),
]

describe('strata dev terminal view', () => {
  afterEach(() => cleanup())

  it('shows the session events in the dev panel and the asset list from the reloads, without storage or definitions', async () => {
    const lines = new DevLines({ intervalMs: 5, base: DIR })
    const model = new DevModel({ home: '/nonexistent', title: 'definitions.ts' })
    const feed = (events: DevEvent[]) => {
      for (const e of events) {
        lines.feed.push(e)
        model.ingest(e)
      }
    }
    const r = render(<DevApp model={model} lines={lines} now={T0 + 5000} />)
    const frame = () => r.lastFrame() ?? ''
    const waitFor = async (re: RegExp, what: string) => {
      const end = Date.now() + 5000
      while (!re.test(frame())) {
        if (Date.now() > end) throw new Error(`waiting for ${what} (${re}); frame:\n${frame()}`)
        await new Promise((res) => setTimeout(res, 10))
      }
      return frame()
    }
    try {
      feed(session)
      await waitFor(/▶ a/, 'a running in the asset list')
      let f = await waitFor(/run abcdef01: 0\/2 step\(s\) done; running a/, 'the run progress line')
      assert.match(f, /Dev events/)
      assert.match(f, /watching 2 file\(s\): definitions\.ts, lib\.ts/)
      assert.match(f, /loaded definitions\.ts \(2 assets/)
      assert.match(f, /stale: a, b \(2 of 2\)/)
      assert.match(f, /▶ a/, 'a is running')
      assert.match(f, /○ b/, 'b is missing')

      feed(runRest)
      await waitFor(/● a[\s\S]*● b/, 'both fresh')
      f = await waitFor(/run succeeded in 40 ms: 2 materialized/, 'the end of the run')
      assert.match(f, /run abcdef01: 2\/2 step\(s\) done/, 'the progress line was updated in place')
      assert.match(f, /● a[\s\S]*● b/, 'both fresh')

      feed(edit)
      f = await waitFor(/reload failed: lib\.ts:3:14 Unexpected token, expected "," — keeping the last good/, 'the reload error')
      assert.match(f, /reloaded definitions\.ts \(3 assets, 40 ms\) after lib\.ts changed/)
      assert.match(f, /code changed: a \(3f2a… → 9bc1…\); added: c/)
      assert.match(f, /stale: a, b, c \(3 of 3\)/)
      f = await waitFor(/◐ a[\s\S]*◐ b[\s\S]*○ c/, 'the asset list of the last good reload')

      // The shadow graph answers selections and lineage as strata ui's model does.
      const sel = model.filter('a*')
      assert.ok(sel.ok && [...sel.keys].join() === 'a,b,c')
      assert.deepEqual(model.detail('b')?.upstream.map((u) => u.key), ['a'])
      assert.deepEqual(model.detail('b')?.reasons.map((x) => x.text), ['upstream a is stale'])
      assert.equal(model.detail('a')?.codeVersion, '9bc10000')
    } finally {
      r.unmount()
      lines.close()
      await model.close()
    }
  })

  it('keeps output lines and bounds the feed', () => {
    const feed = new DevFeed()
    feed.output('hello from compute')
    for (let i = 0; i < 500; i++) feed.push(ev({ type: 'error', message: `boom ${i}` }))
    assert.equal(feed.current.length, 200)
    assert.equal(feed.current.at(-1)?.message, 'error: boom 499')
    assert.equal(feed.current.at(-1)?.level, 'error')
  })
})
