/** The `code_versions` table: the components of each recorded (asset, code version). */
import type { CodeVersionRecord } from '../types.js'
import type { Sql } from './db.js'
import { fromJson, toJson } from '../json.js'

/** Keeps the first record of each (asset, version): a version is a hash of its components, so later ones are the same. */
export async function insertCodeVersions(sql: Sql, records: readonly CodeVersionRecord[], now: number): Promise<void> {
  await sql.exec(
    `INSERT INTO code_versions (asset_key, code_version, components, recorded_at)
     SELECT a, v, c, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS r(a, v, c)
     ON CONFLICT (asset_key, code_version) DO NOTHING`,
    [records.map((r) => r.assetKey), records.map((r) => r.codeVersion), records.map((r) => toJson(r.components)), now],
  )
}

/** Recorded pairs among `pairs`, in the given order. */
export async function getCodeVersions(sql: Sql, pairs: ReadonlyArray<{ assetKey: string; codeVersion: string }>): Promise<CodeVersionRecord[]> {
  const rows = await sql.rows<{ asset_key: string; code_version: string; components: string }>(
    `SELECT c.asset_key, c.code_version, c.components
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(a, v, n) JOIN code_versions c ON c.asset_key = p.a AND c.code_version = p.v
     ORDER BY p.n`,
    [pairs.map((p) => p.assetKey), pairs.map((p) => p.codeVersion)],
  )
  return rows.map((r) => ({ assetKey: r.asset_key, codeVersion: r.code_version, components: fromJson<Record<string, string>>(r.components, {}) }))
}
