// strata dev's status line: a reload error shows until a good reload, which
// replaces it (it used to stay on screen after the fix).
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup, render } from 'ink-testing-library'
import type { DevAsset, DevEvent } from '../../engine/watch/types.js'
import { DevApp } from '../../ui-terminal/app/dev-app.js'
import { DevLines } from '../../ui-terminal/app/dev-feed.js'
import { DevModel } from '../../ui-terminal/app/dev-model.js'

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0)
const DIR = '/p'
const asset = (key: string, upstream: string[] = []): DevAsset => ({ key, group: 'default', upstream, codeVersion: '3f2a0000', codeVersionSource: 'auto', tags: {} })
const ev = (e: Record<string, unknown>, dt = 0) => ({ ts: T0 + dt, ...e }) as unknown as DevEvent

const reloadOk = (reload: number, assets: DevAsset[], dt: number) => [
  ev({ type: 'reload-start', reload, reason: reload === 1 ? 'initial' : 'change', changed: reload === 1 ? [] : [`${DIR}/lib.ts`] }, dt),
  ev({ type: 'reload-ok', reload, defsPath: `${DIR}/definitions.ts`, assetCount: assets.length, durationMs: 30, assets }, dt),
  ev({ type: 'stale', reload, after: 'reload', assets: [], total: assets.length }, dt),
]
const reloadError = (reload: number, dt: number) => [
  ev({ type: 'reload-start', reload, reason: 'change', changed: [`${DIR}/lib.ts`] }, dt),
  ev({ type: 'reload-error', reload, message: 'Unexpected token, expected ","', location: { file: `${DIR}/lib.ts`, line: 3, column: 14 }, durationMs: 20, inEffect: 1 }, dt),
]

describe('strata dev status line', () => {
  afterEach(() => cleanup())

  it('shows a reload error until the next good reload replaces it', async () => {
    const lines = new DevLines({ intervalMs: 5, base: DIR })
    const model = new DevModel({ home: '/nonexistent', title: 'definitions.ts' })
    const feed = (events: DevEvent[]) => {
      for (const e of events) {
        lines.feed.push(e)
        model.ingest(e)
      }
    }
    const r = render(<DevApp model={model} lines={lines} now={T0 + 5000} />)
    const statusLine = () => {
      const all = (r.lastFrame() ?? '').split('\n')
      return all.slice(-2).join('\n')
    }
    const waitFor = async (test: (s: string) => boolean, what: string) => {
      const end = Date.now() + 5000
      while (!test(statusLine())) {
        if (Date.now() > end) throw new Error(`waiting for ${what}; frame:\n${r.lastFrame()}`)
        await new Promise((res) => setTimeout(res, 10))
      }
      return statusLine()
    }
    try {
      feed(reloadOk(1, [asset('a')], 0))
      await waitFor((s) => /Ready\. Press \? for help\./.test(s), 'the first load, with nothing to say')
      feed(reloadError(2, 1000))
      await waitFor((s) => /✗ Reload failed at \/p\/lib\.ts:3: Unexpected token/.test(s), 'the reload error in the status line')
      feed(reloadOk(3, [asset('a'), asset('b', ['a'])], 2000))
      const s = await waitFor((s) => !/Reload failed/.test(s), 'the error to go after the good reload')
      assert.match(s, /Reloaded 2 asset\(s\)\./)
      assert.match(r.lastFrame() ?? '', /reload failed: lib\.ts:3:14/, 'the events panel keeps the history')
    } finally {
      r.unmount()
      lines.close()
      await model.close()
    }
  })
})
