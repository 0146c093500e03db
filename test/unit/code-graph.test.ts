// Which code counts in an asset's version: the declarations its compute
// really uses, across local modules, transitively; packages by version.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { loadDefinitions } from '../../engine/index.js'
import { versionInfoOf } from '../../engine/versioning/versions.js'
import { createProject, REPO_ROOT, type Project } from '../integration/helpers.js'

const projects: Project[] = []
after(() => projects.forEach((p) => p.cleanup()))

let loads = 0
/** Loads the project's definitions (afresh) and returns each asset's version and its code components. */
async function versions(p: Project): Promise<Map<string, { version: string; code: Record<string, string> }>> {
  const defs = await loadDefinitions(join(p.dir, 'definitions.ts'), `t${++loads}`)
  return new Map(
    defs.assets.map((a) => {
      const components = versionInfoOf(a)?.components ?? {}
      const code = Object.fromEntries(Object.entries(components).filter(([k]) => /^(code|file|package):/.test(k)))
      return [a.key, { version: a.codeVersion, code }]
    }),
  )
}

function project(files: Record<string, string>): Project {
  const p = createProject(undefined, files)
  projects.push(p)
  return p
}

const get = <V>(m: Map<string, V>, k: string) => {
  const v = m.get(k)
  assert.ok(v, `no asset ${k}`)
  return v
}

