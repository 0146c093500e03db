// Backfills through the real CLI: JSON shapes, self-dependent partitions run
// in order, kill -9 and resume (nothing finished is recomputed), retry of
// failed partitions only, and cancel from another process.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { expectExit, sleep, type CliResult, type Project, withProject, logLines } from './helpers.js'

const IN_PROCESS = ['--executor', 'in-process']
const STATUSES = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED'] as const

function countLines(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1)
  return counts
}

/** Daily keys from 2024-01-01, `n` of them. */
function dayKeys(n: number): string[] {
  const start = Date.UTC(2024, 0, 1)
  return Array.from({ length: n }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10))
}

function assertCounts(counts: any, expected: Partial<Record<(typeof STATUSES)[number] | 'total', number>>, what: string): void {
  const full = Object.fromEntries([...STATUSES, 'total'].map((s) => [s, (expected as any)[s] ?? 0]))
  full.total = expected.total ?? STATUSES.reduce((n, s) => n + (full[s] as number), 0)
  assert.deepEqual(counts, full, `${what}: counts ${JSON.stringify(counts)}`)
}

function backfillJson(r: CliResult): any {
  assert.ok(r.json && typeof r.json.backfillId === 'string', `expected backfill --json output, got:\n${r.stdout}\n${r.stderr}`)
  return r.json
}

async function listBackfills(p: Project): Promise<any[]> {
  const r = await p.ok(['backfill', 'list', '--json'])
  assert.ok(r.json && Array.isArray(r.json.backfills), `expected backfill list --json output, got:\n${r.stdout}`)
  return r.json.backfills
}

const HEADER = `import { appendFileSync, existsSync } from 'node:fs'
import { asset, defineDefinitions, dailyPartitions, timeWindowMapping, self } from 'strata-engine'
const log = (line: string) => appendFileSync('log.txt', line + '\\n')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
`

/** a (daily) → b (same partitions); each compute logs `asset partition` first, then sleeps. */
function twoAssets(end: string, sleepMs: number, aBody = ''): string {
  return `${HEADER}
const days = dailyPartitions({ start: '2024-01-01', end: '${end}' })
export const a = asset({ key: 'a', partitions: days, compute: async (ctx) => {
  log('a ' + ctx.partitionKey)
  ${aBody}
  await sleep(${sleepMs})
  return { day: ctx.partitionKey }
} })
export const b = asset({ key: 'b', partitions: days, ins: { a }, compute: async (ctx, { a }) => {
  log('b ' + ctx.partitionKey)
  await sleep(${sleepMs})
  return { from: a.day }
} })
export default defineDefinitions({ assets: [a, b] })
`
}

