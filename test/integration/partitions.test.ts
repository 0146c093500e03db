// Partitioned assets through the real CLI on throwaway projects: building one
// partition, usage errors, the point-in-time guard of time-window mappings,
// per-partition staleness, multi-dimensional and dynamic partitions.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { expectExit, type CliResult, type Project, withProject, logLines } from './helpers.js'

const IN_PROCESS = ['--executor', 'in-process']

/** `status KEY --partitions --json` as partition → status. */
async function partitionStatuses(p: Project, key: string): Promise<Map<string, string>> {
  const r = await p.ok(['status', key, '--partitions', '--json'])
  assert.ok(Array.isArray(r.json?.partitions), `expected status --partitions --json output, got:\n${r.stdout}`)
  return new Map(r.json.partitions.map((x: { key: string; status: string }) => [x.key, x.status]))
}

/** Steps of a materialize --json result as `key[partition]` labels. */
function stepLabels(r: CliResult): string[] {
  assert.ok(r.json && Array.isArray(r.json.steps), `expected materialize --json output, got:\n${r.stdout}\n${r.stderr}`)
  return r.json.steps.map((s: { key: string; partitionKeys?: string[] }) => (s.partitionKeys?.length ? `${s.key}[${s.partitionKeys.join(',')}]` : s.key))
}

/** Exit 2 and one coded error: `… [CODE]` in text, `{"error": {"code", "message"}}` with --json. */
function expectUsageError(r: CliResult, code: string, ...patterns: RegExp[]): void {
  expectExit(r, 2)
  const json = r.args.includes('--json') ? (JSON.parse(r.stderr).error as { code: string; message: string }) : undefined
  if (json) assert.equal(json.code, code, `expected ${code} in:\n${r.stderr}`)
  else assert.match(r.stderr, new RegExp(`\\[${code}\\]`), `expected ${code} in:\n${r.stderr}`)
  for (const re of patterns) assert.match(json ? json.message : r.stderr, re)
}

const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2024-01-${String(from + i).padStart(2, '0')}`)

const HEADER = `import { appendFileSync, existsSync } from 'node:fs'
import { asset, defineDefinitions, dailyPartitions, timeWindowMapping, multiPartitions, staticPartitions, dynamicPartitions } from 'strata-engine'
const log = (line: string) => appendFileSync('log.txt', line + '\\n')
`

/** raw: daily over January 2024 (31 partitions); value 10 × day of month, +1000 when bump/DAY exists. */
const RAW = `const days = dailyPartitions({ start: '2024-01-01', end: '2024-02-01' })
export const raw = asset({
  key: 'raw',
  partitions: days,
  compute: (ctx) => {
    log('raw ' + ctx.partitionKey)
    return { day: ctx.partitionKey, v: Number(ctx.partitionKey!.slice(8)) * 10 + (existsSync('bump/' + ctx.partitionKey) ? 1000 : 0) }
  },
})
`

/** roll reads raw through `mapping` (source text) with extra input options. */
function rollDefs(mapping: string, extra = ''): string {
  return `${HEADER}${RAW}
