import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asset, defineDefinitions } from '../../assets/index.js'
import { AssetGraph } from '../../engine/graph/index.js'
import type { LatestMaterialization, LineageEdge } from '../../engine/storage/types.js'
import { computeStates, describeReason } from '../../engine/versioning/staleness.js'

let nextId = 1
function mat(key: string, codeVersion: string, dataVersion: string, consumed: LineageEdge[] = []): LatestMaterialization {
  return { id: nextId++, assetKey: key, partitionKey: '', runId: 'r', codeVersion, dataVersion, location: 'x', format: 'json', bytes: 1, metadata: {}, startedAt: 0, endedAt: 0, consumed }
}
const edge = (m: LatestMaterialization, inputName?: string): LineageEdge => ({
  upstreamMaterializationId: m.id,
  upstreamAssetKey: m.assetKey,
  upstreamPartitionKey: '',
  upstreamDataVersion: m.dataVersion,
  inputName,
})

function diamond() {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', compute: () => 2 })
  const c = asset({ key: 'c', ins: { a }, codeVersion: 'c1', compute: () => 3 })
  const d = asset({ key: 'd', ins: { b, c }, codeVersion: 'd1', compute: () => 4 })
  const defs = defineDefinitions({ assets: [a, b, c, d] })
  return { defs, order: AssetGraph.fromDefinitions(defs).topologicalOrder() }
}

function built() {
  const ma = mat('a', 'a1', 'A')
  const mb = mat('b', 'b1', 'B', [edge(ma, 'a')])
  const mc = mat('c', 'c1', 'C', [edge(ma, 'a')])
  const md = mat('d', 'd1', 'D', [edge(mb, 'b'), edge(mc, 'c')])
  return new Map([ma, mb, mc, md].map((m) => [m.assetKey, m]))
}

test('never materialized assets are MISSING and their downstream names the missing root', () => {
  const { defs, order } = diamond()
  const states = computeStates(defs, order, new Map())
  assert.equal(states.get('a')!.status, 'MISSING')
  assert.deepEqual(states.get('a')!.reasons, [{ kind: 'NEVER_MATERIALIZED' }])
  const d = states.get('d')!
  assert.equal(d.status, 'MISSING')
  const up = d.reasons.find((r) => r.kind === 'UPSTREAM_MISSING' && r.dep === 'b')
  assert.ok(up && 'rootCauses' in up && up.rootCauses.some((rc) => rc.key === 'a'))
})

test('everything built from current upstreams is FRESH', () => {
  const { defs, order } = diamond()
  const states = computeStates(defs, order, built())
  for (const k of ['a', 'b', 'c', 'd']) assert.equal(states.get(k)!.status, 'FRESH', k)
})

test('a code change makes the asset STALE and propagates a root cause downstream', () => {
  const { order } = diamond()
  const a = asset({ key: 'a', codeVersion: 'a2', compute: () => 1 })
  const b = asset({ key: 'b', ins: { a }, codeVersion: 'b1', compute: () => 2 })
  const c = asset({ key: 'c', ins: { a }, codeVersion: 'c1', compute: () => 3 })
  const d = asset({ key: 'd', ins: { b, c }, codeVersion: 'd1', compute: () => 4 })
  const defs = defineDefinitions({ assets: [a, b, c, d] })
  const states = computeStates(defs, order, built())
  assert.deepEqual(states.get('a')!.reasons, [{ kind: 'CODE_VERSION_CHANGED', previous: 'a1', current: 'a2' }])
  assert.equal(states.get('d')!.status, 'STALE')
  const text = states.get('d')!.reasons.map(describeReason).join('\n')
  assert.match(text, /upstream b is stale \(root cause: a: code version changed/)
})

test('an upstream with new data makes its direct downstream STALE with both versions', () => {
  const { defs, order } = diamond()
  const latest = built()
  latest.set('b', mat('b', 'b1', 'B2', latest.get('b')!.consumed))
  const states = computeStates(defs, order, latest)
  assert.equal(states.get('b')!.status, 'FRESH')
  assert.equal(states.get('c')!.status, 'FRESH')
  assert.deepEqual(states.get('d')!.reasons, [{ kind: 'UPSTREAM_DATA_CHANGED', dep: 'b', consumed: 'B', current: 'B2' }])
})

test('early cut-off: a re-materialization with the same data version leaves downstream FRESH', () => {
  const { defs, order } = diamond()
  const latest = built()
  latest.set('b', mat('b', 'b1', 'B', latest.get('b')!.consumed))
  assert.equal(computeStates(defs, order, latest).get('d')!.status, 'FRESH')
})

test('dependencies added and removed are reasons', () => {
  const a = asset({ key: 'a', codeVersion: 'a1', compute: () => 1 })
  const b = asset({ key: 'b', codeVersion: 'b1', compute: () => 1 })
  const x = asset({ key: 'x', ins: { b }, codeVersion: 'x1', compute: () => 1 })
  const defs = defineDefinitions({ assets: [a, b, x] })
  const ma = mat('a', 'a1', 'A')
  const mb = mat('b', 'b1', 'B')
  const mx = mat('x', 'x1', 'X', [edge(ma, 'a')])
  const states = computeStates(defs, ['a', 'b', 'x'], new Map([ma, mb, mx].map((m) => [m.assetKey, m])))
  const kinds = states.get('x')!.reasons.map((r) => r.kind).sort()
  assert.deepEqual(kinds, ['DEPENDENCY_ADDED', 'DEPENDENCY_REMOVED'])
  assert.match(states.get('x')!.reasons.map(describeReason).join(' '), /new dependency b.*dependency a was removed/)
})
