// Inside the repository Strata runs from its TypeScript sources, built or
// not: `strata-engine` resolves to assets/index.ts and engine/index.ts (the
// `strata-source` export condition the module hooks add), in the main thread
// and in pool workers alike, never to dist/. The published side is
// test/package/install.test.ts.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { createProject, REPO_ROOT, SOURCE_BIN, type Project } from '../integration/helpers.js'

const DEFS = `
import { writeFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'
import { asset, defineDefinitions } from 'strata-engine'

// Top-level code runs wherever the definitions are imported: the CLI's main thread, then each pool worker.
const where = { assets: import.meta.resolve('strata-engine'), engine: import.meta.resolve('strata-engine/engine') }
writeFileSync(new URL(isMainThread ? './where-main.json' : './where-worker.json', import.meta.url), JSON.stringify(where))

export const probe = asset({ key: 'probe', compute: () => 1 })
export default defineDefinitions({ assets: [probe] })
`

describe('from the repository, strata-engine is the TypeScript sources', () => {
  let p: Project
  before(() => {
    p = createProject(DEFS)
  })
  after(() => p.cleanup())

  const sources = {
    assets: pathToFileURL(join(REPO_ROOT, 'assets', 'index.ts')).href,
    engine: pathToFileURL(join(REPO_ROOT, 'engine', 'index.ts')).href,
  }

  it('in the main thread (strata list) and in a pool worker (strata materialize)', async () => {
    // The repository's own bin, whatever the rest of the suite runs.
    await p.ok(['list'], 0, { bin: SOURCE_BIN })
    assert.deepEqual(JSON.parse(p.read('where-main.json')), sources)
    await p.ok(['materialize', '--executor', 'pool'], 0, { bin: SOURCE_BIN })
    assert.deepEqual(JSON.parse(p.read('where-worker.json')), sources)
  })

  it('strata --version prints the version in package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
    const r = await p.ok(['--version'], 0, { bin: SOURCE_BIN })
    assert.equal(r.stdout.trim(), pkg.version)
  })
})