export const roll = asset({
  key: 'roll',
  partitions: days,
  ins: { raw: { asset: raw, mapping: ${mapping}${extra ? `, ${extra}` : ''} } },
  compute: (ctx, { raw }) => {
    log('roll ' + ctx.partitionKey)
    const m = raw as unknown as Map<string, { day: string; v: number }>
    return { partition: ctx.partitionKey, isMap: m instanceof Map, keys: [...m.keys()], values: [...m.values()].map((x) => x.v) }
  },
})
export default defineDefinitions({ assets: [raw, roll] })
`
}

describe('partitions through the CLI', { concurrency: 2 }, () => {
  it('materialize --partition builds exactly that partition; missing or invalid partitions exit 2', () =>
    withProject(`${HEADER}${RAW}export default defineDefinitions({ assets: [raw] })\n`, async (p) => {
      const mat = await p.ok(['materialize', '--partition', '2024-01-05', '--json', ...IN_PROCESS])
      assert.equal(mat.json.status, 'SUCCESS')
      assert.deepEqual(stepLabels(mat), ['raw[2024-01-05]'])
      assert.equal(mat.json.steps[0].status, 'SUCCESS')
      assert.deepEqual(logLines(p), ['raw 2024-01-05'])

      const statuses = await partitionStatuses(p, 'raw')
      assert.equal(statuses.size, 31)
      assert.equal(statuses.get('2024-01-05'), 'FRESH')
      assert.deepEqual([...statuses].filter(([, s]) => s !== 'MISSING').map(([k]) => k), ['2024-01-05'])
      const summary = (await p.ok(['status', 'raw', '--json'])).json
      assert.equal(summary.partitioned, true)
      assert.equal(summary.total, 31)
      assert.deepEqual(summary.counts, { FRESH: 1, STALE: 0, MISSING: 30, FAILED: 0, IN_PROGRESS: 0 })
      const lin = (await p.ok(['lineage', 'raw', '--partition', '2024-01-05', '--json'])).json
      assert.equal(lin.partitionKey, '2024-01-05')
      assert.equal(lin.runId, mat.json.runId)
      assert.deepEqual(p.readObject(lin.location), { day: '2024-01-05', v: 50 })

      // A partitioned asset without --partition/--stale: the message says what to do.
      expectUsageError(await p.run(['materialize', ...IN_PROCESS]), 'STRATA_USAGE', /partitioned/, /--partition/, /--stale/, /strata backfill/)
      // A malformed key and a key past the end: the expected format and the range are named.
      for (const bad of ['2024-02-30', '01/05/2024', '2024-03-01']) {
        expectUsageError(await p.run(['materialize', '--partition', bad, ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY', new RegExp(bad.replace(/\//g, '\\/')), /YYYY-MM-DD/, /2024-01-01/, /2024-01-31/)
      }
      // A key that is fine in format but before the start.
      expectUsageError(await p.run(['materialize', '--partition', '2023-12-31', ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY', /2024-01-01/)
      // why --partition validates too.
      expectUsageError(await p.run(['why', 'raw', '--partition', '2024-13-01']), 'STRATA_INVALID_PARTITION_KEY', /YYYY-MM-DD/)

      // None of the rejected commands ran anything.
      assert.deepEqual(logLines(p), ['raw 2024-01-05'])
      const runs = (await p.ok(['runs', '--json'])).json
      assert.equal(runs.runs.length, 1, `one run recorded: ${JSON.stringify(runs)}`)
    }))

  it('point-in-time guard: startOffset -3, endOffset -1 passes exactly the 3 previous days', () =>
    withProject(rollDefs('timeWindowMapping({ startOffset: -3, endOffset: -1 })'), async (p) => {
      // Upstream partitions on both sides of the target exist: only the mapped ones may be read.
      await p.ok(['materialize', 'raw', '--partition', days(1, 15).join(','), '--json', ...IN_PROCESS])
      const mat = await p.ok(['materialize', 'roll', '--partition', '2024-01-10', '--partition', '2024-01-02', '--json', ...IN_PROCESS])
      assert.deepEqual(stepLabels(mat).sort(), ['roll[2024-01-02]', 'roll[2024-01-10]'])

      const lin = (await p.ok(['lineage', 'roll', '--partition', '2024-01-10', '--json'])).json
      assert.equal(lin.key, 'roll')
      assert.equal(lin.partitionKey, '2024-01-10')
      assert.deepEqual(
        lin.upstream.map((u: any) => [u.key, u.partitionKey, u.input]).sort(),
        [
          ['raw', '2024-01-07', 'raw'],
          ['raw', '2024-01-08', 'raw'],
          ['raw', '2024-01-09', 'raw'],
        ],
      )
      assert.deepEqual(p.readObject(lin.location), { partition: '2024-01-10', isMap: true, keys: ['2024-01-07', '2024-01-08', '2024-01-09'], values: [70, 80, 90] })

      // At the second partition the window is clamped to what exists: just the first day.
      const lin2 = (await p.ok(['lineage', 'roll', '--partition', '2024-01-02', '--json'])).json
      assert.deepEqual(lin2.upstream.map((u: any) => u.partitionKey), ['2024-01-01'])
      assert.deepEqual(p.readObject(lin2.location), { partition: '2024-01-02', isMap: true, keys: ['2024-01-01'], values: [10] })

      // Reading a future partition is refused at load time by every command...
      p.writeDefs(rollDefs('timeWindowMapping({ startOffset: -3, endOffset: 1 })'))
      for (const args of [['list', '--json'], ['materialize', 'roll', '--partition', '2024-01-10', ...IN_PROCESS]]) {
        expectUsageError(await p.run(args), 'STRATA_FUTURE_LEAK', /roll/, /raw/, /allowFuture/)
      }
      // ...unless explicitly allowed.
      p.writeDefs(rollDefs('timeWindowMapping({ startOffset: -3, endOffset: 1 })', 'allowFuture: true'))
      const list = await p.ok(['list', '--json'])
      assert.deepEqual(list.json.assets.map((a: any) => a.key).sort(), ['raw', 'roll'])
      const future = await p.ok(['materialize', 'roll', '--partition', '2024-01-10', '--json', ...IN_PROCESS])
      assert.equal(future.json.status, 'SUCCESS')
      const lin3 = (await p.ok(['lineage', 'roll', '--partition', '2024-01-10', '--json'])).json
      assert.deepEqual(p.readObject(lin3.location).keys, days(7, 11))
    }))

  it('per-partition staleness: a changed upstream partition makes exactly the mapped downstream partitions stale', () =>
    withProject(rollDefs('timeWindowMapping({ startOffset: -3, endOffset: -1 })'), async (p) => {
      const all = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      assert.equal(all.json.status, 'SUCCESS')
      assert.equal(all.json.steps.length, 62)
      for (const key of ['raw', 'roll']) {
        const s = await partitionStatuses(p, key)
        assert.deepEqual([...new Set(s.values())], ['FRESH'], `${key}: ${JSON.stringify([...s])}`)
      }

      // Same data again: nothing becomes stale (the data version is a content hash).
      await p.ok(['materialize', 'raw', '--partition', '2024-01-10', ...IN_PROCESS])
      assert.deepEqual([...new Set((await partitionStatuses(p, 'roll')).values())], ['FRESH'])

      // Different data for raw[2024-01-10].
      p.write('bump/2024-01-10', '')
      const re = await p.ok(['materialize', 'raw', '--partition', '2024-01-10', '--json', ...IN_PROCESS])
      assert.deepEqual(stepLabels(re), ['raw[2024-01-10]'])
      const raw = await partitionStatuses(p, 'raw')
      assert.deepEqual([...new Set(raw.values())], ['FRESH'])
      const roll = await partitionStatuses(p, 'roll')
      assert.equal(roll.size, 31)
      const stale = [...roll].filter(([, s]) => s !== 'FRESH')
      assert.deepEqual(stale, [
        ['2024-01-11', 'STALE'],
        ['2024-01-12', 'STALE'],
        ['2024-01-13', 'STALE'],
      ])
      const counts = (await p.ok(['status', 'roll', '--json'])).json.counts
      assert.deepEqual(counts, { FRESH: 28, STALE: 3, MISSING: 0, FAILED: 0, IN_PROGRESS: 0 })

      const why = (await p.ok(['why', 'roll', '--partition', '2024-01-12', '--json'])).json
      assert.equal(why.key, 'roll')
      assert.equal(why.partitionKey, '2024-01-12')
      assert.equal(why.status, 'STALE')
      assert.deepEqual(
        why.reasonDetails.map((r: any) => [r.kind, r.dep]),
        [['UPSTREAM_DATA_CHANGED', 'raw[2024-01-10]']],
      )
      assert.match(why.reasons.join('\n'), /raw\[2024-01-10\]/)
      const whyText = await p.ok(['why', 'roll', '--partition', '2024-01-12'])
      assert.match(whyText.stdout, /raw\[2024-01-10\]/)
      const fresh = (await p.ok(['why', 'roll', '--partition', '2024-01-14', '--json'])).json
      assert.equal(fresh.status, 'FRESH')
      assert.deepEqual(fresh.reasonDetails, [])

      // --stale rebuilds exactly the three stale partitions.
      const before = logLines(p).length
      const rebuilt = await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])
      assert.equal(rebuilt.json.status, 'SUCCESS')
      assert.deepEqual(stepLabels(rebuilt), ['roll[2024-01-11]', 'roll[2024-01-12]', 'roll[2024-01-13]'])
      assert.deepEqual(logLines(p).slice(before), ['roll 2024-01-11', 'roll 2024-01-12', 'roll 2024-01-13'])
      assert.deepEqual([...new Set((await partitionStatuses(p, 'roll')).values())], ['FRESH'])
      const lin = (await p.ok(['lineage', 'roll', '--partition', '2024-01-11', '--json'])).json
      assert.deepEqual(p.readObject(lin.location).values, [80, 90, 1100])
      // Nothing left to do.
      assert.equal((await p.ok(['materialize', '--stale', '--json', ...IN_PROCESS])).json.runId, null)
    }))

  it('multi-partitions with three dimensions: one key is materialized and reported', () =>
    withProject(
      `${HEADER}
