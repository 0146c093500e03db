// The definition's structure as version components, and how a change between
// two versions is worded.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asset, check, dailyPartitions, dataContract, self, staticPartitions, timeWindowMapping, type AssetDefinition } from '../../assets/index.js'
import type { PartitionMapping } from '../../assets/partitions/types.js'
import { describeDirect } from '../../engine/versioning/staleness.js'
import { structureComponents } from '../../engine/versioning/structure.js'
import { explainChange } from '../../engine/versioning/version-reasons.js'
import { describeChanges, diffComponents } from '../../engine/versioning/version-diff.js'

const days = dailyPartitions({ start: '2024-01-01', end: '2024-02-01' })
const events = asset({ key: 'raw/events', partitions: days, compute: () => 1 })
const other = asset({ key: 'raw/other', partitions: days, compute: () => 1 })

type Spec = Parameters<typeof asset>[0]
const rolling = (extra: Partial<Spec> = {}) =>
  asset({
    key: 'features/rolling',
    partitions: days,
    ins: { today: events, history: { asset: events, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) } },
    compute: () => 1,
    ...extra,
  } as Spec)

/** The reasons, worded, for going from `a` to `b`. */
function reasons(a: AssetDefinition<any>, b: AssetDefinition<any>): string[] {
  return (explainChange('v1', 'v2', structureComponents(a), structureComponents(b)) ?? []).map((r) => describeDirect(r))
}

describe('definition structure in the version', () => {
  it('names the input whose mapping, options or upstream changed', () => {
    const history = (mapping: PartitionMapping | undefined, more: { allowFuture?: boolean; allowMissing?: boolean } = {}) => ({ today: events, history: { asset: events, mapping, ...more } })
    const base = rolling()
    assert.deepEqual(reasons(base, rolling({ ins: history(timeWindowMapping({ startOffset: -7, endOffset: 0 }), { allowFuture: false }) })), ['mapping of input "history" changed: -7..-1 → -7..0'])
    assert.deepEqual(reasons(base, rolling({ ins: history(timeWindowMapping({ startOffset: -7, endOffset: -1 }), { allowMissing: true }) })), ['allowMissing of input "history" changed: false → true'])
    assert.deepEqual(reasons(base, rolling({ ins: history(undefined) })), ['mapping of input "history" changed: -7..-1 → default'])
    assert.deepEqual(reasons(base, rolling({ ins: { today: events, history: { asset: other, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) } } })), [
      'input "history" now reads raw/other (was raw/events)',
    ])
    assert.deepEqual(reasons(base, rolling({ ins: { today: events, past: { asset: events, mapping: timeWindowMapping({ startOffset: -7, endOffset: -1 }) } } })), ['input "history" renamed to "past"'])
    assert.deepEqual(reasons(base, rolling({ ins: { today: events } })), ['input "history" (raw/events) removed'])
  })

  it('reuses dependency reasons for upstreams added or removed', () => {
    const a = asset({ key: 'a', compute: () => 1 })
    const b = asset({ key: 'b', compute: () => 1 })
    const x1 = asset({ key: 'x', ins: { a }, compute: () => 1 })
    const x2 = asset({ key: 'x', ins: { a }, deps: [b], compute: () => 1 })
    const r = explainChange('v1', 'v2', structureComponents(x1), structureComponents(x2))!
    assert.deepEqual(r, [{ kind: 'DEPENDENCY_ADDED', dep: 'b' }])
    assert.deepEqual(explainChange('v1', 'v2', structureComponents(x2), structureComponents(x1)), [{ kind: 'DEPENDENCY_REMOVED', dep: 'b' }])
  })

  it('names partitions, backfill policy, checks, contracts and version inputs that changed', () => {
    const plain = asset({ key: 'p', compute: () => 1 })
    const c = (blocking: boolean) => check({ name: 'positive', blocking, fn: () => true })
    const contract = (min: number) => dataContract({ source: 's', fields: [{ name: 'x', type: 'number', min }] })
    const withAll = (o: { start?: string; batch?: number; blocking?: boolean; min?: number; hp?: number } = {}) =>
      asset({
        key: 'p',
        partitions: dailyPartitions({ start: o.start ?? '2024-01-01' }),
        backfillPolicy: o.batch ? { maxPartitionsPerStep: o.batch } : undefined,
        checks: [c(o.blocking ?? true), contract(o.min ?? 0)],
        versionInputs: { hp: { depth: o.hp ?? 6 } },
        compute: () => 1,
      })
    const base = withAll()
    const later = withAll({ start: '2024-02-01' })
    assert.deepEqual(reasons(base, later), [`partitions changed: ${base.partitions!.id} → ${later.partitions!.id}`])
    assert.notEqual(base.partitions!.id, later.partitions!.id)
    assert.deepEqual(reasons(base, withAll({ batch: 10 })), ['backfill policy changed: none → 10 partitions per step'])
    assert.deepEqual(reasons(base, withAll({ blocking: false })), ['check "positive" is now non-blocking'])
    assert.deepEqual(reasons(base, withAll({ min: 1 })), ['contract of check "contract:s" changed'])
    assert.deepEqual(reasons(base, withAll({ hp: 8 })), ['version input "hp" changed'])
    assert.deepEqual(reasons(plain, asset({ key: 'p', partitions: staticPartitions(['a', 'b']), compute: () => 1 })), [`now partitioned: ${staticPartitions(['a', 'b']).id}`])
    assert.deepEqual(reasons(asset({ key: 'p', checks: [c(true)], compute: () => 1 }), plain), ['check "positive" removed'])
    // Nothing changed: nothing to explain.
    assert.equal(explainChange('v1', 'v2', structureComponents(base), structureComponents(withAll())), undefined)
  })

  it('groups code changes by module, and words them for strata dev', () => {
    const before = { compute: 'c1', 'code:./lib.ts#factor': 'f1', 'code:./lib.ts#K': 'k1', 'package:arrow': '20.0.0', 'in:a': 'a', 'in:a:mapping': 'default' }
    const after = { compute: 'c1', 'code:./lib.ts#factor': 'f2', 'code:./lib.ts#scale': 's1', 'package:arrow': '21.0.0', 'in:a': 'a', 'in:a:mapping': '-1..-1' }
    const changes = diffComponents(before, after)
    assert.deepEqual(describeChanges(changes), ['code changed: package arrow 20.0.0 → 21.0.0; helper ./lib.ts (K, factor, scale)', 'mapping of input "a" changed: default → -1..-1'])
    const r = explainChange('v1', 'v2', before, after)!
    assert.deepEqual(r.map((x) => describeDirect(x, 'b')), ['b: code changed: package arrow 20.0.0 → 21.0.0; helper ./lib.ts (K, factor, scale)', 'b: mapping of input "a" changed: default → -1..-1'])
  })

  it('a self input keeps its own mapping in the version', () => {
    const total = (end: number) => asset({ key: 't', partitions: days, ins: { prev: { asset: self, mapping: timeWindowMapping({ startOffset: -1, endOffset: end }) } }, compute: () => 1 })
    assert.deepEqual(structureComponents(total(-1)), { 'in:prev': 'self', 'in:prev:mapping': '-1..-1', partitions: days.id })
    assert.deepEqual(reasons(total(-1), total(0)), ['mapping of input "prev" changed: -1..-1 → -1..0'])
  })
})
