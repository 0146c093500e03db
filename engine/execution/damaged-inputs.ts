/**
 * After a step failed because an object it reads is damaged or missing
 * (STRATA_CORRUPT_OBJECT, STRATA_MISSING_OBJECT): finds which of the
 * materializations it consumed have such an object, checking each against
 * its name, and records them, so their assets show STALE ("stored object …
 * is corrupt") and `materialize --stale` rebuilds them.
 */
import { findDamage } from '../io/checked-objects.js'
import type { ObjectStore } from '../io/object-stores/types.js'
import type { LineageEdge, Storage } from '../storage/types.js'

export const DAMAGED_INPUT_CODES: ReadonlySet<string> = new Set(['STRATA_CORRUPT_OBJECT', 'STRATA_MISSING_OBJECT'])

export async function recordDamagedInputs(storage: Storage, objects: ObjectStore, consumed: readonly LineageEdge[], now: number): Promise<number> {
  const ids = [...new Set(consumed.map((e) => e.upstreamMaterializationId))]
  const damage = new Map<string, string | undefined>()
  const rows: Array<{ materializationId: number; problem: string }> = []
  for (const id of ids) {
    const m = await storage.getMaterialization(id)
    if (!m) continue
    if (!damage.has(m.location)) damage.set(m.location, await findDamage(objects, m.location, m.bytes))
    const problem = damage.get(m.location)
    if (problem !== undefined) rows.push({ materializationId: id, problem })
  }
  await storage.markCorruptObjects(rows, now)
  return rows.length
}
