// Usage and environment problems through the real CLI: exit 2, one line on
// stderr naming a stable code, no stack trace. Global options also work when
// written before the command.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { createProject, type CliResult, type Project } from './helpers.js'

const DEFS = `import { asset, defineDefinitions } from 'strata-engine'
export const a = asset({ key: 'raw/a', compute: () => [1, 2, 3] })
export const b = asset({ key: 'b', ins: { a }, compute: (_ctx, { a }) => a.length })
export default defineDefinitions({ assets: [a, b] })
`

/** Every command that opens a home, with arguments that would otherwise succeed or fail for another reason. */
const COMMANDS: string[][] = [
  ['list'],
  ['materialize'],
  ['why', 'b'],
  ['lineage', 'b'],
  ['status', 'b'],
  ['runs'],
  ['logs', 'no-such-run'],
  ['backfill', 'list'],
  ['partitions', 'list'],
  ['models', 'list'],
  ['gc'],
]

/** Exit 2, exactly one line on stderr with `[code]`, nothing on stdout, no stack frame. */
function expectOneCodedLine(r: CliResult, code: string, ...patterns: RegExp[]): void {
  const shown = `strata ${r.args.join(' ')}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
  assert.equal(r.code, 2, `exit code ${r.code}, expected 2\n${shown}`)
  assert.equal(r.stdout, '', `nothing on stdout\n${shown}`)
  const lines = r.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `one line on stderr\n${shown}`)
  assert.ok(lines[0]!.includes(`[${code}]`), `stderr should name ${code}\n${shown}`)
  assert.ok(!r.stderr.includes('    at '), `no stack trace\n${shown}`)
  for (const p of patterns) assert.match(r.stderr, p, shown)
}

let project: Project
before(async () => {
  project = createProject(DEFS)
  await project.ok(['materialize', '--json'])
})
after(() => project.cleanup())

describe('a home whose database lost a table', { concurrency: 4 }, () => {
  it('every command says the home is damaged, names the table and what to do', async () => {
    // A complete home, then `DROP TABLE runs` behind Strata's back.
    const damaged = join(project.dir, 'damaged-home')
    await project.ok(['materialize', '--json', '--home', damaged])
    const db = new Database(join(damaged, 'strata.db'))
    db.pragma('foreign_keys = OFF')
    db.exec('DROP TABLE runs')
    db.close()
    for (const args of COMMANDS) {
      const r = await project.run([...args, '--home', damaged])
      expectOneCodedLine(r, 'STRATA_DAMAGED_HOME', /is damaged/, /no table "runs"/, /Restore strata\.db from a backup, or move .* away/)
    }
  })

  it('a lost column is named too', async () => {
    const home = join(project.dir, 'lost-column')
    await project.ok(['runs', '--home', home])
    const db = new Database(join(home, 'strata.db'))
    db.exec('ALTER TABLE partition_states DROP COLUMN code_version')
    db.close()
    expectOneCodedLine(await project.run(['list', '--home', home]), 'STRATA_DAMAGED_HOME', /table "partition_states" .* has no column "code_version"/)
  })
})

describe('an empty strata.db is refused, not treated as a new home', { concurrency: 4 }, () => {
  it('exit 2 with STRATA_DAMAGED_HOME saying to delete it; the file stays empty', async () => {
    const home = join(project.dir, 'empty-db')
    mkdirSync(home)
    const file = join(home, 'strata.db')
    writeFileSync(file, '')
    for (const args of [['list'], ['materialize'], ['models', 'list'], ['gc']]) {
      expectOneCodedLine(await project.run([...args, '--home', home]), 'STRATA_DAMAGED_HOME', /empty file \(0 bytes\)/, /delete it \(rm .*strata\.db\)/)
    }
    assert.equal(statSync(file).size, 0, 'the refused file is left as it was')
  })

  it('a home whose strata.db does not exist yet is created, fully migrated', async () => {
    const home = join(project.dir, 'new-home')
    const r = await project.ok(['runs', '--json', '--home', home])
    assert.deepEqual(r.json.runs, [])
    assert.ok(statSync(join(home, 'strata.db')).size > 0)
    const db = new Database(join(home, 'strata.db'), { readonly: true })
    try {
      assert.ok(db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'runs'`).get(), 'the new database has its tables')
    } finally {
      db.close()
    }
  })
})

describe('a home that cannot be created or written', { concurrency: 4 }, () => {
  it('--home under /proc fails at once instead of hanging in mkdir', async () => {
    const started = Date.now()
    const r = await project.run(['list', '--home', '/proc/strata-cli-test/home'], { timeoutMs: 20_000 })
    expectOneCodedLine(r, 'STRATA_STORAGE', /Could not create the Strata home directory \/proc\/strata-cli-test\/home/, /\/proc does not accept new directories/, /--home DIR/)
    assert.ok(Date.now() - started < 15_000)
    assert.equal(existsSync('/proc/strata-cli-test'), false)
  })

  it('--home inside a regular file', async () => {
    const file = join(project.dir, 'a-file')
    writeFileSync(file, 'x')
    for (const args of [['list'], ['models', 'list']]) {
      expectOneCodedLine(await project.run([...args, '--home', join(file, 'home')]), 'STRATA_STORAGE', /Could not create the Strata home directory/)
    }
    // gc never creates a home.
    expectOneCodedLine(await project.run(['gc', '--home', join(file, 'home')]), 'STRATA_USAGE', /No Strata home at .*nothing to collect/)
    expectOneCodedLine(await project.run(['runs', '--home', file]), 'STRATA_STORAGE', /exists and is not a directory/)
  })
})

describe('global options before the command', { concurrency: 4 }, () => {
  it('strata --json list', async () => {
    const r = await project.ok(['--json', 'list'])
    assert.deepEqual(
      r.json.assets.map((a: { key: string }) => a.key),
      ['raw/a', 'b'],
    )
  })

  it('strata -f FILE list and strata --defs=FILE --json runs', async () => {
    const other = `import { asset, defineDefinitions } from 'strata-engine'
export default defineDefinitions({ assets: [asset({ key: 'other', compute: () => 1 })] })
`
    project.write('other/defs.ts', other)
    const r = await project.ok(['-f', 'other/defs.ts', 'list'])
    assert.match(r.stdout, /\bother\b/)
    assert.doesNotMatch(r.stdout, /raw\/a/)
    const runs = await project.ok(['--defs=other/defs.ts', '--json', 'runs'])
    assert.deepEqual(runs.json.runs, [])
  })

  it('strata --home DIR list, also with a subcommand', async () => {
    const home = join(project.dir, 'global-home')
    await project.ok(['--home', home, '--json', 'materialize'])
    const r = await project.ok(['--home', home, '--json', 'list'])
    assert.ok(r.json.assets.every((a: { status: string }) => a.status === 'FRESH'))
    const backfills = await project.ok(['--json', '--home', home, 'backfill', 'list'])
    assert.deepEqual(backfills.json.backfills, [])
    const runs = await project.ok([`--home=${home}`, 'runs', '--json'])
    assert.equal(runs.json.runs.length, 1)
  })

  it('--help before a command shows that command’s help', async () => {
    const r = await project.ok(['--help', 'gc'])
    assert.match(r.stdout, /strata gc/)
  })

  it('an unknown option before the command, or a missing value: STRATA_USAGE', async () => {
    expectOneCodedLine(await project.run(['--bogus', 'list']), 'STRATA_USAGE', /unknown option "--bogus" before the command/)
    expectOneCodedLine(await project.run(['--home']), 'STRATA_USAGE', /--home needs a value/)
  })
})
