// Automation and freshness are orchestration: declaring or editing them never
// changes a code version, even where a compute's version counts the whole
// factory statement that declares the asset.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { jsTokens } from '../../assets/code-version.js'
import { loadDefinitions } from '../../engine/index.js'
import { withoutOrchestration } from '../../engine/versioning/orchestration.js'
import { createProject, type Project } from '../integration/helpers.js'

const projects: Project[] = []
after(() => projects.forEach((p) => p.cleanup()))

const strip = (src: string) => withoutOrchestration(jsTokens(src)).join(' ')

describe('withoutOrchestration', () => {
  it('drops the automation and freshness properties of asset({ ... }), wherever they sit', () => {
    assert.equal(strip(`asset({ key: 'a', automation: eager({ lookback: 3 }), compute })`), strip(`asset({ key: 'a', compute })`))
    assert.equal(strip(`asset({ key: 'a', compute, automation: onCron('0 3 * * 1').and(not(inProgress())) })`), strip(`asset({ key: 'a', compute, })`))
    assert.equal(strip(`asset<T>({ freshness: { maxLagMinutes: 60, cron: '0 9 * * *' }, key: 'a', automation, compute: () => [1, { automation: 2 }] })`), strip(`asset<T>({ key: 'a', compute: () => [1, { automation: 2 }] })`))
    assert.equal(strip(`s.asset({ key: \`k\${n}\`, automation: o.automation, compute })`), strip(`s.asset({ key: \`k\${n}\`, compute })`))
  })

  it('keeps everything else: nested objects, other calls, other properties', () => {
    for (const src of [
      `asset({ key: 'a', compute: () => ({ automation: 1, freshness: 2 }) })`,
      `other({ automation: eager() })`,
      `asset({ key: 'a', ins: { automation: up }, compute })`,
      `const automation = 1; asset({ key: 'a', compute: () => automation })`,
    ]) {
      assert.equal(strip(src), jsTokens(src).join(' '), src)
    }
  })
})

/** The version of each asset of a project whose assets are made by a factory that the computes close over. */
async function versions(factoryBody: string): Promise<Map<string, string>> {
  const p = createProject(undefined, {
    'definitions.ts': `import { defineDefinitions } from 'strata-engine'
import { make } from './factory.js'
export default defineDefinitions({ assets: make(3) })
`,
    'factory.ts': `import { asset, eager, onCron } from 'strata-engine'
export function make(n: number) {
${factoryBody}
  return [a, b]
}
`,
  })
  projects.push(p)
  const defs = await loadDefinitions(join(p.dir, 'definitions.ts'), `orchestration-${projects.length}`)
  return new Map(defs.assets.map((a) => [a.key, a.codeVersion]))
}

describe('code versions leave orchestration out', () => {
  it('adding automation and freshness to assets a factory declares keeps every version', async () => {
    const plain = await versions(`  const a = asset({ key: 'a', compute: () => n * 2 })
  const b = asset({ key: 'b', ins: { a }, compute: (_c: unknown, { a }: { a: number }) => a + n })`)
    const automated = await versions(`  const a = asset({ key: 'a', automation: eager(), freshness: { maxLagMinutes: 60 }, compute: () => n * 2 })
  const b = asset({
    key: 'b',
    ins: { a },
    compute: (_c: unknown, { a }: { a: number }) => a + n,
    automation: onCron('0 3 * * 1'),
  })`)
    assert.deepEqual(automated, plain)
    // The factory statement does count: a change to what the computes use changes both versions.
    const changed = await versions(`  const a = asset({ key: 'a', automation: eager(), compute: () => n * 3 })
  const b = asset({ key: 'b', ins: { a }, compute: (_c: unknown, { a }: { a: number }) => a + n })`)
    assert.notEqual(changed.get('a'), plain.get('a'))
    assert.notEqual(changed.get('b'), plain.get('b'))
  })
})
