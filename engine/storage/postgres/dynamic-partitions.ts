/** The `dynamic_partitions` table: keys of each dynamic partitions definition, in insertion order (id). */
import type { Sql } from './db.js'

/** Inserts keys not stored yet; returns those added, in the given order. */
export async function addDynamicPartitions(tx: Sql, name: string, keys: readonly string[], now: number): Promise<string[]> {
  // ON CONFLICT DO NOTHING: a key added meanwhile by another process is not added twice, and not reported as added here.
  const rows = await tx.rows<{ partition_key: string }>(
    `INSERT INTO dynamic_partitions (name, partition_key, added_at)
     SELECT $1, k, $2 FROM (SELECT DISTINCT ON (k) k, n FROM unnest($3::text[]) WITH ORDINALITY AS x(k, n) ORDER BY k, n) d ORDER BY n
     ON CONFLICT (name, partition_key) DO NOTHING
     RETURNING partition_key`,
    [name, now, [...keys]],
  )
  const added = new Set(rows.map((r) => r.partition_key))
  return [...new Set(keys)].filter((k) => added.has(k))
}

/** Deletes keys; returns those that were stored, in the given order. */
export async function deleteDynamicPartitions(tx: Sql, name: string, keys: readonly string[]): Promise<string[]> {
  const rows = await tx.rows<{ partition_key: string }>(`DELETE FROM dynamic_partitions WHERE name = $1 AND partition_key = ANY($2::text[]) RETURNING partition_key`, [name, [...keys]])
  const removed = new Set(rows.map((r) => r.partition_key))
  return [...new Set(keys)].filter((k) => removed.has(k))
}

/** Every definition's keys in insertion order, definitions sorted by name. */
export async function allDynamicPartitions(sql: Sql): Promise<Record<string, string[]>> {
  const byName = new Map<string, string[]>()
  for (const { name, partition_key } of await sql.rows<{ name: string; partition_key: string }>('SELECT name, partition_key FROM dynamic_partitions ORDER BY name, id')) {
    const keys = byName.get(name)
    if (keys) keys.push(partition_key)
    else byName.set(name, [partition_key])
  }
  // fromEntries defines own properties, so a definition named "__proto__" is just a key.
  return Object.fromEntries(byName)
}
