// `strata dev --auto` follows the code computes use: a helper module edit is
// reported as what changed and rebuilt; a comment-only edit changes nothing.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DevEvent } from '../../engine/watch/index.js'
import { codeChangeText } from '../../ui-terminal/dev-text.js'
import { createProject } from '../integration/helpers.js'
import { brief, eventLog, lineParser } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
import { factor } from './lib.js'
export const a = asset({ key: 'a', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.map(factor) })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b.reduce((s, x) => s + x, 0) })
export default defineDefinitions({ assets: [a, b, c] })
`
const LIB = (body: string, comment = '') => `${comment}export function factor(x: number): number { return ${body} }\n`

type Of<T extends DevEvent['type']> = Extract<DevEvent, { type: T }>

describe('strata dev and code versions', () => {
  it('reports a helper edit as what changed and rebuilds its users; a comment-only edit leaves everything fresh', { timeout: 90_000 }, async () => {
    const p = createProject(DEFS, { 'lib.ts': LIB('x * 2') })
    const log = eventLog()
    const dev = p.start(['dev', '--auto', '--debounce', '100', '--concurrency', '2', '--json'])
    dev.child.stdout!.on('data', lineParser(log.push))
    const all = () => log.events.map(brief).join('\n')
    try {
      await log.waitFor((e) => e.type === 'run-end' && e.status === 'SUCCESS', { what: 'the initial run', timeoutMs: 40_000 })
      await log.waitFor((e) => e.type === 'stale' && e.after === 'run', { what: 'the status after the initial run' })

      let from = log.mark()
      p.write('lib.ts', LIB('x * 3'))
      const changed = (await log.waitFor((e) => e.type === 'code-changed', { from, what: 'the helper edit' })) as Of<'code-changed'>
      assert.deepEqual(
        changed.changed.map((c) => [c.key, c.changes]),
        [['b', ['code changed: helper ./lib.ts (factor)']]],
        all(),
      )
      assert.equal(codeChangeText(changed), 'b: code changed: helper ./lib.ts (factor)')
      const stale = (await log.waitFor((e) => e.type === 'stale' && e.reload === changed.reload && e.after === 'reload', { from })) as Of<'stale'>
      assert.deepEqual(stale.assets.map((a) => [a.key, a.reason]), [
        ['b', 'code changed: helper ./lib.ts (factor)'],
        ['c', 'upstream b is stale (root cause: b: code changed: helper ./lib.ts (factor))'],
      ])
      const run = (await log.waitFor((e) => e.type === 'run-end' && e.reload === changed.reload, { from, what: 'the rebuild' })) as Of<'run-end'>
      assert.equal(run.status, 'SUCCESS', all())
      assert.deepEqual(run.counts, { succeeded: 2, failed: 0, skipped: 0, upToDate: 0 })

      // A comment and formatting only: no code version changes, nothing stale, nothing run.
      from = log.mark()
      p.write('lib.ts', LIB('x   *   3', '// multiplies by three\n'))
      const none = (await log.waitFor((e) => e.type === 'code-changed', { from, what: 'the comment-only edit' })) as Of<'code-changed'>
      assert.deepEqual(none.changed, [])
      assert.equal(codeChangeText(none), 'no code version changed')
      const fresh = (await log.waitFor((e) => e.type === 'stale' && e.reload === none.reload, { from })) as Of<'stale'>
      assert.deepEqual(fresh.assets, [])
      assert.equal(fresh.total, 3)
      assert.ok(!log.events.slice(from).some((e) => e.type === 'run-start'), all())
    } finally {
      dev.child.kill('SIGINT')
      await dev.result
      p.cleanup()
    }
  })

  it('names assets changed the same way together', () => {
    const e = {
      type: 'code-changed' as const,
      reload: 2,
      ts: 0,
      added: [],
      removed: ['old'],
      changed: [
        { key: 'b', previous: 'aaaa1111', current: 'bbbb2222', changes: ['code changed: helper ./lib.ts (factor)'] },
        { key: 'c', previous: 'cccc3333', current: 'dddd4444', changes: ['code changed: helper ./lib.ts (factor)'] },
        { key: 'f', previous: 'eeee5555', current: 'ffff6666', changes: ['mapping of input "history" changed: -7..-1 → -7..0'] },
        { key: 'g', previous: 'v1', current: 'v2' },
      ],
    }
    assert.equal(codeChangeText(e), 'b, c: code changed: helper ./lib.ts (factor); f: mapping of input "history" changed: -7..-1 → -7..0; code changed: g (v1… → v2…); removed: old')
  })
})
