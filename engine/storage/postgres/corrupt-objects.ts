/** The `corrupt_objects` table: materializations whose stored object was found damaged. */
import type { CorruptObjectRecord } from '../types.js'
import type { Sql } from './db.js'

/** Through materializations: an id that names none is ignored rather than failing the caller's report. */
export async function markCorrupt(sql: Sql, rows: ReadonlyArray<{ materializationId: number; problem: string }>, now: number): Promise<void> {
  if (rows.length === 0) return
  await sql.exec(
    `INSERT INTO corrupt_objects (materialization_id, problem, detected_at)
     SELECT DISTINCT ON (m.id) m.id, r.problem, $3
     FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS r(id, problem, n) JOIN materializations m ON m.id = r.id
     ORDER BY m.id, r.n DESC
     ON CONFLICT (materialization_id) DO UPDATE SET problem = excluded.problem, detected_at = excluded.detected_at`,
    [rows.map((r) => r.materializationId), rows.map((r) => r.problem), now],
  )
}

export async function unmarkCorrupt(sql: Sql, materializationIds: readonly number[]): Promise<number> {
  if (materializationIds.length === 0) return 0
  return sql.exec('DELETE FROM corrupt_objects WHERE materialization_id = ANY($1::bigint[])', [[...materializationIds]])
}

/** Records of materializations that are still the latest of their slot, by asset then partition. */
export async function latestCorrupt(sql: Sql): Promise<CorruptObjectRecord[]> {
  return sql.rows<CorruptObjectRecord>(
    `SELECT c.materialization_id AS "materializationId", m.asset_key AS "assetKey", m.partition_key AS "partitionKey",
            m.location, c.problem, c.detected_at AS "detectedAt"
     FROM corrupt_objects c
     JOIN materializations m ON m.id = c.materialization_id
     JOIN latest_materializations l ON l.asset_key = m.asset_key AND l.partition_key = m.partition_key AND l.materialization_id = m.id
     ORDER BY m.asset_key, m.partition_key`,
  )
}
