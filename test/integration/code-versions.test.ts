// Code versions follow the code a compute really uses, through the real CLI
// on throwaway projects: helper modules (transitively), comments and
// formatting, packages, pinned versions.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { assetsByKey, get, withProject, type Project } from './helpers.js'

const IN_PROCESS = ['--executor', 'in-process']

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
import { factor } from './lib.js'
import { double } from 'fake-math'
export const a = asset({ key: 'a', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.map(factor) })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => b.length })
export const d = asset({ key: 'd', ins: { a }, compute: (_ctx, { a }) => double(a.length) })
export const pinned = asset({ key: 'pinned', ins: { a }, codeVersion: 'v1', compute: (_ctx, { a }) => a.map(factor) })
export default defineDefinitions({ assets: [a, b, c, d, pinned] })
`
const LIB = (body: string) => `import { scale } from './deep.js'
export const K = 2
export function factor(x: number): number { return ${body} }
export function unused(): number { return 0 }
`
const DEEP = (n: number) => `export const scale = (x: number) => x + ${n}\n`

function fakePackage(p: Project, version: string, body: string): void {
  mkdirSync(join(p.dir, 'node_modules', 'fake-math'), { recursive: true })
  writeFileSync(join(p.dir, 'node_modules', 'fake-math', 'package.json'), JSON.stringify({ name: 'fake-math', version, type: 'module', main: 'index.js' }))
  writeFileSync(join(p.dir, 'node_modules', 'fake-math', 'index.js'), `export const double = (x) => ${body}\n`)
}

async function list(p: Project) {
  return assetsByKey(await p.ok(['list', '--json']))
}

function statuses(assets: Awaited<ReturnType<typeof list>>): Record<string, string> {
  return Object.fromEntries([...assets.values()].map((a) => [a.key, a.status]))
}

describe('code versions through the CLI', { concurrency: 2 }, () => {
  it('a helper edit makes exactly its users stale, naming the helper; comments and formatting do not count', () =>
    withProject(DEFS, async (p) => {
      p.write('lib.ts', LIB('scale(x) * K'))
      p.write('deep.ts', DEEP(1))
      fakePackage(p, '1.0.0', 'x * 2')
      await p.ok(['materialize', '--json', ...IN_PROCESS])
      assert.deepEqual(statuses(await list(p)), { a: 'FRESH', b: 'FRESH', c: 'FRESH', d: 'FRESH', pinned: 'FRESH' })

      // Comments, formatting and an unused helper change nothing.
      p.write('lib.ts', `import { scale } from './deep.js'
// The factor every value is multiplied by.
export const K = 2;
export function factor(x: number) {
  return scale(x) * K // scaled first
}
export function unused(): number { return 1 }
`)
      p.writeDefs(DEFS.replace("compute: (_ctx, { a }) => a.map(factor) })", "compute: (_ctx, { a }) =>\n  // each value\n  a.map(factor),\n})"))
      assert.deepEqual(statuses(await list(p)), { a: 'FRESH', b: 'FRESH', c: 'FRESH', d: 'FRESH', pinned: 'FRESH' })
      assert.match((await p.ok(['why', 'b'])).stdout, /Its code \(the compute and the helpers it uses\), its definition and every upstream are unchanged/)

      // The helper's body: b and what reads it; the pinned asset ignores helpers.
      p.write('lib.ts', LIB('scale(x) * K + 1'))
      const edited = await list(p)
      assert.deepEqual(statuses(edited), { a: 'FRESH', b: 'STALE', c: 'STALE', d: 'FRESH', pinned: 'FRESH' })
      assert.deepEqual(get(edited, 'b').reasons, ['code changed: helper ./lib.ts (factor)'])
      assert.deepEqual(get(edited, 'b').reasonDetails, [{ kind: 'CODE_VERSION_CHANGED', previous: get(edited, 'b').reasonDetails[0]!.previous, current: get(edited, 'b').codeVersion, changes: ['helper ./lib.ts (factor)'] }])
      assert.match(get(edited, 'c').reasons[0]!, /upstream b is stale \(root cause: b: code changed: helper \.\/lib\.ts \(factor\)\)/)
      const why = await p.ok(['why', 'b'])
      assert.match(why.stdout, /b is .*STALE/)
      assert.match(why.stdout, /• code changed: helper \.\/lib\.ts \(factor\)/)
      const whyC = await p.ok(['why', 'c'])
      assert.match(whyC.stdout, /root cause: b: code changed: helper \.\/lib\.ts \(factor\)/)

      // Rebuilt, then a change two modules away (lib.ts → deep.ts).
      await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      p.write('deep.ts', DEEP(2))
      const deep = await list(p)
      assert.deepEqual(statuses(deep), { a: 'FRESH', b: 'STALE', c: 'STALE', d: 'FRESH', pinned: 'FRESH' })
      assert.deepEqual(get(deep, 'b').reasons, ['code changed: helper ./deep.ts (scale)'])
      await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])

      // A package's files are not read; its installed version counts.
      fakePackage(p, '1.0.0', 'x * 3')
      assert.equal(get(await list(p), 'd').status, 'FRESH')
      fakePackage(p, '1.0.1', 'x * 3')
      const bumped = await list(p)
      assert.deepEqual(statuses(bumped), { a: 'FRESH', b: 'FRESH', c: 'FRESH', d: 'STALE', pinned: 'FRESH' })
      assert.deepEqual(get(bumped, 'd').reasons, ['code changed: package fake-math 1.0.0 → 1.0.1'])
    }))

  it('the pool executor records the same versions the CLI computes, and lineage shows them', () =>
    withProject(DEFS, async (p) => {
      p.write('lib.ts', LIB('scale(x) * K'))
      p.write('deep.ts', DEEP(1))
      fakePackage(p, '1.0.0', 'x * 2')
      await p.ok(['materialize', '--json', '--concurrency', '2'])
      const listed = await list(p)
      assert.deepEqual(statuses(listed), { a: 'FRESH', b: 'FRESH', c: 'FRESH', d: 'FRESH', pinned: 'FRESH' })
      const lineage = (await p.ok(['lineage', 'b', '--json'])).json
      assert.equal(lineage.codeVersion, get(listed, 'b').codeVersion)
      assert.equal(get(listed, 'pinned').codeVersion, 'v1')
    }))

  it('an asset declared in another module (a factory) is versioned by the code of that module', () =>
    withProject(
      `import { asset, defineDefinitions } from 'strata-engine'
import { counter } from './assets/factory.js'
export const raw = counter('raw', 3)
export const total = asset({ key: 'total', ins: { raw }, compute: (_ctx, { raw }) => raw.length })
export default defineDefinitions({ assets: [raw, total] })
`,
      async (p) => {
        p.write('assets/factory.ts', `import { asset } from 'strata-engine'\nimport { tally } from './tally.js'\nexport const counter = (key: string, n: number) => asset({ key, compute: () => tally(n) })\n`)
        p.write('assets/tally.ts', 'export const tally = (n: number) => Array.from({ length: n }, (_, i) => i)\n')
        await p.ok(['materialize', '--json', ...IN_PROCESS])
        p.write('assets/tally.ts', 'export const tally = (n: number) => Array.from({ length: n }, (_, i) => i * 2)\n')
        const after = await list(p)
        assert.deepEqual(statuses(after), { raw: 'STALE', total: 'STALE' })
        assert.deepEqual(get(after, 'raw').reasons, ['code changed: helper ./assets/tally.ts (tally)'])
      },
    ))
})
