/**
 * The PostgreSQL side of `checkIntegrity`. The server guards its own pages
 * and enforces the foreign keys, so what is left to check is what the
 * constraints do not say: every latest pointer names a materialization of
 * its own (asset, partition), and every MATERIALIZED state names one.
 */
import type { Sql } from './db.js'

export async function integrityProblems(sql: Sql): Promise<string[]> {
  const problems: string[] = []
  const latest = await sql.rows<{ asset_key: string; partition_key: string; materialization_id: number }>(
    `SELECT l.asset_key, l.partition_key, l.materialization_id FROM latest_materializations l JOIN materializations m ON m.id = l.materialization_id
     WHERE m.asset_key <> l.asset_key OR m.partition_key <> l.partition_key LIMIT 100`,
  )
  for (const r of latest) problems.push(`latest_materializations: ${r.asset_key}[${r.partition_key}] points at materialization ${r.materialization_id} of another slot`)
  const states = await sql.rows<{ asset_key: string; partition_key: string }>(
    `SELECT asset_key, partition_key FROM partition_states WHERE state = 'MATERIALIZED' AND materialization_id IS NULL LIMIT 100`,
  )
  for (const r of states) problems.push(`partition_states: ${r.asset_key}[${r.partition_key}] is MATERIALIZED without a materialization`)
  return problems
}