const parts = multiPartitions({
  date: dailyPartitions({ start: '2024-01-01', end: '2024-01-04' }),
  region: staticPartitions(['us', 'eu']),
  kind: staticPartitions(['a', 'b']),
})
export const cube = asset({ key: 'cube', partitions: parts, compute: (ctx) => { log('cube ' + ctx.partitionKey); return { key: ctx.partitionKey } } })
export default defineDefinitions({ assets: [cube] })
`,
      async (p) => {
        const mat = await p.ok(['materialize', '--partition', '2024-01-01|a|us', '--json', ...IN_PROCESS])
        assert.equal(mat.json.status, 'SUCCESS')
        assert.deepEqual(stepLabels(mat), ['cube[2024-01-01|a|us]'])
        assert.deepEqual(logLines(p), ['cube 2024-01-01|a|us'])

        const status = (await p.ok(['status', 'cube', '--json'])).json
        assert.equal(status.total, 3 * 2 * 2)
        assert.deepEqual(status.counts, { FRESH: 1, STALE: 0, MISSING: 11, FAILED: 0, IN_PROGRESS: 0 })
        const statuses = await partitionStatuses(p, 'cube')
        assert.equal(statuses.size, 12)
        assert.equal(statuses.get('2024-01-01|a|us'), 'FRESH')
        assert.equal(statuses.get('2024-01-01|b|us'), 'MISSING')
        assert.equal(statuses.get('2024-01-03|b|eu'), 'MISSING')
        const text = await p.ok(['status', 'cube'])
        assert.match(text.stdout, /12 partitions/)
        const lin = (await p.ok(['lineage', 'cube', '--partition', '2024-01-01|a|us', '--json'])).json
        assert.deepEqual(p.readObject(lin.location), { key: '2024-01-01|a|us' })

        // Parts are in dimension-name order (date, kind, region); the declaration order is rejected with the right key.
        expectUsageError(await p.run(['materialize', '--partition', '2024-01-01|us|a', ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY', /dimension "kind"/, /did you mean 2024-01-01\|a\|us\?/)
        // Too few dimensions, or a value outside a dimension.
        expectUsageError(await p.run(['materialize', '--partition', '2024-01-01|us', ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY')
        expectUsageError(await p.run(['materialize', '--partition', '2024-01-01|a|asia', ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY', /asia/)
        assert.deepEqual(logLines(p), ['cube 2024-01-01|a|us'])
      },
    ))

  it('dynamic partitions: keys added with strata partitions add can be materialized; unknown names exit 2', () =>
    withProject(
      `${HEADER}
