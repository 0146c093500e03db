// The arity each mapping factory's return type promises (input-types.ts) is
// what the engine delivers at run time: a Map exactly when it is 'many', and
// no upstream partition at some downstream partition only when it is
// 'optional'. `arity` is checked against the factory's type by the compiler.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  allMapping,
  dailyPartitions,
  identityMapping,
  lastMapping,
  staticPartitions,
  staticMapping,
  timeWindowMapping,
  type MappingArity,
  type PartitionMapping,
  type PartitionsDefinition,
} from '../../assets/index.js'
import { isSingleValued } from '../../engine/partitions/mapping.js'

const now = new Date('2024-02-01T00:00:00Z')
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-11' })
const regions = staticPartitions(['eu', 'us'])

interface Row {
  name: string
  mapping: PartitionMapping
  arity: MappingArity
  down: PartitionsDefinition
  up: PartitionsDefinition
}
const rows: Row[] = []
function row<A extends MappingArity>(name: string, mapping: PartitionMapping<A>, arity: NoInfer<A>, down: PartitionsDefinition = days, up: PartitionsDefinition = days): void {
  rows.push({ name, mapping, arity, down, up })
}

row('timeWindowMapping()', timeWindowMapping(), 'one')
row('timeWindowMapping({ startOffset: 0, endOffset: 0 })', timeWindowMapping({ startOffset: 0, endOffset: 0 }), 'one')
row('timeWindowMapping({ endOffset: -1 })', timeWindowMapping({ endOffset: -1 }), 'optional')
row('timeWindowMapping({ startOffset: -2, endOffset: -2 })', timeWindowMapping({ startOffset: -2, endOffset: -2 }), 'optional')
row('timeWindowMapping({ startOffset: 1, endOffset: 1 })', timeWindowMapping({ startOffset: 1, endOffset: 1 }), 'optional')
row('timeWindowMapping({ startOffset: -7, endOffset: -1 })', timeWindowMapping({ startOffset: -7, endOffset: -1 }), 'many')
row('timeWindowMapping({ startOffset: -1 })', timeWindowMapping({ startOffset: -1 }), 'many')
row('timeWindowMapping({ endOffset: 2 })', timeWindowMapping({ endOffset: 2 }), 'many')
row('identityMapping()', identityMapping(), 'one')
row('lastMapping()', lastMapping(), 'one')
row('allMapping()', allMapping(), 'many')
row('staticMapping(...)', staticMapping({ eu: ['eu', 'us'] }), 'many', regions, regions)

describe('mapping factories type their inputs as the engine delivers them', () => {
  for (const r of rows) {
    it(`${r.name} is '${r.arity}'`, () => {
      const ctx = { downstream: r.down, upstream: r.up, now }
      const single = isSingleValued(r.down, r.up, r.mapping)
      assert.equal(single, r.arity !== 'many', 'a Map exactly when the type says many')
      if (!single) return
      const counts = r.down.keys({ now }).map((k) => r.mapping.upstreamFor([k], ctx).keys.length)
      assert.ok(counts.every((n) => n <= 1))
      assert.equal(counts.includes(0), r.arity === 'optional', `partitions with no upstream value: ${counts.join(',')}`)
    })
  }
})
