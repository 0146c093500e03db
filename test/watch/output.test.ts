// Where a dev session sends what the user's code prints: any DevOutput (a
// bare `write`, not only a Node stream), paused while the output says it is
// full, as a pipe would be. Through the public entry point, whose
// startDevSession loads the session on its first call.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { startDevSession, type DevOutput } from '../../engine/index.js'
import { createProject } from '../integration/helpers.js'
import { eventLog, sleep } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
console.log('first line from the definitions')
console.error('second line from the definitions')
export const a = asset({ key: 'a', compute: () => 1 })
export default defineDefinitions({ assets: [a] })
`

const text = (chunks: Array<string | Uint8Array>) => chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('')

describe('dev session output', () => {
  it('an object with only write() receives what the definitions print, stdout and stderr alike', { timeout: 30_000 }, async () => {
    const p = createProject(DEFS)
    const chunks: Array<string | Uint8Array> = []
    const output: DevOutput = { write: (chunk) => chunks.push(chunk) }
    const log = eventLog()
    const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), debounceMs: 50, output, onEvent: log.push })
    try {
      await log.waitFor((e) => e.type === 'reload-ok', { what: 'the initial load' })
      await session.idle()
      for (let i = 0; i < 50 && !text(chunks).includes('second line'); i++) await sleep(20)
      assert.match(text(chunks), /first line from the definitions\n/)
      assert.match(text(chunks), /second line from the definitions\n/)
    } finally {
      await session.close()
      p.cleanup()
    }
  })

  it('a write that returns false pauses that stream until the output reports drain', { timeout: 30_000 }, async () => {
    const p = createProject(DEFS.replace("console.error('second line from the definitions')", "console.log('second line from the definitions')"))
    const chunks: Array<string | Uint8Array> = []
    const drains: Array<() => void> = []
    const output: DevOutput = {
      write: (chunk) => chunks.push(chunk) > 1, // full after the first chunk only
      once: (_event, listener) => drains.push(listener),
    }
    const log = eventLog()
    const session = await startDevSession({ defsPath: join(p.dir, 'definitions.ts'), debounceMs: 50, output, onEvent: log.push })
    try {
      await log.waitFor((e) => e.type === 'reload-ok', { what: 'the initial load' })
      await session.idle()
      await sleep(300) // time for the second line to arrive, were the stream still flowing
      assert.match(text(chunks), /first line/)
      assert.doesNotMatch(text(chunks), /second line/, 'nothing is delivered while the output is full')
      assert.equal(drains.length, 1)
      drains[0]!()
      for (let i = 0; i < 50 && !text(chunks).includes('second line'); i++) await sleep(20)
      assert.match(text(chunks), /first line from the definitions\nsecond line from the definitions\n/)
    } finally {
      await session.close()
      p.cleanup()
    }
  })
})
