// Property: any nested value (objects with odd keys such as "__proto__",
// arrays, Dates, Maps, Sets, BigInts, typed arrays, Buffers, NaN, ±Infinity,
// -0, undefined) stored and loaded again deep-strictly equals what was
// stored; a value with a part that cannot come back as it was (a boxed
// primitive, an array hole) is refused with STRATA_UNSUPPORTED_VALUE naming
// a path inside it. Plain JSON values are stored byte for byte as JSON.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import fc from 'fast-check'
import { loadValue, storeValue } from '../../engine/io/object-store.js'

const home = mkdtempSync(join(tmpdir(), 'strata-io-prop-'))
after(() => rmSync(home, { recursive: true, force: true }))

// deepStrictEqual never equates two invalid Dates, so the generated Dates are valid (values.test.ts covers invalid ones).
const leaves = [
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
  fc.float64Array({ maxLength: 4 }),
]

const storable = fc.anything({ values: leaves, maxDepth: 4, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withBigInt: true, withDate: false })

/** Whether a value holds a part the store must refuse: a boxed primitive or an array hole. */
function hasUnstorable(v: unknown, seen = new Set<unknown>()): boolean {
  if (typeof v !== 'object' || v === null || seen.has(v)) return false
  seen.add(v)
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return true
  if (Array.isArray(v)) {
    // A for loop, because some() skips holes.
    for (let i = 0; i < v.length; i++) if (!(i in v) || hasUnstorable(v[i], seen)) return true
    return false
  }
  if (v instanceof Map) return [...v].some(([k, x]) => hasUnstorable(k, seen) || hasUnstorable(x, seen))
  if (v instanceof Set) return [...v].some((x) => hasUnstorable(x, seen))
  if (ArrayBuffer.isView(v) || v instanceof Date) return false
  return Object.values(v).some((x) => hasUnstorable(x, seen))
}

describe('store and load, property-based', () => {
  it('any storable value comes back deep-strictly equal', async () => {
    await fc.assert(
      fc.asyncProperty(storable, async (value) => {
        const stored = await storeValue(home, value)
        assert.deepStrictEqual(await loadValue(home, stored.location, stored.format), value)
      }),
      { numRuns: 400 },
    )
  })

  it('a value with a boxed primitive or an array hole is refused with a path into it, and anything else round-trips', async () => {
    const risky = fc.anything({ values: leaves, maxDepth: 3, withMap: true, withSet: true, withBoxedValues: true, withSparseArray: true, withObjectString: true })
    let refused = 0
    await fc.assert(
      fc.asyncProperty(risky, async (value) => {
        const bad = hasUnstorable(value)
        let stored
        try {
          stored = await storeValue(home, value)
        } catch (err) {
          const e = err as { code?: string; message: string; details?: { path?: string } }
          assert.equal(e.code, 'STRATA_UNSUPPORTED_VALUE', e.message)
          assert.ok(bad, `refused a storable value: ${e.message}`)
          assert.match(e.details!.path!, /^value(?:[.[]|$)/)
          assert.ok(e.message.startsWith(`${e.details!.path}: `))
          refused++
          return
        }
        assert.ok(!bad, 'stored a value with a boxed primitive or an array hole')
        assert.deepStrictEqual(await loadValue(home, stored.location, stored.format), value)
      }),
      { numRuns: 400 },
    )
    assert.ok(refused > 0, 'the generator produced refusable values')
  })

  it('plain JSON values are stored as JSON.stringify writes them', async () => {
    await fc.assert(
      // Through JSON once, as fc.jsonValue() may hold -0, which JSON does not carry (and which is therefore tagged).
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown), async (value) => {
        const stored = await storeValue(home, value)
        assert.equal(readFileSync(join(home, stored.location), 'utf8'), JSON.stringify(value))
      }),
      { numRuns: 300 },
    )
  })
})
