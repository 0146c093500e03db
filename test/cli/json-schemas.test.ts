// Every command's --json output, from real runs of the CLI on one project,
// validated against its schema under schemas/; and no "" where a value is
// absent. The last test checks that every schema was used.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { registerModel } from '../../engine/registry/index.js'
import { openStorage } from '../../engine/storage/index.js'
import { createProject, get, sleep, stepsByKey, type CliResult, type Project } from '../integration/helpers.js'
import { lineParser } from '../watch/helpers.js'
import { DEFS, SLOW_DEFS } from './fixture.js'
import { SCHEMA_NAMES, emptyStrings, expectSchema, validated } from './schemas.js'
import { createTestQueue, startWorker } from '../queue/helpers.js'

/** Conditions, a schedule, a file sensor and freshness policies: something for every automation output. */
const AUTOMATION_DEFS = `import { asset, dailyPartitions, defineDefinitions, eager, fileSensor, onCron, schedule } from 'strata-engine'
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-04' })
export const events = asset({ key: 'events', partitions: days, automation: eager({ lookback: 2 }), freshness: { maxLagMinutes: 60 }, compute: (ctx) => ctx.partitionKey })
export const report = asset({
  key: 'report',
  ins: { events },
  automation: onCron('0 6 * * *'),
  freshness: { maxLagMinutes: 24 * 60, cron: '0 9 * * *', timezone: 'America/New_York' },
  compute: (_c, { events }) => events.size,
})
export const plain = asset({ key: 'plain', automation: eager(), freshness: { maxLagMinutes: 60 }, compute: () => 1 })
export const unautomated = asset({ key: 'unautomated', compute: () => 2 })
export default defineDefinitions({
  assets: [events, report, plain, unautomated],
  schedules: [schedule({ name: 'nightly', cron: '0 2 * * *', target: 'report' })],
  sensors: [fileSensor({ name: 'inbox', path: 'inbox.txt', target: 'events' })],
})
`

let p: Project
let failedRun: CliResult

/** Runs `args` (adding --json), asserts the exit code, validates stdout against `schema` and finds no "". */
async function json(schema: string, args: string[], code = 0): Promise<any> {
  const r = await p.ok([...args, '--json'], code)
  assert.ok(r.json !== undefined, `strata ${args.join(' ')} --json printed no JSON:\n${r.stdout}\n${r.stderr}`)
  expectSchema(schema, r.json, `strata ${args.join(' ')} --json`)
  assert.deepEqual(emptyStrings(r.json), [], `strata ${args.join(' ')} --json has "" where null belongs`)
  return r.json
}

/** The error document on stderr of a command run with --json. */
async function jsonError(args: string[], code: number): Promise<{ code: string; message: string }> {
  const r = await p.ok([...args, '--json'], code)
  assert.equal(r.stdout, '', `nothing on stdout: ${r.stdout}`)
  const doc = JSON.parse(r.stderr)
  expectSchema('error', doc, `strata ${args.join(' ')} --json (stderr)`)
  return doc.error
}

before(async () => {
  p = createProject(DEFS)
  failedRun = await p.ok(['materialize', '--stale', '--json'], 1)
})
after(() => p.cleanup())

