// Every TypeScript snippet of the README compiles against the current API, so
// the README cannot drift from the code. A snippet may use the helpers
// declared in docs/snippets/prelude.ts; anything else it must import.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { compileSnippets, extractSnippets, REPO_ROOT } from './snippets.js'

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')

describe('README TypeScript snippets', () => {
  it('are found: every ```ts block, none of the sh, yaml or text ones', () => {
    const md = ['# t', '```sh', 'npm i', '```', '', '```ts', "const a: number = 1", '```', '````typescript', 'const b = 2', '```ts', '````', '  ```ts', '  const c = 3', '  ```', '```yaml', 'a: 1', '```'].join('\n')
    assert.deepEqual(extractSnippets(md), [
      { line: 7, lang: 'ts', code: 'const a: number = 1' },
      { line: 10, lang: 'typescript', code: 'const b = 2\n```ts' },
      { line: 14, lang: 'ts', code: 'const c = 3' },
    ])
    const inReadme = extractSnippets(README)
    assert.ok(inReadme.length >= 5, `expected the README's TypeScript snippets, found ${inReadme.length}`)
    assert.ok(inReadme.every((s) => s.code.includes("from 'strata-engine'")), 'each snippet imports what it uses from strata-engine')
  })

  it('compile with tsc and this repository’s compiler options', () => {
    const { errors, output } = compileSnippets(extractSnippets(README), 'README.md')
    assert.deepEqual(errors, [], output)
  })

  it('a snippet that does not compile is reported at its README line', () => {
    const md = ['intro', '```ts', "import { asset } from 'strata-engine'", "export const a = asset({ key: 'a', compute: () => 1 })", 'export const n: string = a.key.length', '```', ''].join('\n')
    const { errors } = compileSnippets(extractSnippets(md), 'DOC.md')
    assert.equal(errors.length, 1, errors.join('\n'))
    assert.match(errors[0]!, /^DOC\.md:5:\d+: error TS2322: Type 'number' is not assignable to type 'string'\./)
  })
})
