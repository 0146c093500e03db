// The dev session API on a temp project: broken saves keep the last good
// definitions and run nothing; a fix reloads; new imports are watched.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { startDevSession, type DevEvent } from '../../engine/watch/index.js'
import { createProject } from '../integration/helpers.js'
import { brief, eventLog, sleep } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
import { a } from './lib.js'
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.length })
export default defineDefinitions({ assets: [a, b] })
`
const lib = (body: string) => `import { asset } from 'strata-engine'\nexport const a = asset({ key: 'a', compute: () => ${body} })\n`

describe('dev session', () => {
  it('a syntax error on save is a reload-error, keeps the last good definitions and runs nothing; fixing it reloads', { timeout: 40_000 }, async () => {
    const p = createProject(DEFS, { 'lib.ts': lib('[1, 2]') })
    const log = eventLog()
    const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), auto: true, debounceMs: 50, onEvent: log.push })
    const all = () => log.events.map(brief).join('\n')
    try {
      await log.waitFor((e) => e.type === 'run-end' && e.reload === 1, { what: 'the initial run' })
      const initial = log.events.find((e) => e.type === 'run-end')
      assert.equal(initial?.type === 'run-end' && initial.status, 'SUCCESS', all())
      await session.idle()

      // A good edit first, so the last good code version is not the initial one.
      let from = log.mark()
      p.write('lib.ts', lib('[1, 2, 3]'))
      const good = await log.waitFor((e) => e.type === 'code-changed', { from, what: 'the good edit' })
      assert.ok(good.type === 'code-changed')
      const goodVersion = good.changed[0]!.current
      await log.waitFor((e) => e.type === 'run-end' && e.reload === good.reload, { from, what: 'its run' })
      await session.idle()

      // Broken: a syntax error in the imported module.
      from = log.mark()
      p.write('lib.ts', lib('[1, 2, 3, 4'))
      const err = await log.waitFor((e) => e.type === 'reload-error', { from, what: 'the reload error' })
      assert.ok(err.type === 'reload-error')
      assert.match(err.message, /Unexpected token/)
      assert.equal(err.code, 'STRATA_DEFINITIONS_LOAD')
      assert.equal(err.inEffect, good.reload, 'the last good definitions stay in effect')
      assert.deepEqual(err.location && { file: err.location.file, line: err.location.line }, { file: join(p.dir, 'lib.ts'), line: 2 })
      // Broken: invalid definitions (a StrataError code), with the syntax error fixed.
      from = log.mark()
      p.write('lib.ts', lib('[1, 2, 3, 4, 5]'))
      p.writeDefs(DEFS.replace("key: 'b'", "key: 'a'"))
      const invalid = await log.waitFor((e) => e.type === 'reload-error', { from, what: 'the invalid definitions' })
      assert.equal(invalid.type === 'reload-error' && invalid.code, 'STRATA_DUPLICATE_KEY')
      await sleep(300)
      await session.idle()
      const sinceBroken = log.events.slice(log.events.indexOf(err))
      assert.deepEqual(sinceBroken.filter((e) => ['reload-ok', 'run-start', 'stale', 'code-changed'].includes(e.type)).map(brief), [], 'nothing happens from broken definitions')

      // Fixed (with a change): reloaded and compared with the last GOOD definitions, not the broken ones.
      from = log.mark()
      p.writeDefs(DEFS)
      const fixed = await log.waitFor((e) => e.type === 'code-changed', { from, what: 'the fixed reload' })
      assert.ok(fixed.type === 'code-changed')
      assert.deepEqual(fixed.changed.map((c) => [c.key, c.previous]), [['a', goodVersion]])
      const stale = await log.waitFor((e) => e.type === 'stale' && e.reload === fixed.reload, { from })
      assert.deepEqual(stale.type === 'stale' && stale.assets.map((a) => [a.key, a.status]), [['a', 'STALE'], ['b', 'STALE']])
      assert.match(stale.type === 'stale' ? stale.assets[0]!.reason : '', /code changed: compute/)
      const run = await log.waitFor((e) => e.type === 'run-end' && e.reload === fixed.reload, { from, what: 'the run after the fix' })
      assert.equal(run.type === 'run-end' && run.status, 'SUCCESS', all())
      assert.deepEqual(run.type === 'run-end' && run.counts, { succeeded: 2, failed: 0, skipped: 0, upToDate: 0 })
    } finally {
      await session.close()
      p.cleanup()
    }
  })

  it('watches a module once it is imported, and a missing import until it exists; stops watching what is no longer imported', { timeout: 30_000 }, async () => {
    const p = createProject(DEFS, { 'lib.ts': lib('[1]') })
    const log = eventLog()
    const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), debounceMs: 50, onEvent: log.push })
    const watched = () => {
      const last = [...log.events].reverse().find((e): e is Extract<DevEvent, { type: 'watching' }> => e.type === 'watching')
      return (last?.files ?? []).map((f) => f.slice(p.dir.length + 1))
    }
    try {
      await session.idle()
      assert.deepEqual(watched(), ['definitions.ts', 'lib.ts'])
      // Import a module that does not exist yet: an error, but its future paths are watched.
      let from = log.mark()
      p.write('lib.ts', `import { asset } from 'strata-engine'\nimport { n } from './more/n.js'\nexport const a = asset({ key: 'a', compute: () => [n] })\n`)
      await log.waitFor((e) => e.type === 'reload-error', { from, what: 'the missing import' })
      assert.ok(watched().includes('more/n.ts'), watched().join(', '))
      // Creating it reloads, with no further edit.
      from = log.mark()
      p.write('more/n.ts', 'export const n = 1\n')
      await log.waitFor((e) => e.type === 'reload-ok', { from, what: 'the reload when the module appears' })
      await session.idle()
      assert.deepEqual(watched(), ['definitions.ts', 'lib.ts', 'more/n.ts'])
      // Editing the new module reloads.
      from = log.mark()
      p.write('more/n.ts', 'export const n = 2\n')
      await log.waitFor((e) => e.type === 'reload-ok', { from, what: 'the reload after editing the new module' })
      // Dropping the import stops watching it.
      from = log.mark()
      p.write('lib.ts', lib('[3]'))
      await log.waitFor((e) => e.type === 'reload-ok', { from })
      await session.idle()
      assert.deepEqual(watched(), ['definitions.ts', 'lib.ts'])
    } finally {
      await session.close()
      p.cleanup()
    }
  })
})
