// The lineage of any materialization and of any registered model version:
// `strata models lineage NAME VERSION` and `strata lineage KEY
// --materialization ID` trace the exact materialization that trained a
// version, after newer versions were trained on new data.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { registerModel } from '../../engine/registry/index.js'
import { openStorage } from '../../engine/storage/index.js'
import { createProject, type Project } from '../integration/helpers.js'

const DEFS = `import { readFileSync } from 'node:fs'
import { allMapping, asset, dailyPartitions, defineDefinitions } from 'strata-engine'
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-04' })
const data = () => JSON.parse(readFileSync(new URL('./data.json', import.meta.url), 'utf8'))

export const raw = asset({ key: 'raw', partitions: days, compute: (ctx) => data()[ctx.partitionKey] })
export const dataset = asset({ key: 'dataset', ins: { raw: { asset: raw, mapping: allMapping() } }, compute: (_ctx, { raw }) => [...raw.values()] })
export const model = asset({
  key: 'model',
  ins: { dataset },
  compute: (ctx, { dataset }) => {
    const weights = { sum: dataset.reduce((a, b) => a + b, 0) }
    ctx.registry.register({ name: 'delay', metrics: { sum: weights.sum }, gate: { passed: true, reasons: [] } })
    return weights
  },
})
export default defineDefinitions({ assets: [raw, dataset, model] })
`

const data = (values: [number, number, number]) => JSON.stringify({ '2024-01-01': values[0], '2024-01-02': values[1], '2024-01-03': values[2] })

interface Node {
  materializationId: number
  key: string
  partitionKey: string | null
  input: string | null
  runId: string
  codeVersion: string
  dataVersion: string
  isLatest: boolean
  latestDataVersion: string | null
  upstream: Node[]
  model?: { name: string; version: number }
}

async function materialize(p: Project): Promise<void> {
  await p.ok(['materialize', '--stale', '--json', '--executor', 'in-process'])
}

