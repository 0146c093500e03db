// Keys and messages from storage or user code cannot drive the terminal: the
// CLI's text output shows control characters as visible escapes (`\x1b`),
// while --json output keeps the raw strings (JSON escapes them itself).
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { openStorage } from '../../engine/storage/index.js'
import { escapeForTerminal } from '../../ui-terminal/cli/output.js'
import { createProject, type CliResult, type Project } from './helpers.js'

const ESC = '\x1b'
/** Clears the screen and turns text red: what a hostile key would do if printed raw. */
const EVIL_KEY = `evil${ESC}[2J${ESC}[31m`
const SHOWN_KEY = 'evil\\x1b[2J\\x1b[31m'

const DEFS = `import { asset, defineDefinitions, dynamicPartitions } from 'strata-engine'
export const events = asset({ key: 'events', partitions: dynamicPartitions('regions'), compute: (ctx) => ctx.partitionKey })
export const noisy = asset({
  key: 'noisy',
  compute: (ctx) => {
    ctx.log.info('title change \\x1b]0;pwned\\x07 and a bell')
    throw new Error('bad \\x1b[2Jthing')
  },
})
export const lin = asset({ key: 'lin', compute: () => 1 })
export default defineDefinitions({ assets: [events, noisy, lin] })
`

/** No raw ESC, BEL or CSI anywhere in what the command printed (NO_COLOR is set, so Strata adds none). */
function expectNoControls(r: CliResult): void {
  assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, `raw control characters in the output of strata ${r.args.join(' ')}:\n${JSON.stringify(r.stdout + r.stderr)}`)
}

let project: Project
let failedRunId: string

before(async () => {
  project = createProject(DEFS)
  // A home written before partition keys were validated: a key with escape sequences is stored.
  await project.ok(['runs'])
  const db = new Database(join(project.home, 'strata.db'))
  try {
    const add = db.prepare('INSERT INTO dynamic_partitions (name, partition_key, added_at) VALUES (?, ?, ?)')
    add.run('regions', 'ok', 1)
    add.run('regions', EVIL_KEY, 2)
  } finally {
    db.close()
  }
  const r = await project.run(['materialize', 'noisy', '--json'])
  assert.equal(r.code, 1, r.stderr)
  failedRunId = r.json.runId
  // An asset key and a selection with escapes, as storage may hold them (from another definitions file, or by hand).
  const storage = await openStorage(project.home)
  try {
    await storage.createRun({ runId: 'seeded-run', selection: `sel${ESC}[2J`, stepKeys: [], defsPath: 'x.ts', pid: process.pid, host: hostname(), startedAt: Date.now() })
    const ghost = await storage.recordMaterialization(
      { assetKey: `gh${ESC}[31most`, partitionKey: '', runId: 'seeded-run', codeVersion: 'c', dataVersion: 'd1', location: 'objects/x', format: 'json', bytes: 1, metadata: {}, startedAt: 1, endedAt: 2 },
      [],
    )
    await storage.recordMaterialization(
      { assetKey: 'lin', partitionKey: '', runId: 'seeded-run', codeVersion: 'c', dataVersion: 'd2', location: 'objects/y', format: 'json', bytes: 1, metadata: {}, startedAt: 3, endedAt: 4 },
      [{ upstreamMaterializationId: ghost.id, upstreamAssetKey: ghost.assetKey, upstreamPartitionKey: '', upstreamDataVersion: 'd1', inputName: `in${ESC}[1m` }],
    )
    await storage.finishRun('seeded-run', 'SUCCESS', Date.now())
  } finally {
    await storage.close()
  }
})
after(() => project.cleanup())

describe('escapeForTerminal', () => {
  it('renders C0, DEL, C1 and bidi controls visibly and leaves other text alone', () => {
    assert.equal(escapeForTerminal(`a${ESC}[2Jb\x07\x7f\x9b\u202e`), 'a\\x1b[2Jb\\x07\\x7f\\x9b\\u202e')
    assert.equal(escapeForTerminal('line\nnext\ttab'), 'line\\nnext\\ttab')
    assert.equal(escapeForTerminal('line\nnext\r', { multiline: true }), 'line\nnext\\r')
    const plain = 'raw/events[2024-01-01|eu] → ünïcödé'
    assert.equal(escapeForTerminal(plain), plain)
  })
})

describe('text output escapes keys and messages from storage', { concurrency: 4 }, () => {
  it('strata partitions list', async () => {
    const r = await project.ok(['partitions', 'list'])
    expectNoControls(r)
    assert.ok(r.stdout.includes(`regions (2): ok, ${SHOWN_KEY}`), r.stdout)
  })

  it('strata status KEY --partitions', async () => {
    const r = await project.ok(['status', 'events', '--partitions'])
    expectNoControls(r)
    assert.ok(r.stdout.includes(SHOWN_KEY), r.stdout)
  })

  it('strata why KEY', async () => {
    const r = await project.ok(['why', 'events'])
    expectNoControls(r)
    assert.ok(r.stdout.includes(SHOWN_KEY), r.stdout)
  })

  it('strata list: the failure message of the last attempt', async () => {
    const r = await project.ok(['list'])
    expectNoControls(r)
    assert.ok(r.stdout.includes('bad \\x1b[2Jthing'), r.stdout)
  })

  it('strata logs RUN_ID: log lines and errors from user code', async () => {
    const r = await project.ok(['logs', failedRunId])
    expectNoControls(r)
    assert.ok(r.stdout.includes('title change \\x1b]0;pwned\\x07 and a bell'), r.stdout)
    assert.ok(r.stdout.includes('bad \\x1b[2Jthing'), r.stdout)
  })

  it('strata materialize: progress lines on stderr', async () => {
    const r = await project.ok(['materialize', 'noisy'], 1)
    expectNoControls(r)
    assert.ok(r.stderr.includes('title change \\x1b]0;pwned\\x07'), r.stderr)
    assert.ok(r.stderr.includes('bad \\x1b[2Jthing'), r.stderr)
  })

  it('strata runs and strata lineage: selections, asset keys and input names', async () => {
    const runs = await project.ok(['runs'])
    expectNoControls(runs)
    assert.ok(runs.stdout.includes('sel\\x1b[2J'), runs.stdout)
    const lineage = await project.ok(['lineage', 'lin'])
    expectNoControls(lineage)
    assert.ok(lineage.stdout.includes('gh\\x1b[31most'), lineage.stdout)
    assert.ok(lineage.stdout.includes('input in\\x1b[1m'), lineage.stdout)
  })

  it('error messages: an unknown partition', async () => {
    const r = await project.run(['why', 'events', '--partition', `x${ESC}[2J`])
    assert.equal(r.code, 2, r.stderr)
    expectNoControls(r)
  })

  it('--json keeps the raw strings', async () => {
    const r = await project.ok(['partitions', 'list', '--json'])
    assert.deepEqual(r.json.partitions.regions, ['ok', EVIL_KEY])
    assert.ok(!r.stdout.includes(ESC), 'JSON escapes control characters itself')
  })
})