export const files = asset({ key: 'files', partitions: dynamicPartitions('uploads'), compute: (ctx) => { log('files ' + ctx.partitionKey); return { file: ctx.partitionKey } } })
export default defineDefinitions({ assets: [files] })
`,
      async (p) => {
        // No keys yet: the key is rejected.
        expectUsageError(await p.run(['materialize', '--partition', 'k1', ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY', /uploads/)

        const added = await p.ok(['partitions', 'add', 'uploads', 'k1', 'k2', '--json'])
        assert.deepEqual(added.json, { name: 'uploads', added: ['k1', 'k2'] })
        const again = await p.ok(['partitions', 'add', 'uploads', 'k2', '--json'])
        assert.deepEqual(again.json.added, [])
        assert.deepEqual((await p.ok(['partitions', 'list', '--json'])).json, { partitions: { uploads: ['k1', 'k2'] } })

        const mat = await p.ok(['materialize', '--partition', 'k1', '--json', ...IN_PROCESS])
        assert.equal(mat.json.status, 'SUCCESS')
        assert.deepEqual(stepLabels(mat), ['files[k1]'])
        assert.deepEqual(logLines(p), ['files k1'])
        const statuses = await partitionStatuses(p, 'files')
        assert.deepEqual([...statuses], [
          ['k1', 'FRESH'],
          ['k2', 'MISSING'],
        ])

        // An unknown dynamic partitions name, and a key never added.
        expectUsageError(await p.run(['partitions', 'add', 'nope', 'x']), 'STRATA_USAGE', /nope/, /uploads/)
        expectUsageError(await p.run(['materialize', '--partition', 'k3', ...IN_PROCESS]), 'STRATA_INVALID_PARTITION_KEY', /k1, k2/)
        assert.deepEqual((await p.ok(['partitions', 'list', '--json'])).json, { partitions: { uploads: ['k1', 'k2'] } })
      },
    ))
})