describe('--json output matches schemas/', () => {
  it('materialize: a failed run, a run with nothing to do, a partition', async () => {
    expectSchema('materialize', failedRun.json)
    assert.deepEqual(emptyStrings(failedRun.json), [])
    const steps = stepsByKey(failedRun)
    assert.deepEqual(get(steps, 'total').partitionKeys, [], 'an unpartitioned step has no partition keys')
    assert.equal(get(steps, 'total').skipReason, null)
    assert.equal(get(steps, 'total').error, null)
    assert.equal(get(steps, 'broken').error, 'boom')
    assert.equal(get(steps, 'after').blockedBy, 'broken')
    assert.equal(get(steps, 'after').dataVersion, null)

    const none = await json('materialize', ['materialize', 'raw/events', '--stale'])
    assert.deepEqual([none.runId, none.steps], [null, []], 'nothing ran: runId is null')
    const one = await json('materialize', ['materialize', 'raw/events', '--partition', '2024-01-02'])
    assert.deepEqual(one.steps.map((s: any) => s.partitionKeys), [['2024-01-02']])
  })

  it('list', async () => {
    const list = await json('list', ['list'])
    const broken = list.assets.find((a: any) => a.key === 'broken')
    assert.equal(broken.status, 'FAILED')
    assert.equal(broken.partitions, null)
    assert.equal(list.assets.find((a: any) => a.key === 'raw/events').partitions.total, 4)
  })

  it('why: fresh, failed, partitioned, one partition', async () => {
    await json('why', ['why', 'total'])
    assert.equal((await json('why', ['why', 'broken'])).failure.message, 'boom')
    const partitioned = await json('why', ['why', 'raw/events'])
    assert.equal(partitioned.partitions.total, 4)
    const one = await json('why', ['why', 'raw/events', '--partition', '2024-01-03'])
    assert.equal(one.partitionKey, '2024-01-03')
    assert.equal((await json('why', ['why', 'after'])).notFresh, null, 'unpartitioned: notFresh is null')
  })

  it('lineage: an asset, a partition, a materialization by id, a model version', async () => {
    const tree = await json('lineage', ['lineage', 'total'])
    assert.equal(tree.partitionKey, null)
    assert.deepEqual(tree.upstream.map((u: any) => u.partitionKey).sort(), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'])
    await json('lineage', ['lineage', 'raw/events', '--partition', '2024-01-01'])
    await json('lineage', ['lineage', 'total', '--materialization', String(tree.materializationId)])
    const model = await json('models-lineage', ['models', 'lineage', 'delay', '1'])
    assert.deepEqual([model.key, model.model], ['model', { name: 'delay', version: 1 }])
  })

  it('status: unpartitioned, failed, partitioned (with and without --partitions)', async () => {
    assert.equal((await json('status', ['status', 'total'])).partitions[0].key, null)
    assert.equal((await json('status', ['status', 'broken'])).failure.message, 'boom')
    const counts = await json('status', ['status', 'raw/events'])
    assert.equal(counts.partitions, null, 'partitions are listed only with --partitions')
    assert.equal((await json('status', ['status', 'raw/events', '--partitions'])).partitions.length, 4)
  })

  it('runs and logs', async () => {
    const runs = await json('runs', ['runs'])
    const failed = runs.runs.find((r: any) => r.runId === failedRun.json.runId)
    assert.deepEqual([failed.status, failed.backfillId, failed.tags], ['FAILURE', null, {}])
    const logs = await json('logs', ['logs', failedRun.json.runId])
    const runStart = logs.events.find((e: any) => e.type === 'RUN_START')
    assert.deepEqual([runStart.assetKey, runStart.partitionKey], [null, null])
    const totalStart = logs.events.find((e: any) => e.type === 'STEP_START' && e.assetKey === 'total')
    assert.equal(totalStart.partitionKey, null, 'an unpartitioned step: partitionKey null, not ""')
    assert.equal(logs.events.find((e: any) => e.type === 'STEP_START' && e.assetKey === 'raw/events').partitionKey.length, 10)
    await json('logs', ['logs', failedRun.json.runId, '--step', 'broken'])
  })

  it('backfill: a run, list, show; resume and retry of a finished one', async () => {
    const b = await json('backfill', ['backfill', 'raw/events', '--from', '2024-01-01', '--to', '2024-01-02'])
    assert.equal(b.counts.total, 2)
    const list = await json('backfill-list', ['backfill', 'list'])
    assert.equal(list.backfills[0].id, b.id)
    const show = await json('backfill-show', ['backfill', 'show', b.id])
    assert.deepEqual(show.runIds, [b.runId])
    // Nothing failed: retry has nothing to run.
    const retry = await json('backfill', ['backfill', 'retry', b.id])
    assert.deepEqual([retry.runId, retry.durationMs], [null, null], 'nothing ran: runId and durationMs are null')
  })

  it('backfill cancel of a backfill whose process was killed', async () => {
    const home = mkdtempSync(join(tmpdir(), 'strata-cli-cancel-'))
    try {
      p.write('slow.ts', SLOW_DEFS)
      const started = p.start(['backfill', 'slow', '--from', '2024-01-01', '--to', '2024-01-02', '-f', 'slow.ts', '--home', home])
      let stderr = ''
      started.child.stderr!.on('data', (c) => (stderr += c))
      for (let i = 0; i < 300 && !/Backfill (\w+) created/.test(stderr); i++) await sleep(100)
      const id = /Backfill (\w+) created/.exec(stderr)?.[1]
      assert.ok(id, `the backfill started: ${stderr}`)
      started.child.kill('SIGKILL')
      await started.result
      const canceled = await json('backfill-cancel', ['backfill', 'cancel', id, '-f', 'slow.ts', '--home', home])
      assert.equal(canceled.status, 'CANCELED')
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('partitions list, add, delete', async () => {
    assert.deepEqual((await json('partitions-change', ['partitions', 'add', 'region', 'eu', 'us'])).added, ['eu', 'us'])
    assert.deepEqual((await json('partitions-list', ['partitions', 'list'])).partitions, { region: ['eu', 'us'] })
    assert.deepEqual((await json('partitions-list', ['partitions', 'list', 'region'])).partitions, { region: ['eu', 'us'] })
    assert.deepEqual((await json('partitions-change', ['partitions', 'delete', 'region', 'us'])).deleted, ['us'])
  })

  it('models list, show, promote, rollback', async () => {
    const list = await json('models-list', ['models', 'list'])
    assert.deepEqual(list.models.map((m: any) => [m.name, m.version, m.stage, m.gatePassed]), [['delay', 1, 'production', true], ['weak', 1, 'development', false]])
    const show = await json('models-show', ['models', 'show', 'delay', '1'])
    assert.equal(show.lineage.inputs[0].partitionKey, null, 'an unpartitioned input: null, not ""')
    assert.deepEqual(show.gate, { passed: true, reasons: ['auc 0.8 ≥ 0.75'] })
    const s = await openStorage(p.home)
    try {
      await registerModel(s, { name: 'delay', metrics: { auc: 0.9 }, codeVersion: 'c2', artifact: 's3://models/delay/2', gate: { passed: true, reasons: [] } })
    } finally {
      await s.close()
    }
    const promoted = await json('models-promote', ['models', 'promote', 'delay', '2', 'production'])
    assert.deepEqual(promoted.replaced, { name: 'delay', version: 1, stage: 'archived' })
    assert.equal((await json('models-promote', ['models', 'promote', 'delay', '2', 'production'])).replaced, null)
    const rolled = await json('models-rollback', ['models', 'rollback', 'delay'])
    assert.deepEqual([rolled.production.version, rolled.archived.version], [1, 2])
  })

  it('serve prints one line once listening', async () => {
    const started = p.start(['serve', '--port', '0', '--json'])
    let stdout = ''
    started.child.stdout!.on('data', (c) => (stdout += c))
    try {
      for (let i = 0; i < 300 && !stdout.includes('\n'); i++) await sleep(100)
      assert.equal(stdout.trimEnd().split('\n').length, 1, `one line: ${stdout}`)
      const doc = JSON.parse(stdout)
      expectSchema('serve', doc)
      assert.deepEqual(doc.models.map((m: any) => [m.name, m.version, m.role]), [['delay', 1, 'production']])
    } finally {
      started.child.kill('SIGTERM')
      await started.result
    }
  })

  it('gc, with and without --dry-run', async () => {
    assert.equal((await json('gc', ['gc', '--dry-run'])).dryRun, true)
    assert.equal((await json('gc', ['gc'])).dryRun, false)
  })

  it('doctor, with and without --dry-run (a damaged home: test/cli/doctor.test.ts)', async () => {
    const dry = await json('doctor', ['doctor', '--dry-run'])
    assert.deepEqual([dry.dryRun, dry.healthy, dry.objects.corrupt], [true, true, []])
    assert.ok(dry.objects.checked > 0)
    assert.equal((await json('doctor', ['doctor'])).dryRun, false)
  })

  it('workers: a live worker of a queue', { timeout: 90_000 }, async () => {
    const q = await createTestQueue()
    const worker = await startWorker(q, DEFS, { concurrency: 1 })
    try {
      const listed = await json('workers', ['workers', '--queue', q.url])
      assert.deepEqual(listed.workers.map((w: any) => w.pid), [worker.pid])
    } finally {
      await worker.kill()
      await q.cleanup()
    }
  })

  it('init in a new folder', async () => {
    const report = await json('init', ['init', 'fresh'])
    assert.equal(report.createdDir, true)
    assert.ok(report.files.some((f: any) => f.file === 'definitions.ts' && f.action === 'created'))
  })

  it('dev: every event line, through a run, a broken save and a code change', { timeout: 180_000 }, async () => {
    const q = createProject(DEFS)
    const events: any[] = []
    const dev = q.start(['dev', '--auto', '--debounce', '100', '--json'])
    dev.child.stdout!.setEncoding('utf8').on('data', lineParser((e) => events.push(e)))
    const waitFor = async (what: string, ok: (e: any) => boolean, from = 0) => {
      for (let i = 0; i < 900; i++) {
        const found = events.slice(from).findIndex(ok)
        if (found >= 0) return from + found
        await sleep(100)
      }
      assert.fail(`no ${what} event: ${events.map((e) => e.type).join(' ')}`)
    }
    try {
      const firstRun = await waitFor('stale after the run', (e) => e.type === 'stale' && e.after === 'run')
      q.writeDefs(DEFS + '\nexport const oops = (\n')
      const broken = await waitFor('reload-error', (e) => e.type === 'reload-error', firstRun)
      q.writeDefs(DEFS.replace('events.size', 'events.size + 1'))
      const changed = await waitFor('code-changed', (e) => e.type === 'code-changed', broken)
      await waitFor('stale after the second run', (e) => e.type === 'stale' && e.after === 'run', changed)
    } finally {
      dev.child.kill('SIGINT')
      await dev.result
      q.cleanup()
    }
    for (const e of events) {
      expectSchema('dev-event', e, `strata dev --json: ${e.type}${e.type === 'run-event' ? ` ${e.event.type}` : ''}`)
      assert.deepEqual(emptyStrings(e), [], JSON.stringify(e))
    }
    const types = new Set(events.map((e) => (e.type === 'run-event' ? `run-event ${e.event.type}` : e.type)))
    for (const t of ['watching', 'reload-start', 'reload-ok', 'reload-error', 'code-changed', 'stale', 'run-start', 'run-event step-start', 'run-event step-end', 'run-end']) {
      assert.ok(types.has(t), `a ${t} event was validated`)
    }
    const failedStep = events.find((e) => e.type === 'run-event' && e.event.type === 'step-end' && e.event.result.status === 'FAILURE')
    assert.equal(failedStep.event.result.error.message, 'boom')
    assert.equal(events.find((e) => e.type === 'reload-error').code, 'STRATA_DEFINITIONS_LOAD')
    assert.equal(events.find((e) => e.type === 'run-end').error, null, 'a run that ended without an error of its own: null')
    assert.equal(events.find((e) => e.type === 'reload-ok').assets.find((a: any) => a.key === 'total').partitions, null)
  })

  it('automation: daemon events, automation list and why, freshness in list, why and status', { timeout: 180_000 }, async () => {
    const q = createProject(AUTOMATION_DEFS, { 'inbox.txt': 'one\n' })
    const run = async (schema: string, args: string[], opts: { env?: Record<string, string> } = {}) => {
      const r = await q.ok([...args, '--json'], 0, opts)
      assert.ok(r.json !== undefined, `strata ${args.join(' ')} --json printed no JSON:\n${r.stdout}\n${r.stderr}`)
      expectSchema(schema, r.json, `strata ${args.join(' ')} --json`)
      assert.deepEqual(emptyStrings(r.json), [], `strata ${args.join(' ')} --json has "" where null belongs`)
      return r.json
    }
    try {
      const daemon = await q.ok(['daemon', '--tick-once', '--json'], 0)
      const events = daemon.stdout.trim().split('\n').map((l) => JSON.parse(l))
      for (const e of events) {
        expectSchema('daemon-event', e, `strata daemon --json: ${e.type}`)
        assert.deepEqual(emptyStrings(e), [], JSON.stringify(e))
      }
      assert.deepEqual([...new Set(events.map((e) => e.type))], ['started', 'tick', 'launch', 'run-end', 'stopped'])
      assert.equal(events.find((e) => e.type === 'launch').partitionKeys, null, 'an unpartitioned asset: null, not a missing key')
      assert.equal(events.find((e) => e.type === 'run-end').status, 'SUCCESS')

      const list = await run('automation-list', ['automation', 'list'])
      assert.deepEqual(list.conditions.map((c: any) => [c.key, c.condition]), [['events', 'eager({ lookback: 2 })'], ['report', 'onCron("0 6 * * *")'], ['plain', 'eager()']])
      assert.deepEqual([list.schedules[0].name, list.sensors[0].name, list.sensors[0].kind], ['nightly', 'inbox', 'file'])
      assert.equal(list.requests[0].source, 'condition plain')
      assert.equal(list.requests[0].runStatus, 'SUCCESS')

      const plain = await run('automation-why', ['automation', 'why', 'plain'])
      assert.equal(plain.partition, null)
      assert.equal(plain.evaluations[0].request.runStatus, 'SUCCESS')
      assert.equal(plain.evaluations[0].partitions[0].key, null, 'an unpartitioned asset: null, not ""')
      const day = await run('automation-why', ['automation', 'why', 'events', '--partition', '2024-01-03'])
      assert.deepEqual([day.partition, day.targetedBy], ['2024-01-03', [{ kind: 'sensor', name: 'inbox' }]])
      assert.equal((await run('automation-why', ['automation', 'why', 'report'])).targetedBy[0].name, 'nightly')
      assert.equal((await run('automation-why', ['automation', 'why', 'unautomated'])).condition, null)

      const assets = (await run('list', ['list'])).assets
      const check = (key: string) => assets.find((a: any) => a.key === key).freshnessCheck
      assert.equal(check('plain').state, 'fresh')
      assert.deepEqual([check('events').state, check('events').partitionKey], ['never', '2024-01-03'])
      assert.equal(check('unautomated'), null)
      const later = { env: { STRATA_NOW: new Date(Date.now() + 3 * 3_600_000).toISOString() } }
      const late = (await run('why', ['why', 'plain'], later)).freshnessCheck
      assert.equal(late.state, 'late')
      assert.match(late.reason, /^last updated 3 h ago, allowed 1 h$/)
      assert.equal((await run('status', ['status', 'report'])).freshnessCheck.cron, '0 9 * * *')
      assert.equal((await run('status', ['status', 'events'])).freshnessCheck.state, 'never')
    } finally {
      q.cleanup()
    }
  })

  it('errors: one JSON line on stderr, the same exit codes', async () => {
    assert.equal((await jsonError(['materialze'], 2)).code, 'STRATA_USAGE')
    assert.equal((await jsonError(['logs', 'deadbeef'], 2)).code, 'STRATA_UNKNOWN_RUN')
    assert.equal((await jsonError(['backfill', 'show', 'nope'], 2)).code, 'STRATA_UNKNOWN_BACKFILL')
    assert.equal((await jsonError(['why', 'totl'], 2)).code, 'STRATA_UNKNOWN_ASSET')
    assert.equal((await jsonError(['models', 'promote', 'weak', '1', 'staging'], 2)).code, 'STRATA_GATE_FAILED')
    assert.equal((await jsonError(['materialize', 'total', '--partition', '2024-01-01'], 2)).code, 'STRATA_NOT_PARTITIONED')
  })

  // Last: the tests above run in order.
  it('every schema (but the shared definitions) was checked against real output', () => {
    assert.deepEqual(SCHEMA_NAMES.filter((n) => n !== 'common' && !validated.has(n)), [])
  })
})
