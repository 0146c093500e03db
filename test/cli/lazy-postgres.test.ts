// Commands on the default SQLite storage load neither the PostgreSQL backends
// (storage and object store) nor the `pg` driver: those load when a
// postgres:// URL is opened. Each command runs under fixtures/record-modules.mjs,
// which logs every module the CLI process loads, ESM or CommonJS.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { createProject, STRATA_BIN, type Project } from '../integration/helpers.js'
import { freshSchemaUrl } from '../storage/backends.js'

const RECORDER = fileURLToPath(new URL('./fixtures/record-modules.mjs', import.meta.url))

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const numbers = asset({ key: 'raw/numbers', compute: () => [1, 2, 3] })
export const total = asset({ key: 'total', ins: { numbers }, compute: (_ctx, { numbers }) => numbers.length })
export default defineDefinitions({ assets: [numbers, total] })
`

/** What must stay unloaded on SQLite, by what it is. */
const POSTGRES_MODULES: Array<[string, RegExp]> = [
  ['the pg driver', /\/node_modules\/pg(-[a-z-]+)?\//],
  ['the PostgreSQL storage backend', /\/engine\/storage\/postgres\//],
  ['the PostgreSQL object store', /\/engine\/io\/object-stores\/postgres[^/]*$/],
]

let p: Project
let logs: string

/** Runs `strata ...args` in the project under the recorder; returns stdout and the URLs of the modules it loaded. */
function recordCli(args: string[]): Promise<{ stdout: string; modules: string[] }> {
  const log = join(logs, `modules-${args[0]}-${Math.random().toString(36).slice(2)}.log`)
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', RECORDER, STRATA_BIN, ...args],
      { cwd: p.dir, env: { ...process.env, STRATA_HOME: undefined, STRATA_STORAGE_URL: undefined, STRATA_OBJECTS: undefined, NO_COLOR: '1', STRATA_TEST_MODULE_LOG: log }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`strata ${args.join(' ')} failed: ${err.message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`))
        const modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))]
        resolve({ stdout, modules })
      },
    )
  })
}

function loaded(modules: string[], pattern: RegExp): string[] {
  return modules.filter((url) => pattern.test(url.split('?')[0]!))
}

before(() => {
  p = createProject(DEFS)
  logs = mkdtempSync(join(tmpdir(), 'strata-lazy-pg-'))
})
after(() => {
  p.cleanup()
  rmSync(logs, { recursive: true, force: true })
})

describe('PostgreSQL support loads on first use', () => {
  for (const args of [['list', '--json'], ['status', 'total', '--json']]) {
    it(`strata ${args[0]} on SQLite loads no PostgreSQL module`, async () => {
      const { stdout, modules } = await recordCli(args)
      assert.doesNotThrow(() => JSON.parse(stdout), `strata ${args.join(' ')} printed no JSON:\n${stdout}`)
      // The recorder saw the storage the command opened: an empty or broken log cannot pass below.
      assert.ok(loaded(modules, /\/node_modules\/better-sqlite3\//).length > 0, `better-sqlite3 missing from the ${modules.length} recorded modules`)
      assert.ok(loaded(modules, /\/engine\/storage\/sqlite\/storage\.[jt]s$/).length > 0, `engine/storage/sqlite/storage.ts missing from the ${modules.length} recorded modules`)
      for (const [what, pattern] of POSTGRES_MODULES) {
        const found = loaded(modules, pattern)
        assert.deepEqual(found, [], `strata ${args[0]} on SQLite loaded ${what}; import it where a postgres:// URL is opened (await import(...)), not at the top of a module the CLI loads:\n${found.join('\n')}`)
      }
    })
  }

  it('strata list with postgres:// storage and objects loads them', async () => {
    const storage = freshSchemaUrl('strata_lazy')
    const objects = freshSchemaUrl('strata_lazy_objects')
    try {
      const { stdout, modules } = await recordCli(['list', '--json', '--storage', storage.url, '--objects', objects.url])
      assert.deepEqual(JSON.parse(stdout).assets.map((a: { key: string }) => a.key).sort(), ['raw/numbers', 'total'])
      for (const [what, pattern] of POSTGRES_MODULES) assert.ok(loaded(modules, pattern).length > 0, `${what} was not loaded, yet PostgreSQL was used`)
    } finally {
      await storage.drop()
      await objects.drop()
    }
  })
})
