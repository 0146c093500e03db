/**
 * Transaction-level advisory locks (released at COMMIT or ROLLBACK), keyed
 * by the schema so instances sharing a database never wait on each other.
 *
 * - The events lock: every transaction that appends events takes it before
 *   its first insert. Event ids come from a sequence, and sequences hand out
 *   ids in call order, not commit order: without the lock, a reader polling
 *   `afterId` could see id 11 committed, move its cursor past it, and never
 *   see id 10 committing a moment later. Under the lock, the transaction
 *   holding id 10 has committed (and is visible) before any other takes an
 *   id, so ids become visible in id order. Taken first in every transaction
 *   that takes it, so it never waits while holding a slot lock.
 * - Slot locks, one per (asset, partition): claimSlots decides from what it
 *   reads (an IN_PROGRESS holder, a newer materialization) and then writes;
 *   a row lock cannot cover a slot with no row yet, so the decision and the
 *   write are covered by a lock on the key instead. Taken in hash order, so
 *   two transactions locking overlapping sets cannot deadlock. Every slot
 *   lock sits under one schema-wide lock taken in shared mode; a write of
 *   many slots at once (more than MAX_SLOT_LOCKS) takes that one in
 *   exclusive mode instead, because one lock per slot for 100,000 slots
 *   would exhaust the server's lock table.
 */
import type { Sql } from './db.js'
import type { SlotKey } from '../types.js'
import { slotId } from '../slot-id.js'

export async function lockEvents(tx: Sql, schema: string): Promise<void> {
  await tx.exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`strata-events\u0001${schema}`])
}

/** Above this many slots in one transaction, the schema-wide slot lock is taken exclusively instead. */
export const MAX_SLOT_LOCKS = 32

export async function lockSlots(tx: Sql, schema: string, slots: readonly SlotKey[]): Promise<void> {
  if (slots.length === 0) return
  const all = `strata-slots\u0001${schema}`
  const keys = [...new Set(slots.map((s) => `strata-slot\u0001${schema}\u0001${s.assetKey}\u0001${s.partitionKey}`))]
  if (keys.length > MAX_SLOT_LOCKS) {
    await tx.exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [all])
    return
  }
  await tx.exec(`SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))`, [all])
  await tx.exec(
    `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h) s`,
    [keys],
  )
}

/** Slots as two parallel arrays, for `unnest($n::text[], $m::text[]) AS s(asset_key, partition_key)`, without duplicates. */
export function slotArrays(slots: readonly SlotKey[]): [string[], string[]] {
  const seen = new Set<string>()
  const assets: string[] = []
  const partitions: string[] = []
  for (const { assetKey, partitionKey } of slots) {
    const id = slotId(assetKey, partitionKey)
    if (seen.has(id)) continue
    seen.add(id)
    assets.push(assetKey)
    partitions.push(partitionKey)
  }
  return [assets, partitions]
}
