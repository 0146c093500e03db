// The layout rules of the package build (scripts/build-outputs.mjs): what a
// source compiles to, which dist/ files are stale, which declarations are
// published, and comment stripping that leaves the code as it was.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runInNewContext } from 'node:vm'
import ts from 'typescript'
import { declarationClosure, importSpecifiers, outputsOf, relocateMap, sourceOf, stripComments } from '../../scripts/build-outputs.mjs'

describe('dist/ layout', () => {
  it('a TypeScript source compiles to its JavaScript beside the others and its declarations under .declarations/', () => {
    assert.deepEqual(outputsOf('engine/index.ts'), ['engine/index.js', '.declarations/engine/index.d.ts', '.declarations/engine/index.d.ts.map'])
    assert.deepEqual(outputsOf('ui-terminal/app/app.tsx'), ['ui-terminal/app/app.js', '.declarations/ui-terminal/app/app.d.ts', '.declarations/ui-terminal/app/app.d.ts.map'])
    // Declarations and plain JavaScript are not compiled: nothing is expected of tsc for them.
    assert.deepEqual(outputsOf('engine/loader/cache-dir.d.mts'), [])
    assert.deepEqual(outputsOf('engine/loader/hooks.mjs'), [])
  })

  it('each dist/ file names the sources it may come from, and a file no source explains has none (so it is removed)', () => {
    assert.deepEqual(sourceOf('engine/index.js'), ['engine/index.ts', 'engine/index.tsx'])
    assert.deepEqual(sourceOf('.declarations/engine/index.d.ts'), ['engine/index.ts', 'engine/index.tsx'])
    assert.deepEqual(sourceOf('assets/index.d.ts.map'), ['assets/index.ts', 'assets/index.tsx'])
    assert.deepEqual(sourceOf('engine/loader/hooks.mjs'), ['engine/loader/hooks.mjs'])
    assert.deepEqual(sourceOf('.declarations/engine/loader/layout.d.mts'), ['engine/loader/layout.d.mts'])
    assert.deepEqual(sourceOf('package.json'), [])
    assert.deepEqual(sourceOf('engine/notes.txt'), [])
  })
})

describe('published declarations', () => {
  const files: Record<string, string> = {
    'assets/index.d.ts': `export { asset } from './asset.js';\nexport type { Zone } from 'luxon';\n`,
    'assets/asset.d.ts': `import type { Ctx } from '../engine/ctx.js';\nexport declare function asset(c: import('./keys.js').Key, x: Ctx): void;\n`,
    'assets/keys.d.ts': `export type Key = string;\n`,
    'engine/index.d.ts': `export * from './loader/layout.mjs';\n`,
    'engine/ctx.d.ts': `export interface Ctx { runId: string }\n`,
    'engine/loader/layout.d.mts': `export const FROM_SOURCE: boolean\n`,
    'engine/internal.d.ts': `export declare const hidden: number;\n`,
  }
  const read = (path: string) => files[path]
  const imports = (text: string) => importSpecifiers(ts, text)

  it('are the files the entry points reach through imports, re-exports and import() types; packages and unreachable files are left out', () => {
    assert.deepEqual(declarationClosure(['assets/index.d.ts', 'engine/index.d.ts'], read, imports), [
      'assets/asset.d.ts',
      'assets/index.d.ts',
      'assets/keys.d.ts',
      'engine/ctx.d.ts',
      'engine/index.d.ts',
      'engine/loader/layout.d.mts',
    ])
  })

  it('a reached import with no declaration behind it fails the build, naming the importer and the file', () => {
    const broken: Record<string, string> = { ...files, 'assets/asset.d.ts': `export * from './gone.js';\n` }
    assert.throws(
      () => declarationClosure(['assets/index.d.ts'], (p) => broken[p], imports),
      /assets\/asset\.d\.ts imports \.\/gone\.js, which has no declaration file \(assets\/gone\.d\.ts\)/,
    )
  })

  it('a declaration map copied out of .declarations/ still points at the same sources', () => {
    const map = JSON.stringify({ version: 3, file: 'index.d.ts', sources: ['../../../assets/index.ts'], mappings: 'AAAA' })
    const moved = JSON.parse(relocateMap(map, '.declarations/assets/index.d.ts.map', 'assets/index.d.ts.map'))
    assert.deepEqual(moved.sources, ['../../assets/index.ts'])
    assert.equal(moved.mappings, 'AAAA')
  })
})

describe('comment stripping', () => {
  const code = [
    '/** A doc comment. */',
    'const url = "http://example.com/*not a comment*/"; // trailing',
    'const re = /\\/\\/ kept/g;',
    'const tpl = `line one // kept',
    '  line two /* kept */ ${url.length}`;',
    '/* block */ const sum = (a, b) => a + /* inline */ b;',
    'result = { url, re: re.source, tpl, sum: sum(2, 3) };',
  ].join('\n')

  it('removes comments and nothing else: strings, regular expressions and template literals that look like comments are kept', () => {
    const out = stripComments(ts, 'x.js', code)
    assert.doesNotMatch(out, /doc comment|trailing|block|inline/)
    const run = (src: string) => {
      const ctx: { result?: unknown } = {}
      runInNewContext(src, ctx)
      return JSON.parse(JSON.stringify(ctx.result)) // out of the other realm, for deepEqual
    }
    assert.deepEqual(run(out), run(code))
    assert.deepEqual(run(out), { url: 'http://example.com/*not a comment*/', re: '\\/\\/ kept', tpl: 'line one // kept\n  line two /* kept */ 35', sum: 5 })
  })
})
