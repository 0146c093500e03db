// The README's TypeScript snippets are compiled by `npm run typecheck` from
// copies in this folder; this keeps the copies verbatim.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8')
const readme = read('../../README.md')

/** The first ```ts block after a heading. */
function snippetAfter(heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`)
  assert.ok(at >= 0, `README has no "${heading}" section`)
  const start = readme.indexOf('```ts\n', at) + '```ts\n'.length
  return readme.slice(start, readme.indexOf('```', start))
}

describe('README snippets are type-checked verbatim', () => {
  for (const [heading, file] of [
    ['## A short example', './readme-example.ts'],
    ['### Partitions', './readme-partitions.ts'],
  ] as const) {
    it(`${heading} is ${file}`, () => {
      assert.ok(read(file).includes(snippetAfter(heading)), `${file} no longer holds the README's "${heading}" snippet: copy it again`)
    })
  }
})
