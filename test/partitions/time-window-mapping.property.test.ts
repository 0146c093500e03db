import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { timeWindowMapping } from '../../assets/partitions/index.js'
import { defArb, describeDef, implDef, nowAfter } from './arbitraries.js'
import { refExisting, refUpstream, type RefDef } from './reference.js'

const RUNS = Number(process.env.STRATA_PROPERTY_RUNS ?? 60)
const DAY = 86_400_000
const SPAN: Record<RefDef['gran'], number> = { hourly: DAY / 24, daily: DAY, weekly: 7 * DAY, monthly: 31 * DAY }

/** Two definitions (independent granularities and zones), a mapping's options, `now`, and picks of partitions. */
const caseArb = fc
  .tuple(defArb, defArb)
  .chain(([down, up]) =>
    fc.record({
      down: fc.constant(down),
      up: fc.constant({ ...up, start: up.start }),
      now: nowAfter(Math.max(down.start, up.start)),
      offsets: fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
      allowNonexistent: fc.boolean(),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    }),
  )
  .map(({ offsets, ...c }) => ({ ...c, startOffset: offsets[0], endOffset: offsets[1] }))

describe('timeWindowMapping matches the brute-force overlap reference', () => {
  it('upstreamFor(): keys and missing, over random granularities, offsets and zones', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const downs = refExisting(c.down, c.now)
        fc.pre(downs.length > 0)
        const chosen = [...new Set(c.picks.map((p) => downs[p % downs.length]!))].sort((a, b) => a.i - b.i)
        const mapping = timeWindowMapping({ startOffset: c.startOffset, endOffset: c.endOffset, allowNonexistent: c.allowNonexistent })
        const got = mapping.upstreamFor(
          chosen.map((w) => w.key),
          { downstream: implDef(c.down), upstream: implDef(c.up), now: new Date(c.now) },
        )
        const expected = refUpstream(c.down, c.up, chosen.map((w) => w.i), c.startOffset, c.endOffset, c.allowNonexistent, c.now)
        assert.deepEqual(got, expected, `${mapping.description}\n down ${describeDef(c.down, c.now)} keys ${chosen.map((w) => w.key)}\n up ${describeDef(c.up, c.now)}`)
      }),
      { numRuns: RUNS },
    )
  })

  it('downstreamFor() is the inverse of upstreamFor() on existing partitions', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const ups = refExisting(c.up, c.now)
        const downs = refExisting(c.down, c.now)
        fc.pre(ups.length > 0 && downs.length > 0)
        const u = ups[c.picks[0]! % ups.length]!
        // Only downstream windows near u can read it.
        const reach = (Math.max(Math.abs(c.startOffset), Math.abs(c.endOffset)) + 2) * SPAN[c.down.gran] + SPAN[c.up.gran]
        const candidates = downs.filter((d) => d.start < u.end + reach && d.end > u.start - reach)
        const expected = candidates
          .filter((d) => refUpstream(c.down, c.up, [d.i], c.startOffset, c.endOffset, false, c.now).keys.includes(u.key))
          .map((d) => d.key)
        const mapping = timeWindowMapping({ startOffset: c.startOffset, endOffset: c.endOffset, allowNonexistent: c.allowNonexistent })
        const got = mapping.downstreamFor([u.key], { downstream: implDef(c.down), upstream: implDef(c.up), now: new Date(c.now) })
        assert.deepEqual(got, expected, `${mapping.description} of ${u.key}\n down ${describeDef(c.down, c.now)}\n up ${describeDef(c.up, c.now)}`)
      }),
      { numRuns: RUNS },
    )
  })
})