describe('backfills through the CLI', { concurrency: 2 }, () => {
  it('self-dependent running total over 30 days runs in order (pool, concurrency 2); JSON shapes of backfill, list and show', () =>
    withProject(
      `${HEADER}
const days = dailyPartitions({ start: '2024-01-01', end: '2024-02-01' })
export const total = asset({
  key: 'total',
  partitions: days,
  ins: { prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: -1 }) } },
  compute: (ctx, { prev }) => {
    const value = ((prev as number | undefined) ?? 0) + Number(ctx.partitionKey!.slice(8))
    log('total ' + ctx.partitionKey + ' ' + value)
    return value
  },
})
export default defineDefinitions({ assets: [total] })
`,
      async (p) => {
        const first = backfillJson(await p.ok(['backfill', 'total', '--from', '2024-01-01', '--to', '2024-01-30', '--json', '--concurrency', '2']))
        assert.match(first.backfillId, /^\S+$/)
        assert.equal(first.status, 'COMPLETED_SUCCESS')
        assert.equal(typeof first.target, 'string')
        assert.match(first.target, /2024-01-01\.\.2024-01-30/)
        assertCounts(first.counts, { SUCCESS: 30 }, 'first backfill')
        assert.equal(typeof first.runId, 'string')

        // In partition order, each value the sum of the days so far.
        const keys = dayKeys(30)
        assert.deepEqual(
          logLines(p),
          keys.map((k, i) => `total ${k} ${((i + 1) * (i + 2)) / 2}`),
        )
        const lin = (await p.ok(['lineage', 'total', '--partition', '2024-01-30', '--json'])).json
        assert.equal(p.readObject(lin.location), 465)
        assert.deepEqual(lin.upstream.map((u: any) => [u.key, u.partitionKey, u.input]), [['total', '2024-01-29', 'prev']])

        // A second backfill continues from the stored 2024-01-30.
        const second = backfillJson(await p.ok(['backfill', 'total', '--partitions', '2024-01-31', '--json', ...IN_PROCESS]))
        assert.equal(second.status, 'COMPLETED_SUCCESS')
        assertCounts(second.counts, { SUCCESS: 1 }, 'second backfill')
        assert.notEqual(second.backfillId, first.backfillId)
        assert.equal(logLines(p).at(-1), 'total 2024-01-31 496')

        const list = await listBackfills(p)
        assert.deepEqual(list.map((b) => b.id), [second.backfillId, first.backfillId], 'newest first')
        for (const b of list) {
          for (const field of ['id', 'status', 'target', 'counts']) assert.ok(field in b, `backfill list entry lacks ${field}: ${JSON.stringify(b)}`)
          assert.equal(b.status, 'COMPLETED_SUCCESS')
        }
        assertCounts(list[1].counts, { SUCCESS: 30 }, 'list')
        assert.equal(list[1].target, first.target)

        const show = (await p.ok(['backfill', 'show', first.backfillId, '--json'])).json
        assert.equal(show.id, first.backfillId)
        assert.equal(show.status, 'COMPLETED_SUCCESS')
        assertCounts(show.counts, { SUCCESS: 30 }, 'show')
        assert.deepEqual(show.runIds, [first.runId])
        assert.deepEqual(show.assets, [{ key: 'total', counts: show.counts }])
        assert.deepEqual(show.failed, [])
        assert.equal(show.interrupted, false)

        const status = (await p.ok(['status', 'total', '--json'])).json
        assert.deepEqual(status.counts, { FRESH: 31, STALE: 0, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 })
        // An unknown id: exit 2 (usage), with a hint.
        const unknown = expectExit(await p.run(['backfill', 'show', 'nope', '--json']), 2)
        assert.match(unknown.stderr, /STRATA_UNKNOWN_BACKFILL/)
        assert.match(unknown.stderr, /strata backfill list/)
      },
    ))

  it('kill -9 mid-backfill, then resume: completes and recomputes nothing that had finished', () =>
    withProject(twoAssets('2024-04-30', 20), async (p) => {
      const CONCURRENCY = 2
      const started = p.start(['backfill', '*', '--from', '2024-01-01', '--to', '2024-04-29', '--json', '--concurrency', String(CONCURRENCY)])
      let id: string | undefined
      let progress = 0
      const deadline = Date.now() + 30_000
      while (Date.now() < deadline && started.child.exitCode === null) {
        const list = await listBackfills(p)
        if (list[0]?.status === 'RUNNING' && list[0].counts.SUCCESS >= 20) {
          id = list[0].id
          progress = list[0].counts.SUCCESS
          break
        }
        await sleep(50)
      }
      if (!id) assert.fail(`the backfill never reported progress before ending: ${JSON.stringify(await started.result.catch((e) => String(e)))}`)
      started.child.kill('SIGKILL')
      const killed = await started.result
      assert.equal(killed.signal, 'SIGKILL', `expected the backfill to be killed, it exited ${killed.code}: ${killed.stdout}`)

      const firstLines = logLines(p)
      const total = 2 * 120
      assert.ok(firstLines.length < total, `killed midway: ${firstLines.length} of ${total} steps had started`)
      assert.ok(firstLines.length >= progress)

      const after = (await listBackfills(p))[0]
      assert.equal(after.id, id)
      assert.notEqual(after.status, 'RUNNING')
      assert.equal(after.interrupted, true, JSON.stringify(after))
      assert.equal(after.counts.IN_PROGRESS, 0, 'in-progress targets of the dead process are pending again')
      assert.ok(after.counts.SUCCESS >= progress && after.counts.SUCCESS < total, JSON.stringify(after.counts))
      const shown = (await p.ok(['backfill', 'show', id, '--json'])).json
      assert.equal(shown.interrupted, true)
      assert.equal(shown.runIds.length, 1)

      const resumed = backfillJson(await p.ok(['backfill', 'resume', id, '--json', '--concurrency', String(CONCURRENCY)]))
      assert.equal(resumed.backfillId, id)
      assert.equal(resumed.status, 'COMPLETED_SUCCESS')
      assertCounts(resumed.counts, { SUCCESS: total }, 'resumed')

      // Every (asset, partition) ran; only steps in flight at the kill ran twice: computing, or computed
      // and waiting for their group commit (never reported done), so started but not SUCCESS when killed.
      const lines = logLines(p)
      const counts = countLines(lines)
      const expected = dayKeys(120).flatMap((k) => [`a ${k}`, `b ${k}`])
      assert.deepEqual([...counts.keys()].sort(), expected.sort())
      const twice = [...counts].filter(([, n]) => n > 1)
      assert.ok(twice.every(([, n]) => n === 2), `ran more than twice: ${JSON.stringify(twice)}`)
      const inFlight = firstLines.length - after.counts.SUCCESS
      assert.ok(twice.length <= inFlight, `more steps re-ran than were in flight at the kill (${inFlight}: started, not recorded done): ${JSON.stringify(twice)}`)
      for (const [line] of twice) {
        assert.ok(firstLines.includes(line), `${line} ran twice but not before the kill`)
      }
      assert.equal(lines.length, total + twice.length)
      // Nothing that had started before the kill, other than those, ran again.
      const again = countLines(lines.slice(firstLines.length))
      for (const line of firstLines) if (again.has(line)) assert.ok(twice.some(([l]) => l === line))

      const list = await listBackfills(p)
      assert.equal(list[0].status, 'COMPLETED_SUCCESS')
      assert.equal(list[0].interrupted, false)
      for (const key of ['a', 'b']) {
        assert.deepEqual((await p.ok(['status', key, '--json'])).json.counts, { FRESH: 120, STALE: 0, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 })
      }
      const show = (await p.ok(['backfill', 'show', id, '--json'])).json
      assert.equal(show.runIds.length, 2)
    }))

  it('retry re-runs only the failed partition and the ones it blocked', () =>
    withProject(twoAssets('2024-01-11', 0, `if (ctx.partitionKey === '2024-01-05' && existsSync('fail-flag')) throw new Error('failing on purpose: fail-flag exists')`), async (p) => {
      p.write('fail-flag', '')
      const failed = await p.run(['backfill', '*', '--from', '2024-01-01', '--to', '2024-01-10', '--json', ...IN_PROCESS])
      expectExit(failed, 1)
      const fb = backfillJson(failed)
      assert.equal(fb.status, 'COMPLETED_FAILED')
      assertCounts(fb.counts, { SUCCESS: 18, FAILED: 1, SKIPPED: 1 }, 'failed backfill')
      const show = (await p.ok(['backfill', 'show', fb.backfillId, '--json'])).json
      assert.equal(show.status, 'COMPLETED_FAILED')
      assert.equal(show.failed.length, 1)
      assert.equal(show.failed[0].key, 'a')
      assert.equal(show.failed[0].partitionKey, '2024-01-05')
      assert.match(show.failed[0].error, /failing on purpose/)
      const perAsset = new Map<string, any>(show.assets.map((x: any) => [x.key, x.counts]))
      assertCounts(perAsset.get('a'), { SUCCESS: 9, FAILED: 1 }, 'a')
      assertCounts(perAsset.get('b'), { SUCCESS: 9, SKIPPED: 1 }, 'b')
      const text = await p.ok(['backfill', 'show', fb.backfillId])
      assert.match(text.stdout, /a\[2024-01-05\]/)
      const statuses = new Map<string, string>((await p.ok(['status', 'a', '--partitions', '--json'])).json.partitions.map((x: any) => [x.key, x.status]))
      assert.equal(statuses.get('2024-01-05'), 'FAILED')
      assert.equal(statuses.get('2024-01-04'), 'FRESH')

      const before = logLines(p).length
      rmSync(join(p.dir, 'fail-flag'))
      const retried = backfillJson(await p.ok(['backfill', 'retry', fb.backfillId, '--json', ...IN_PROCESS]))
      assert.equal(retried.backfillId, fb.backfillId)
      assert.equal(retried.status, 'COMPLETED_SUCCESS')
      assertCounts(retried.counts, { SUCCESS: 20 }, 'retried')
      assert.deepEqual(logLines(p).slice(before), ['a 2024-01-05', 'b 2024-01-05'])
      const list = await listBackfills(p)
      assert.equal(list.length, 1)
      assert.equal(list[0].status, 'COMPLETED_SUCCESS')
      for (const key of ['a', 'b']) {
        assert.deepEqual((await p.ok(['status', key, '--json'])).json.counts, { FRESH: 10, STALE: 0, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 })
      }
    }))

  it('cancel from a second process: the backfill ends CANCELED (exit 1) with the rest pending', () =>
    withProject(
      `${HEADER}
const days = dailyPartitions({ start: '2024-01-01', end: '2024-02-10' })
export const slow = asset({ key: 'slow', partitions: days, compute: async (ctx) => {
  log('slow ' + ctx.partitionKey)
  // Long enough that the cancel, two CLI start-ups away on a loaded machine, lands before the last partition.
  await sleep(500)
  return 1
} })
export default defineDefinitions({ assets: [slow] })
`,
      async (p) => {
        const started = p.start(['backfill', 'slow', '--from', '2024-01-01', '--to', '2024-02-09', '--json', '--concurrency', '1', ...IN_PROCESS])
        let id: string | undefined
        const deadline = Date.now() + 30_000
        while (Date.now() < deadline && started.child.exitCode === null) {
          const list = await listBackfills(p)
          if (list[0]?.status === 'RUNNING' && list[0].counts.SUCCESS >= 2) {
            id = list[0].id
            break
          }
          await sleep(50)
        }
        if (!id) assert.fail(`the backfill never reported progress: ${JSON.stringify(await started.result.catch((e) => String(e)))}`)
        const cancel = await p.ok(['backfill', 'cancel', id, '--json'])
        assert.equal(cancel.json.id, id)
        assert.equal(cancel.json.cancelRequested, true)

        const ended = expectExit(await started.result, 1)
        const result = backfillJson(ended)
        assert.equal(result.status, 'CANCELED')
        assert.equal(result.counts.total, 40)
        assert.ok(result.counts.PENDING > 0, `some partitions remain: ${JSON.stringify(result.counts)}`)
        assertCounts(result.counts, { SUCCESS: result.counts.SUCCESS, PENDING: 40 - result.counts.SUCCESS }, 'canceled')
        // Exactly the finished partitions ran.
        assert.equal(logLines(p).length, result.counts.SUCCESS)

        const show = (await p.ok(['backfill', 'show', id, '--json'])).json
        assert.equal(show.status, 'CANCELED')
        assert.deepEqual(show.counts, result.counts)
        const list = await listBackfills(p)
        assert.equal(list[0].status, 'CANCELED')
        const status = (await p.ok(['status', 'slow', '--json'])).json
        assert.equal(status.counts.FRESH, result.counts.SUCCESS)
        assert.equal(status.counts.MISSING, 40 - result.counts.SUCCESS)
        // Canceling again is a usage error.
        expectExit(await p.run(['backfill', 'cancel', id]), 2)
      },
    ))
})