describe('lineage of a model version and of an earlier materialization', () => {
  it('traces version 1 to its own training materialization after version 2 was trained on new data', { timeout: 120_000 }, async () => {
    const p = createProject(DEFS, { 'data.json': data([1, 2, 3]) })
    try {
      await materialize(p)
      const first = (await p.ok(['lineage', 'model', '--json'])).json as Node
      p.write('data.json', data([1, 20, 3]))
      await p.ok(['materialize', 'raw', '--partition', '2024-01-02', '--json', '--executor', 'in-process'])
      await materialize(p)
      const second = (await p.ok(['lineage', 'model', '--json'])).json as Node
      assert.notEqual(second.materializationId, first.materializationId, 'the latest is the second training')
      const versions = (await p.ok(['models', 'list', 'delay', '--json'])).json.models.map((m: { version: number }) => m.version)
      assert.deepEqual(versions, [2, 1])

      const v1 = (await p.ok(['models', 'lineage', 'delay', '1', '--json'])).json as Node
      assert.deepEqual(v1.model, { name: 'delay', version: 1 })
      assert.equal(v1.materializationId, first.materializationId)
      assert.equal(v1.key, 'model')
      assert.equal(v1.isLatest, false)
      assert.equal(v1.latestDataVersion, second.dataVersion)
      // The same tree as strata lineage gave for that materialization when it was the latest, but for the isLatest flags.
      const { model: _, ...tree } = v1
      const unflag = (n: Node): unknown => ({ ...n, isLatest: null, latestDataVersion: null, upstream: n.upstream.map(unflag) })
      assert.deepEqual(unflag(tree as Node), unflag(first))
      const dataset = v1.upstream[0]!
      assert.equal(dataset.key, 'dataset')
      assert.equal(dataset.input, 'dataset')
      const raws = dataset.upstream.map((n) => [n.key, n.partitionKey, n.isLatest])
      assert.deepEqual(raws, [['raw', '2024-01-01', true], ['raw', '2024-01-02', false], ['raw', '2024-01-03', true]], 'the partition that changed since is not the latest')
      for (const n of dataset.upstream) assert.match(n.dataVersion, /^[0-9a-f]{12,}$/)
      assert.notEqual(dataset.upstream[1]!.dataVersion, dataset.upstream[1]!.latestDataVersion)

      const v2 = (await p.ok(['models', 'lineage', 'delay', '2', '--json'])).json as Node
      assert.equal(v2.materializationId, second.materializationId)
      assert.equal(v2.isLatest, true)
      assert.deepEqual(v2.upstream[0]!.upstream.map((n) => n.isLatest), [true, true, true])

      // strata lineage KEY --materialization ID: the same tree, without `model`.
      const byId = (await p.ok(['lineage', 'model', '--materialization', String(first.materializationId), '--json'])).json as Node
      assert.deepEqual(byId, tree)
      const rawId = dataset.upstream[1]!.materializationId
      const rawTree = (await p.ok(['lineage', 'raw', '--materialization', String(rawId), '--json'])).json as Node
      assert.equal(rawTree.partitionKey, '2024-01-02')

      // Text: the version, the materialization that trained it, and the tree with ids.
      const text = (await p.ok(['models', 'lineage', 'delay', '1'])).stdout
      assert.match(text, new RegExp(`^delay v1\\s+development\\s+registered .* by model #${first.materializationId}\\n`))
      assert.match(text, new RegExp(`model #${first.materializationId}\\s+data [0-9a-f]{12}`))
      assert.match(text, /raw\[2024-01-02\] #\d+ \(input raw\).*superseded: now data [0-9a-f]{12}/)
      assert.match((await p.ok(['lineage', 'model', '--materialization', String(first.materializationId)])).stdout, /superseded/)
    } finally {
      p.cleanup()
    }
  })

  it('unknown names, versions and ids are coded errors with exit 2; a version without a materialization has no lineage', { timeout: 120_000 }, async () => {
    const p = createProject(DEFS, { 'data.json': data([1, 2, 3]) })
    try {
      await materialize(p)
      const rawId = ((await p.ok(['lineage', 'raw', '--partition', '2024-01-01', '--json'])).json as Node).materializationId
      // One line on stderr with its code: text ends in [CODE]; with --json it is a JSON error document.
      const expectError = async (args: string[], exit: number, code: string, message: RegExp) => {
        const r = await p.ok(args, exit)
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`)
        assert.equal(r.stdout, '')
        let parsed: { code: string; message: string } | undefined
        try {
          parsed = JSON.parse(r.stderr).error
        } catch {
          parsed = undefined
        }
        if (args.includes('--json') && parsed) {
          assert.equal(parsed.code, code)
          assert.match(parsed.message, message)
        } else {
          assert.match(r.stderr, message)
          assert.ok(r.stderr.trim().endsWith(`[${code}]`), r.stderr)
        }
      }
      await expectError(['models', 'lineage', 'delay', '7', '--json'], 2, 'STRATA_UNKNOWN_MODEL', /Model "delay" has no version 7; its versions are 1\./)
      await expectError(['models', 'lineage', 'nope', '1'], 2, 'STRATA_UNKNOWN_MODEL', /No model named "nope"\. Registered models: delay\./)
      await expectError(['models', 'lineage', 'delay'], 2, 'STRATA_USAGE', /strata models lineage takes a model name and a version/)
      await expectError(['models', 'lineage', 'delay', 'x'], 2, 'STRATA_USAGE', /"x" is not a model version/)
      await expectError(['lineage', 'model', '--materialization', '999', '--json'], 2, 'STRATA_UNKNOWN_MATERIALIZATION', /No materialization 999 in .*\. The latest of "model": \d+\./)
      await expectError(['lineage', 'model', '--materialization', String(rawId)], 2, 'STRATA_UNKNOWN_MATERIALIZATION', new RegExp(`Materialization ${rawId} is of "raw", not "model"\\. Run: strata lineage raw --materialization ${rawId}`))
      await expectError(['lineage', 'model', '--materialization', '0'], 2, 'STRATA_USAGE', /--materialization must be a whole number ≥ 1/)
      await expectError(['lineage', 'raw', '--materialization', String(rawId), '--partition', '2024-01-01'], 2, 'STRATA_USAGE', /either --materialization ID .* or --partition KEY, not both/)

      const s = await openStorage(p.home)
      try {
        await registerModel(s, { name: 'delay', metrics: {}, codeVersion: 'c', artifact: 's3://models/delay/2', gate: { passed: true, reasons: [] } })
      } finally {
        await s.close()
      }
      await expectError(['models', 'lineage', 'delay', '2'], 1, 'STRATA_NOT_FOUND', /Model delay v2 was registered without a materialization /)
    } finally {
      p.cleanup()
    }
  })
})
