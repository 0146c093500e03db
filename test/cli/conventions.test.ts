// The CLI's conventions, through the real command: suggestions for typos,
// JSON errors, exit codes, global options before the command, --partition on
// an unpartitioned asset, gates in materialize's output, colour, --quiet and
// progress only on a terminal.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { STRATA_BIN, createProject, stepsByKey, type CliResult, type Project } from '../integration/helpers.js'
import { DEFS } from './fixture.js'

let p: Project
let failedRunId: string

/** Exit `code`, nothing on stdout, one line on stderr ending in [CODE]; returns that line. */
function oneCodedLine(r: CliResult, exit: number, code: string): string {
  const shown = `strata ${r.args.join(' ')}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
  assert.equal(r.code, exit, shown)
  assert.equal(r.stdout, '', shown)
  const lines = r.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `one line on stderr\n${shown}`)
  assert.ok(lines[0]!.endsWith(`[${code}]`), `ends in [${code}]\n${shown}`)
  return lines[0]!
}

/** With --json: one line on stderr, {"error": {"code", "message"}}. */
function jsonError(r: CliResult, exit: number, code: string): string {
  assert.equal(r.code, exit, r.stderr)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
  const { error } = JSON.parse(r.stderr)
  assert.deepEqual(Object.keys(error), ['code', 'message'])
  assert.equal(error.code, code)
  return error.message
}

const ESC = '\x1b['

before(async () => {
  p = createProject(DEFS)
  const r = await p.ok(['materialize', '--stale', '--json'], 1)
  failedRunId = r.json.runId
})
after(() => p.cleanup())

describe('typos get the closest suggestion, exit 2, without the whole help', { concurrency: 4 }, () => {
  it('a mistyped command', async () => {
    const line = oneCodedLine(await p.run(['materialze']), 2, 'STRATA_USAGE')
    assert.match(line, /unknown command "materialze"\. Did you mean "materialize"\?/)
    assert.doesNotMatch(line, /Commands:|list, materialize/)
    assert.match(oneCodedLine(await p.run(['mat']), 2, 'STRATA_USAGE'), /Did you mean "materialize"\?/, 'a unique prefix')
    assert.doesNotMatch(oneCodedLine(await p.run(['frobnicate']), 2, 'STRATA_USAGE'), /Did you mean/, 'nothing close: no guess')
  })

  it('a mistyped option', async () => {
    assert.match(oneCodedLine(await p.run(['materialize', '--stael']), 2, 'STRATA_USAGE'), /unknown option "--stael"\. Did you mean --stale\?/)
    assert.match(oneCodedLine(await p.run(['status', 'total', '--partition']), 2, 'STRATA_USAGE'), /unknown option "--partition"\. Did you mean --partitions\?/)
    assert.match(oneCodedLine(await p.run(['--hom', 'x', 'list']), 2, 'STRATA_USAGE'), /unknown option "--hom" before the command\. Did you mean --home\?/)
  })

  it('a mistyped subcommand', async () => {
    assert.match(oneCodedLine(await p.run(['backfill', 'lsit']), 2, 'STRATA_USAGE'), /unknown subcommand "lsit"\. Did you mean "list"\?/)
    assert.match(oneCodedLine(await p.run(['models', 'promte', 'delay', '1', 'staging']), 2, 'STRATA_USAGE'), /Did you mean "promote"\?/)
    assert.match(oneCodedLine(await p.run(['partitions', 'lst']), 2, 'STRATA_USAGE'), /Did you mean "list"\?/)
  })

  it('a mistyped asset key, model name or dynamic partitions name', async () => {
    for (const args of [['why', 'totl'], ['status', 'totl'], ['lineage', 'totl'], ['list', 'totl'], ['materialize', 'totl'], ['logs', failedRunId, '--step', 'totl']]) {
      assert.match(oneCodedLine(await p.run(args), 2, 'STRATA_UNKNOWN_ASSET'), /Did you mean "total"\?/, args.join(' '))
    }
    assert.match(oneCodedLine(await p.run(['models', 'show', 'dealy', '1']), 2, 'STRATA_UNKNOWN_MODEL'), /Did you mean "delay"\?/)
    assert.match(oneCodedLine(await p.run(['partitions', 'list', 'regoin']), 2, 'STRATA_USAGE'), /No dynamic partitions named "regoin"\. Did you mean "region"\?/)
  })
})

describe('exit codes and --json errors', { concurrency: 4 }, () => {
  it('unknown run, backfill and asset: 2; a failed run: 1', async () => {
    oneCodedLine(await p.run(['logs', 'deadbeef']), 2, 'STRATA_UNKNOWN_RUN')
    oneCodedLine(await p.run(['backfill', 'show', 'nope']), 2, 'STRATA_UNKNOWN_BACKFILL')
    oneCodedLine(await p.run(['backfill', 'resume', 'nope']), 2, 'STRATA_UNKNOWN_BACKFILL')
    oneCodedLine(await p.run(['backfill', 'cancel', 'nope']), 2, 'STRATA_UNKNOWN_BACKFILL')
    oneCodedLine(await p.run(['why', 'nope']), 2, 'STRATA_UNKNOWN_ASSET')
    await p.ok(['materialize', 'broken'], 1)
  })

  it('with --json the error is JSON on stderr, with the same exit code', async () => {
    assert.match(jsonError(await p.run(['materialze', '--json']), 2, 'STRATA_USAGE'), /Did you mean "materialize"\?/)
    assert.match(jsonError(await p.run(['--json', 'materialize', '--stael']), 2, 'STRATA_USAGE'), /Did you mean --stale\?/)
    jsonError(await p.run(['logs', 'deadbeef', '--json']), 2, 'STRATA_UNKNOWN_RUN')
    jsonError(await p.run(['why', 'totl', '--json']), 2, 'STRATA_UNKNOWN_ASSET')
    // A failed run is not an error document: the result is on stdout, exit 1.
    const failed = await p.ok(['materialize', 'broken', '--json'], 1)
    assert.equal(stepsByKey(failed).get('broken')?.error, 'boom')
  })

  it('a lineage with nothing to show is 1 (STRATA_NOT_FOUND), not a usage error', async () => {
    oneCodedLine(await p.run(['lineage', 'after']), 1, 'STRATA_NOT_FOUND')
  })
})

describe('global options before the command', { concurrency: 4 }, () => {
  it('-f/--defs, --home and --json work before the subcommand', async () => {
    const q = createProject()
    try {
      q.write('pipeline.ts', DEFS)
      const home = join(q.dir, 'state')
      await q.ok(['-f', 'pipeline.ts', '--home', home, 'materialize', '*total', '--stale', '--json'])
      const list = await q.ok(['--defs=pipeline.ts', `--home=${home}`, '--json', 'list'])
      assert.equal(list.json.assets.find((a: any) => a.key === 'total').status, 'FRESH')
      const why = await q.ok(['-f', 'pipeline.ts', '--home', home, 'why', 'total', '--json'])
      assert.equal(why.json.key, 'total')
    } finally {
      q.cleanup()
    }
  })
})

describe('--partition and selections', { concurrency: 4 }, () => {
  it('--partition on an unpartitioned asset: STRATA_NOT_PARTITIONED, exit 2, nothing runs', async () => {
    const before = (await p.ok(['runs', '--json'])).json.runs.length
    assert.match(oneCodedLine(await p.run(['materialize', 'total', '--partition', '2024-01-01']), 2, 'STRATA_NOT_PARTITIONED'), /"total" is not partitioned.*drop --partition/)
    oneCodedLine(await p.run(['materialize', 'total', 'model', '--partition', '2024-01-01']), 2, 'STRATA_NOT_PARTITIONED')
    oneCodedLine(await p.run(['why', 'total', '--partition', '2024-01-01']), 2, 'STRATA_NOT_PARTITIONED')
    oneCodedLine(await p.run(['lineage', 'total', '--partition', '2024-01-01']), 2, 'STRATA_NOT_PARTITIONED')
    assert.equal((await p.ok(['runs', '--json'])).json.runs.length, before, 'no run was recorded')
    // With a partitioned asset in the selection, --partition applies to it.
    await p.ok(['materialize', '*total', '--partition', '2024-01-02', '--json'])
  })

  it('a partitioned asset\'s lineage needs --partition', async () => {
    assert.match(oneCodedLine(await p.run(['lineage', 'raw/events']), 2, 'STRATA_USAGE'), /"raw\/events" is partitioned: .*--partition 2024-01-0\d/)
  })

  it('a selection matching nothing says so, with a did-you-mean', async () => {
    assert.match(oneCodedLine(await p.run(['materialize', 'group:rwa']), 2, 'STRATA_INVALID_SELECTION'), /no asset has group "rwa" \(groups: default, raw\)/)
    assert.match(oneCodedLine(await p.run(['list', 'raw/event*']), 2, 'STRATA_UNKNOWN_ASSET'), /Did you mean "raw\/events"\?/)
  })
})

describe('materialize prints each model registration with its gate', () => {
  it('text: name, version, stage, and the reasons of a gate that did not pass; JSON: the models entries carry the gate', async () => {
    const q = createProject(DEFS)
    try {
      const text = await q.ok(['materialize', '*model', '--stale'])
      assert.match(text.stdout, /^ {2}model delay v1 registered \(production\), gate passed$/m)
      assert.match(text.stdout, /^ {2}model weak v1 registered \(development\), gate did not pass: auc 0\.6 < 0\.75$/m)
      // Built again from the same code and inputs: identical retrains, each named with its gate.
      const json = await q.ok(['materialize', 'model', '--json'])
      assert.deepEqual(stepsByKey(json).get('model')?.models, [
        { name: 'delay', version: 1, stage: 'production', kind: 'existing', gate: { passed: true, reasons: ['auc 0.8 ≥ 0.75'] } },
        { name: 'weak', version: 1, stage: 'development', kind: 'existing', gate: { passed: false, reasons: ['auc 0.6 < 0.75'] } },
      ])
      assert.match((await q.ok(['materialize', 'model'])).stdout, /^ {2}model weak v1 unchanged \(identical retrain\), development, gate did not pass: auc 0\.6 < 0\.75$/m)
    } finally {
      q.cleanup()
    }
  })
})

// One at a time: these build the same asset.
describe('colour, --quiet and progress', () => {
  it('NO_COLOR and FORCE_COLOR: no colour in a pipe unless forced; FORCE_COLOR=0 and NO_COLOR turn it off', async () => {
    const plain = await p.ok(['list'], 0, { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } })
    assert.ok(!plain.stdout.includes(ESC), 'a pipe: no colour')
    const forced = await p.ok(['list'], 0, { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
    assert.ok(forced.stdout.includes(`${ESC}32m● FRESH`), forced.stdout)
    const error = await p.run(['why', 'totl'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
    assert.ok(error.stderr.startsWith(`${ESC}31merror${ESC}0m`), 'stderr is coloured too')
    for (const env of [{ FORCE_COLOR: '0' }, { NO_COLOR: '1', FORCE_COLOR: undefined }]) {
      const r = await p.ok(['list'], 0, { env })
      assert.ok(!r.stdout.includes(ESC), JSON.stringify(env))
    }
  })

  it('--quiet: a run that succeeds prints nothing; a failure prints only the failure and the summary', async () => {
    const ok = await p.ok(['materialize', 'total', '--quiet'])
    assert.deepEqual([ok.stdout, ok.stderr], ['', ''])
    const okBefore = await p.ok(['-q', 'materialize', 'total'])
    assert.deepEqual([okBefore.stdout, okBefore.stderr], ['', ''])
    const failed = await p.ok(['materialize', 'broken', 'after', '-q'], 1)
    assert.equal(failed.stderr.trim(), '✗ broken failed: boom')
    assert.match(failed.stdout, /^Run failed in .*: 0 materialized, 1 failed, 1 skipped/)
    const json = await p.ok(['materialize', 'total', '-q', '--json'])
    assert.equal(json.json.status, 'SUCCESS', 'the requested JSON is printed')
    assert.equal(json.stderr, '')
    const quietGc = await p.ok(['gc', '--quiet'])
    assert.deepEqual([quietGc.stdout, quietGc.stderr], ['', ''])
  })

  it('progress: plain lines in a pipe, the redrawn bar only on a terminal', async () => {
    const piped = await p.ok(['materialize', 'total'])
    assert.match(piped.stderr, /^✓ total /m)
    assert.ok(!piped.stderr.includes('\r') && !piped.stderr.includes('█') && !piped.stderr.includes('░'), 'no progress bar in a pipe')

    // script(1) gives the command a terminal that reports no size.
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(STRATA_BIN)} materialize total`
    const tty = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined }, timeout: 60_000 })
    if (tty.error) assert.fail('the terminal test needs script(1) from util-linux (apt-get install -y bsdutils)')
    assert.equal(tty.status, 0, tty.stdout)
    assert.match(tty.stdout, /\r\x1b\[2K░+ 0\/1 ✓0/, 'the bar is drawn on a terminal')
    assert.match(tty.stdout, /Run succeeded/)
  })
})
