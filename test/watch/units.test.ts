// The small pieces of watch mode: import scanning, definition diffs, error locations, debouncing.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { createDebouncer } from '../../engine/watch/debounce.js'
import { diffDefinitions } from '../../engine/watch/diff.js'
import { locateLoadError } from '../../engine/watch/error-location.js'
import { importSpecifiers, scanImportGraph } from '../../engine/watch/import-graph.js'
import { sleep } from './helpers.js'

describe('import graph', () => {
  it('finds static, multi-line, type-only, re-export, side-effect and dynamic imports; only local ones', () => {
    const source = `import { asset } from 'strata-engine'
import {
  a,
  b as bee,
} from './a.js'
import type { T } from "../types.js"
import * as ns from './ns.mjs'
import def, { x } from './def.ts'
export * from './reexport.js'
export { y } from './y.js'
import './side-effect.js'
import data from './data.json' with { type: 'json' }
const lazy = await import('./lazy.js')
import fs from 'node:fs'
export const z = asset({ key: 'z', compute: () => 'import nothing' })
`
    assert.deepEqual(importSpecifiers(source).sort(), ['../types.js', './a.js', './data.json', './def.ts', './lazy.js', './ns.mjs', './reexport.js', './side-effect.js', './y.js'])
  })

  it('follows imports transitively (./x.js → x.ts as the loader does), skips node_modules and the home, and lists missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-watch-'))
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true })
      writeFileSync(join(dir, rel), text)
    }
    try {
      write('definitions.ts', `import { a } from './lib/a.js'\nimport cfg from './cfg.json' with { type: 'json' }\nimport { g } from './gone.js'\nimport { s } from './.strata/state.js'\n`)
      write('lib/a.ts', `export * from './b.js'\nimport x from '../node_modules/pkg/index.js'\nimport { p } from './plain.js'\n`)
      write('lib/b.tsx', `import { a } from './a.js'\n`) // a cycle back
      write('lib/plain.js', `export const p = 1\n`)
      write('cfg.json', `{}`)
      write('node_modules/pkg/index.js', `import './deep.js'\n`)
      write('.strata/state.ts', ``)
      const graph = scanImportGraph(join(dir, 'definitions.ts'), { ignoreDirs: [join(dir, '.strata')] })
      const rel = (xs: string[]) => xs.map((f) => f.slice(dir.length + 1))
      assert.deepEqual(rel(graph.files), ['definitions.ts', 'lib/a.ts', 'cfg.json', 'lib/b.tsx', 'lib/plain.js'])
      assert.deepEqual(rel(graph.missing), ['gone.ts', 'gone.tsx', 'gone.js'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('definitions diff', () => {
  it('reports changed code versions (old → new), added and removed assets', () => {
    const d = diffDefinitions({ codeVersions: { a: '1', b: '2', c: '3' } }, { codeVersions: { a: '1', b: '9', d: '4' } })
    assert.deepEqual(d, { changed: [{ key: 'b', previous: '2', current: '9' }], added: ['d'], removed: ['c'] })
    assert.deepEqual(diffDefinitions({ codeVersions: { a: '1' } }, { codeVersions: { a: '1' } }), { changed: [], added: [], removed: [] })
  })
})

describe('load error location', () => {
  it('takes a syntax error position from the loader message, else the first project frame of the stack', () => {
    const syntax = locateLoadError('Could not load definitions from /p/definitions.ts: Error transforming /p/lib.ts: Unexpected token, expected "," (3:14)', undefined, new Set())
    assert.deepEqual(syntax, { message: 'Unexpected token, expected ","', location: { file: '/p/lib.ts', line: 3, column: 14 } })
    const stack = `TypeError: Cannot read properties of undefined (reading 'x')\n    at helper (file:///elsewhere/x.js:1:1)\n    at file:///p/lib.ts:12:5\n    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)`
    const runtime = locateLoadError("Could not load definitions from /p/definitions.ts: Cannot read properties of undefined (reading 'x')", stack, new Set(['/p/lib.ts']))
    assert.deepEqual(runtime, { message: "Cannot read properties of undefined (reading 'x')", location: { file: '/p/lib.ts', line: 12, column: 5 } })
    assert.deepEqual(locateLoadError('Duplicate asset key "a"', undefined, new Set()), { message: 'Duplicate asset key "a"' })
  })
})

describe('debouncer', () => {
  it('fires once with every item after the quiet period', async () => {
    const fired: string[][] = []
    const d = createDebouncer<string>(60, (items) => fired.push(items))
    d.push('a')
    await sleep(20)
    d.push('b')
    d.push('a')
    assert.equal(d.pending, true)
    await sleep(30)
    assert.deepEqual(fired, [])
    await sleep(80)
    assert.deepEqual(fired, [['a', 'b']])
    d.push('c')
    d.cancel()
    await sleep(90)
    assert.deepEqual(fired, [['a', 'b']])
  })
})
