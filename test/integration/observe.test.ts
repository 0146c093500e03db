import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProject } from './helpers.js'

const DEFS = `
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { asset, defineDefinitions, output } from 'strata-engine'
const file = new URL('./source.txt', import.meta.url)
export const source = asset({
  key: 'source/file',
  observe: true,
  compute: () => {
    const text = readFileSync(file, 'utf8')
    return output({ length: text.length }, { dataVersion: createHash('sha256').update(text).digest('hex').slice(0, 16) })
  },
})
export const parsed = asset({ key: 'parsed', deps: [source], compute: () => readFileSync(file, 'utf8').trim().split(',').map(Number) })
export default defineDefinitions({ assets: [source, parsed] })
`

test('an observed source is re-observed by --stale; only a changed source rebuilds downstream', async () => {
  const p = createProject(DEFS, { 'source.txt': '1,2,3' })
  try {
    const first = (await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process'])).json as { steps: Array<{ key: string; status: string; skipReason?: string }> }
    assert.deepEqual(first.steps.map((s) => [s.key, s.status]), [['source/file', 'SUCCESS'], ['parsed', 'SUCCESS']])

    const unchanged = (await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process'])).json as typeof first
    // The observation ran; nothing downstream was even planned.
    assert.deepEqual(unchanged.steps.map((s) => [s.key, s.status]), [['source/file', 'SUCCESS']])

    p.write('source.txt', '4,5,6')
    const changed = (await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process'])).json as typeof first
    assert.deepEqual(changed.steps.map((s) => [s.key, s.status]), [['source/file', 'SUCCESS'], ['parsed', 'SUCCESS']])
    const list = (await p.ok(['list', '--json'])).json as { assets: Array<{ key: string; status: string }> }
    assert.ok(list.assets.every((a) => a.status === 'FRESH'))
  } finally {
    p.cleanup()
  }
})
