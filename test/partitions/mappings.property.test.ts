import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  allMapping,
  dailyPartitions,
  dimensionMapping,
  dynamicPartitions,
  identityMapping,
  lastMapping,
  multiMapping,
  multiPartitions,
  staticMapping,
  staticPartitions,
  timeWindowMapping,
} from '../../assets/partitions/index.js'
import type { MappingContext, PartitionMapping, PartitionsDefinition } from '../../assets/partitions/index.js'

const RUNS = Number(process.env.STRATA_PROPERTY_RUNS ?? 60)
const UNIVERSE = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
const now = new Date('2021-01-11T00:00:00Z')

/** A non-empty ordered subset of UNIVERSE (order shuffled). */
const keysArb = fc.shuffledSubarray(UNIVERSE, { minLength: 1 })

/** Brute force: every (down, up) pair related by `related`, read off in both directions. */
function bruteUpstream(downKeys: string[], up: string[], related: (d: string, u: string) => boolean, existing: (u: string) => boolean, candidates: string[]) {
  const hit = candidates.filter((u) => downKeys.some((d) => related(d, u)))
  const ordered = [...up.filter((u) => hit.includes(u)), ...hit.filter((u) => !up.includes(u))]
  return { keys: ordered.filter(existing), missing: ordered.filter((u) => !existing(u)) }
}

function check(mapping: PartitionMapping, ctx: MappingContext, downAll: string[], upAll: string[], related: (d: string, u: string) => boolean, picks: string[]) {
  const got = mapping.upstreamFor(picks, ctx)
  const existing = (u: string): boolean => upAll.includes(u)
  // Identity may require keys the upstream lacks; they are reported in the order asked.
  const candidates = mapping.kind === 'identity' ? [...new Set([...upAll, ...picks])] : upAll
  const expected = bruteUpstream(picks, upAll, related, existing, candidates)
  assert.deepEqual(got, expected, `${mapping.description} upstreamFor(${picks})`)
  for (const u of upAll) {
    const down = mapping.downstreamFor([u], ctx)
    assert.deepEqual(down, downAll.filter((d) => related(d, u)), `${mapping.description} downstreamFor(${u})`)
  }
}

