import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { defArb, describeDef, implDef, nowAround } from './arbitraries.js'
import { refExisting, refIndexAt, refTable } from './reference.js'

const RUNS = Number(process.env.STRATA_PROPERTY_RUNS ?? 60)

describe('time-window definitions match the brute-force reference', () => {
  it('keys(), window(), has() over random schedules, zones, starts, ends and endOffsets', () => {
    fc.assert(
      fc.property(
        defArb.chain((d) => fc.tuple(fc.constant(d), nowAround(d.start), fc.array(fc.nat(), { maxLength: 4 }))),
        ([d, now, picks]) => {
          const def = implDef(d)
          const expected = refExisting(d, now)
          const label = describeDef(d, now)
          const opts = { now: new Date(now) }
          assert.deepEqual(def.keys(opts), expected.map((w) => w.key), label)
          assert.equal(def.firstKey(opts), expected[0]?.key, `${label} firstKey`)
          assert.equal(def.lastKey(opts), expected.at(-1)?.key, `${label} lastKey`)
          if (expected.length === 0) assert.ok(now < d.start + 70 * 24 * 3_600_000 && (def.firstAvailableAt()?.getTime() ?? Infinity) > now, `${label} firstAvailableAt`)
          else assert.ok(def.firstAvailableAt()!.getTime() <= now, `${label} firstAvailableAt`)
          const sample = [expected[0], expected.at(-1), ...picks.map((p) => expected[p % Math.max(1, expected.length)])].filter((w) => w !== undefined)
          for (const w of sample) {
            const got = def.window(w.key)
            assert.deepEqual([got.start.getTime(), got.end.getTime()], [w.start, w.end], `${label} window(${w.key})`)
            assert.equal(def.has(w.key, opts), true)
            def.validateKey(w.key, opts)
          }
          // Neighbouring keys just outside the range do not exist.
          const table = refTable(d)
          const first = expected[0]?.i ?? table.ticks.findIndex((t) => t >= d.start)
          const outside = [first - 1, (expected.at(-1)?.i ?? first - 1) + 1].filter((i) => i >= 0 && i + 1 < table.ticks.length)
          for (const i of outside) {
            assert.equal(def.has(table.key(i), opts), false, `${label} has(${table.key(i)})`)
            assert.throws(() => def.validateKey(table.key(i), opts), /Invalid partition key/, `${label} validateKey(${table.key(i)})`)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('keyForTime(), nextKey() and previousKey() agree with the reference', () => {
    fc.assert(
      fc.property(
        defArb.chain((d) => fc.tuple(fc.constant(d), nowAround(d.start), fc.integer({ min: -3 * 24 * 60, max: 55 * 24 * 60 }))),
        ([d, now, offsetMinutes]) => {
          const def = implDef(d)
          const expected = refExisting(d, now)
          const t = d.start + offsetMinutes * 60_000
          const i = refIndexAt(d, t)
          const hit = expected.find((w) => w.i === i)
          const opts = { now: new Date(now) }
          assert.equal(def.keyForTime(new Date(t), opts), hit?.key, `${describeDef(d, now)} keyForTime(${new Date(t).toISOString()})`)
          if (hit) {
            const pos = expected.indexOf(hit)
            assert.equal(def.nextKey(hit.key, opts), expected[pos + 1]?.key)
            assert.equal(def.previousKey(hit.key, opts), expected[pos - 1]?.key)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })
})