describe('code components of a compute', () => {
  it('follows the helpers it calls into local modules, transitively, and nothing it does not call', async () => {
    const p = project({
      'definitions.ts': `import { asset, defineDefinitions } from 'strata-engine'
import { factor } from './lib.js'
import * as text from './text.js'
const LOCAL = 10
export const a = asset({ key: 'a', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.map(factor).concat(LOCAL) })
export const c = asset({ key: 'c', ins: { b }, compute: (_ctx, { b }) => text.label(b.length) })
export default defineDefinitions({ assets: [a, b, c] })
`,
      'lib.ts': `import { scale } from './deep/scale.js'
export const K: number = 2
export function factor(x: number): number { return scale(x) * K }
export function unused() { return 0 }
`,
      'deep/scale.ts': `export const scale = (x: number) => x + 1\nexport const other = 3\n`,
      'text.ts': `export const label = (n: number) => \`\${n} rows\`\nexport const shout = (s: string) => s.toUpperCase()\n`,
    })
    const v = await versions(p)
    assert.deepEqual(Object.keys(get(v, 'a').code), [])
    assert.deepEqual(Object.keys(get(v, 'b').code).sort(), ['code:./deep/scale.ts#scale', 'code:./definitions.ts#LOCAL', 'code:./lib.ts#K', 'code:./lib.ts#factor'])
    // A namespace import used as ns.member counts only that member.
    assert.deepEqual(Object.keys(get(v, 'c').code), ['code:./text.ts#label'])

    // Comments, formatting and type annotations never count; unused code does not either.
    p.write('lib.ts', `import { scale } from './deep/scale.js'
/** The factor. */
export const K = 2 // two
export function factor(x: number) {
  return scale(x) * K;
}
export function unused() { return 1 }
`)
    p.write('text.ts', `export const label = (n: number) => \`\${n} rows\`\nexport const shout = (s: string) => s.toLowerCase()\n`)
    const same = await versions(p)
    for (const key of ['a', 'b', 'c']) assert.equal(get(same, key).version, get(v, key).version, key)

    // A change two modules away changes b only.
    p.write('deep/scale.ts', `export const scale = (x: number) => x + 2\nexport const other = 3\n`)
    const deeper = await versions(p)
    assert.notEqual(get(deeper, 'b').version, get(v, 'b').version)
    assert.notEqual(get(deeper, 'b').code['code:./deep/scale.ts#scale'], get(v, 'b').code['code:./deep/scale.ts#scale'])
    assert.equal(get(deeper, 'a').version, get(v, 'a').version)
    assert.equal(get(deeper, 'c').version, get(v, 'c').version)
  })

  it('counts packages by installed version and does not read them; Node built-ins do not count', async () => {
    const p = project({
      'definitions.ts': `import { asset, defineDefinitions } from 'strata-engine'
import { createHash } from 'node:crypto'
import { double } from 'fake-math'
export const a = asset({ key: 'a', compute: () => double(createHash('sha1').update('x').digest('hex').length) })
export default defineDefinitions({ assets: [a] })
`,
    })
    mkdirSync(join(p.dir, 'node_modules', 'fake-math'), { recursive: true })
    writeFileSync(join(p.dir, 'node_modules', 'fake-math', 'package.json'), JSON.stringify({ name: 'fake-math', version: '1.2.3', type: 'module', main: 'index.js' }))
    writeFileSync(join(p.dir, 'node_modules', 'fake-math', 'index.js'), 'export const double = (x) => x * 2\n')
    const v = await versions(p)
    assert.deepEqual(get(v, 'a').code, { 'package:fake-math': '1.2.3' })
    // Editing the package's files changes nothing; its version does.
    writeFileSync(join(p.dir, 'node_modules', 'fake-math', 'index.js'), 'export const double = (x) => x * 3\n')
    assert.equal(get(await versions(p), 'a').version, get(v, 'a').version)
    writeFileSync(join(p.dir, 'node_modules', 'fake-math', 'package.json'), JSON.stringify({ name: 'fake-math', version: '1.2.4', type: 'module', main: 'index.js' }))
    const bumped = await versions(p)
    assert.deepEqual(get(bumped, 'a').code, { 'package:fake-math': '1.2.4' })
  })

  it('finds computes declared by a factory in another module, and computes imported from a helper module', async () => {
    const p = project({
      'definitions.ts': `import { asset, defineDefinitions } from 'strata-engine'
import { makeCounter } from './factory.js'
import { train } from './train.js'
export const counter = makeCounter('counter', 3)
export const model = asset({ key: 'model', ins: { counter }, compute: train })
export default defineDefinitions({ assets: [counter, model] })
`,
      'factory.ts': `import { asset } from 'strata-engine'
import { tally } from './tally.js'
export function makeCounter(key: string, n: number) {
  return asset({ key, compute: () => tally(n) })
}
export const unrelated = () => 1
`,
      'tally.ts': 'export const tally = (n: number) => Array.from({ length: n }, (_, i) => i)\n',
      'train.ts': `import { rate } from './rates.js'
export async function train(_ctx: unknown, { counter }: { counter: number[] }) { return counter.length * rate }
`,
      'rates.ts': 'export const rate = 0.5\n',
    })
    const v = await versions(p)
    // n is the factory's parameter: the factory's whole declaration counts, and what it uses (asset() from strata too).
    assert.deepEqual(Object.keys(get(v, 'counter').code).sort(), ['code:./factory.ts#makeCounter', 'code:./tally.ts#tally', 'package:strata-engine'])
    assert.equal(get(v, 'counter').code['package:strata-engine'], JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version)
    assert.deepEqual(Object.keys(get(v, 'model').code).sort(), ['code:./rates.ts#rate'])
    p.write('rates.ts', 'export const rate = 0.25\n')
    const after = await versions(p)
    assert.notEqual(get(after, 'model').version, get(v, 'model').version)
    assert.equal(get(after, 'counter').version, get(v, 'counter').version)
  })

  it('follows re-exports, counts data files and top-level code that changes a binding the compute uses', async () => {
    const p = project({
      'definitions.ts': `import { asset, defineDefinitions } from 'strata-engine'
import { pick, table } from './index.js'
import rates from './rates.json' with { type: 'json' }
export const a = asset({ key: 'a', compute: () => pick(rates.eur) })
export const b = asset({ key: 'b', compute: () => table.get('x') })
export default defineDefinitions({ assets: [a, b] })
`,
      'index.ts': `export { pick } from './impl/pick.js'\nexport * from './impl/table.js'\n`,
      'impl/pick.ts': 'export const pick = (x: number) => x * 2\n',
      'impl/table.ts': `export const table = new Map<string, number>()\ntable.set('x', 1)\nexport const other = 2\n`,
      'rates.json': '{ "eur": 1.1 }',
    })
    const v = await versions(p)
    assert.deepEqual(Object.keys(get(v, 'a').code).sort(), ['code:./impl/pick.ts#pick', 'file:./rates.json'])
    assert.deepEqual(Object.keys(get(v, 'b').code).sort(), ['code:./impl/table.ts#<top-level>', 'code:./impl/table.ts#table'])
    p.write('impl/table.ts', `export const table = new Map<string, number>()\ntable.set('x', 2)\nexport const other = 2\n`)
    p.write('rates.json', '{\n  "eur": 1.1\n}\n')
    const after = await versions(p)
    assert.equal(get(after, 'a').version, get(v, 'a').version, 'reformatted JSON is the same data')
    assert.notEqual(get(after, 'b').version, get(v, 'b').version, 'table.set changed what b reads')
  })

  it('top-level code counts for a binding where it may change it, not where it only reads it', async () => {
    const defs = (guard: string, change: string) => `import { asset, defineDefinitions } from 'strata-engine'
const limits = { max: 3 }
if (limits.max < 0) throw new Error('${guard}')
${change}
export const a = asset({ key: 'a', compute: () => limits.max })
export default defineDefinitions({ assets: [a] })
`
    const p = project({ 'definitions.ts': defs('max must be positive', 'limits.max += 1') })
    const v = await versions(p)
    assert.deepEqual(Object.keys(get(v, 'a').code).sort(), ['code:./definitions.ts#<top-level>', 'code:./definitions.ts#limits'])
    p.writeDefs(defs('max must not be negative', 'limits.max += 1'))
    assert.equal(get(await versions(p), 'a').version, get(v, 'a').version, 'a guard that only reads limits does not count')
    p.writeDefs(defs('max must not be negative', 'limits.max += 2'))
    assert.notEqual(get(await versions(p), 'a').version, get(v, 'a').version)
  })

  it('the same compute text in two modules counts what both of them use', async () => {
    const p = project({
      'definitions.ts': `import { asset, defineDefinitions } from 'strata-engine'
import { fromA } from './a.js'
import { fromB } from './b.js'
export default defineDefinitions({ assets: [fromA, fromB] })
`,
      'a.ts': "import { asset } from 'strata-engine'\nimport { load } from './load-a.js'\nexport const fromA = asset({ key: 'a', codeVersion: 'pinned', compute: () => load() })\n",
      'b.ts': "import { asset } from 'strata-engine'\nimport { load } from './load-b.js'\nexport const fromB = asset({ key: 'b', compute: () => load() })\n",
      'load-a.ts': 'export const load = () => 1\n',
      'load-b.ts': 'export const load = () => 2\n',
    })
    assert.deepEqual(Object.keys(get(await versions(p), 'b').code).sort(), ['code:./load-a.ts#load', 'code:./load-b.ts#load'])
  })

  it('a pinned codeVersion is the whole version: helpers are not read', async () => {
    const p = project({
      'definitions.ts': `import { asset, defineDefinitions } from 'strata-engine'
import { f } from './lib.js'
export const a = asset({ key: 'a', codeVersion: 'v1', compute: () => f() })
export default defineDefinitions({ assets: [a] })
`,
      'lib.ts': 'export const f = () => 1\n',
    })
    const v = await versions(p)
    assert.equal(get(v, 'a').version, 'v1')
    assert.equal(versionInfoOf((await loadDefinitions(join(p.dir, 'definitions.ts'), 'pin')).assets[0]!)?.components, undefined)
    p.write('lib.ts', 'export const f = () => 2\n')
    assert.equal(get(await versions(p), 'a').version, 'v1')
  })
})