describe('structural mappings match brute force', () => {
  it('identity, all, last and static mappings between static and dynamic partitions', () => {
    fc.assert(
      fc.property(
        keysArb,
        keysArb,
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom(...UNIVERSE), fc.array(fc.constantFrom(...UNIVERSE), { minLength: 1, maxLength: 3 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        (downKeys, upKeys, dynamicUp, edgesList, pickCount) => {
          const downstream = staticPartitions(downKeys)
          const upstream: PartitionsDefinition = dynamicUp ? dynamicPartitions('up') : staticPartitions(upKeys)
          const ctx: MappingContext = { downstream, upstream, now, dynamicKeys: { up: upKeys } }
          const picks = downKeys.slice(0, pickCount)
          check(identityMapping(), ctx, downKeys, upKeys, (d, u) => d === u, picks)
          check(allMapping(), ctx, downKeys, upKeys, () => true, picks)
          check(lastMapping(), ctx, downKeys, upKeys, (_, u) => u === upKeys.at(-1), picks)
          const edges = new Map<string, string[]>()
          for (const [u, ds] of edgesList) edges.set(u, [...new Set([...(edges.get(u) ?? []), ...ds])])
          const mapping = staticMapping(Object.fromEntries(edges))
          const got = mapping.upstreamFor(picks, ctx)
          const hit = [...edges.keys()].filter((u) => edges.get(u)!.some((d) => picks.includes(d)))
          const ordered = [...upKeys.filter((u) => hit.includes(u)), ...hit.filter((u) => !upKeys.includes(u))]
          assert.deepEqual(got, { keys: ordered.filter((u) => upKeys.includes(u)), missing: ordered.filter((u) => !upKeys.includes(u)) })
          for (const u of upKeys) {
            assert.deepEqual(mapping.downstreamFor([u], ctx), downKeys.filter((d) => edges.get(u)?.includes(d)))
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('multiMapping over three dimensions is the product of per-dimension brute force', () => {
    const daily = dailyPartitions({ start: '2021-01-03' })
    const dates = daily.keys({ now })
    fc.assert(
      fc.property(
        keysArb,
        keysArb,
        fc.tuple(fc.integer({ min: -3, max: 1 }), fc.integer({ min: -3, max: 1 })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }),
        (regions, kinds, [so, eo], picks) => {
          const down = multiPartitions({ date: daily, region: staticPartitions(regions), kind: staticPartitions(kinds) })
          const upKinds = kinds.slice(0, Math.max(1, kinds.length - 1))
          const up = multiPartitions({ date: daily, region: staticPartitions(regions), kind: staticPartitions(upKinds) })
          const mapping = multiMapping({ date: timeWindowMapping({ startOffset: so, endOffset: eo }) })
          const ctx = { downstream: down, upstream: up, now }
          // Keys order their parts by dimension name: date|kind|region.
          const downKeys = picks.map(([a, b, c]) => `${dates[a % dates.length]}|${kinds[c % kinds.length]}|${regions[b % regions.length]}`)
          const got = mapping.upstreamFor(downKeys, ctx)
          // Brute force over every upstream-shaped key: dates by offset window, other dimensions by identity.
          const expectedKeys: string[] = []
          const expectedMissing: string[] = []
          for (const d of dates) {
            for (const r of regions) {
              for (const k of kinds) {
                const reads = downKeys.some((dk) => {
                  const [dd, dkind, dr] = dk.split('|')
                  const n = dates.indexOf(dd!)
                  const i = dates.indexOf(d)
                  return dr === r && dkind === k && i >= n + so && i <= n + eo
                })
                if (!reads) continue
                ;(upKinds.includes(k) ? expectedKeys : expectedMissing).push(`${d}|${k}|${r}`)
              }
            }
          }
          assert.deepEqual(got.keys, up.keys({ now }).filter((k) => expectedKeys.includes(k)))
          assert.deepEqual(new Set(got.missing), new Set(expectedMissing))
          // downstreamFor: every downstream key whose upstream set contains u.
          const u = got.keys[0]
          if (u !== undefined) {
            const expectedDown = down.keys({ now }).filter((dk) => mapping.upstreamFor([dk], ctx).keys.includes(u))
            assert.deepEqual(mapping.downstreamFor([u], ctx), expectedDown)
          }
        },
      ),
      { numRuns: Math.max(10, Math.round(RUNS / 3)) },
    )
  })

  it('dimensionMapping relates a multi asset and a single-dimension one both ways', () => {
    const daily = dailyPartitions({ start: '2021-01-03' })
    const regions = staticPartitions(['us', 'eu', 'apac'])
    const multi = multiPartitions({ date: daily, region: regions })
    const ctxDown = { downstream: multi, upstream: daily, now }
    const m = dimensionMapping('date')
    for (const key of multi.keys({ now })) {
      const date = key.split('|')[0]!
      assert.deepEqual(m.upstreamFor([key], ctxDown), { keys: [date], missing: [] })
    }
    assert.deepEqual(m.downstreamFor(['2021-01-04'], ctxDown), ['2021-01-04|us', '2021-01-04|eu', '2021-01-04|apac'])
    const ctxUp = { downstream: daily, upstream: multi, now }
    assert.deepEqual(m.upstreamFor(['2021-01-04'], ctxUp), { keys: ['2021-01-04|us', '2021-01-04|eu', '2021-01-04|apac'], missing: [] })
    assert.deepEqual(m.downstreamFor(['2021-01-05|eu'], ctxUp), ['2021-01-05'])
    const regional = dimensionMapping('region')
    assert.deepEqual(regional.upstreamFor(['2021-01-04|eu', '2021-01-05|eu'], { downstream: multi, upstream: regions, now }), { keys: ['eu'], missing: [] })
  })
})
