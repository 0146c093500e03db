/**
 * The `partition_key_layouts` table and the rewrite of stored
 * multi-partition keys into the layout the definitions use (see the SQLite
 * twin for the algorithm). The rewrite runs in one transaction holding the
 * events lock and a layouts lock: the events lock keeps materializations and
 * events from being written with old keys meanwhile, the layouts lock makes
 * a second process wait, then find the layout recorded and rewrite nothing.
 */
import type { PartitionKeyLayout, PartitionKeyRewrite } from '../types.js'
import type { PgDb, Sql } from './db.js'
import { lockEvents } from './locks.js'
import { KEY_SOURCES, KEYED_HISTORY, KEYED_UNIQUE } from '../rows/key-layouts.js'

const renamed = (asset: string, key: string): string => `SELECT r.new_key FROM partition_key_renames r WHERE r.asset_key = ${asset} AND r.old_key = ${key}`
/** Parks a row under a key no real key can have (keys have no control characters). */
const PARK = 'chr(1)'

type Pending = Array<{ assetKey: string; recorded: string[] | null | undefined }>

async function pending(sql: Sql, expected: ReadonlyMap<string, readonly string[]>): Promise<Pending> {
  const rows = await sql.rows<{ asset_key: string; dimensions: string | null }>('SELECT asset_key, dimensions FROM partition_key_layouts')
  const recorded = new Map(rows.map((r) => [r.asset_key, r.dimensions === null ? null : (JSON.parse(r.dimensions) as string[])]))
  const out: Pending = []
  for (const [assetKey, dims] of expected) {
    const r = recorded.get(assetKey)
    if (r === undefined && !recorded.has(assetKey)) out.push({ assetKey, recorded: undefined })
    else if (r === null || JSON.stringify(r) !== JSON.stringify(dims)) out.push({ assetKey, recorded: r ?? null })
  }
  return out
}

async function storedKeys(tx: Sql, assetKeys: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(assetKeys.map((a) => [a, new Set<string>()]))
  for (const s of KEY_SOURCES) {
    const rows = await tx.rows<{ a: string; k: string }>(
      `SELECT DISTINCT ${s.asset} AS a, ${s.key} AS k FROM ${s.table} WHERE ${s.asset} = ANY($1::text[]) AND strpos(${s.key}, '|') > 0`,
      [[...assetKeys]],
    )
    for (const { a, k } of rows) out.get(a)!.add(k)
  }
  return out
}

async function record(tx: Sql, assetKey: string, dimensions: readonly string[], now: number): Promise<void> {
  await tx.exec(
    `INSERT INTO partition_key_layouts (asset_key, dimensions, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (asset_key) DO UPDATE SET dimensions = excluded.dimensions, updated_at = excluded.updated_at`,
    [assetKey, JSON.stringify(dimensions), now],
  )
}

async function rename(tx: Sql, renames: ReadonlyArray<readonly [string, string, string]>): Promise<void> {
  await tx.exec(`CREATE TEMP TABLE partition_key_renames (
    asset_key TEXT COLLATE "C" NOT NULL, old_key TEXT COLLATE "C" NOT NULL, new_key TEXT COLLATE "C" NOT NULL, PRIMARY KEY (asset_key, old_key)) ON COMMIT DROP`)
  await tx.exec('CREATE INDEX ON partition_key_renames (asset_key, new_key)')
  await tx.exec(`INSERT INTO partition_key_renames SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, [
    renames.map((r) => r[0]),
    renames.map((r) => r[1]),
    renames.map((r) => r[2]),
  ])
  const assets = 'SELECT DISTINCT asset_key FROM partition_key_renames'
  for (const { table, asset, key } of KEYED_HISTORY) {
    const to = renamed(`${table}.${asset}`, `${table}.${key}`)
    await tx.exec(`UPDATE ${table} SET ${key} = (${to}) WHERE ${asset} IN (${assets}) AND EXISTS (${to})`)
  }
  const chained = (await tx.one('SELECT 1 FROM partition_key_renames a JOIN partition_key_renames b ON b.asset_key = a.asset_key AND b.old_key = a.new_key LIMIT 1')) !== undefined
  const merged = (await tx.one('SELECT 1 FROM partition_key_renames GROUP BY asset_key, new_key HAVING count(*) > 1 LIMIT 1')) !== undefined
  for (const { table, group, recency } of KEYED_UNIQUE) {
    const to = renamed(`${table}.asset_key`, `${table}.partition_key`)
    const taken =
      (await tx.one(
        `SELECT 1 FROM ${table} t WHERE t.asset_key IN (${assets}) AND EXISTS (SELECT 1 FROM partition_key_renames r WHERE r.asset_key = t.asset_key AND r.new_key = t.partition_key) LIMIT 1`,
      )) !== undefined
    if (!chained && !merged && !taken) {
      await tx.exec(`UPDATE ${table} SET partition_key = (${to}) WHERE asset_key IN (${assets}) AND EXISTS (${to})`)
      continue
    }
    const g = group.replace(', ', ', x.')
    await tx.exec(
      `DELETE FROM ${table} WHERE (asset_key, partition_key${group}) IN (
         SELECT asset_key, partition_key${group} FROM (
           SELECT x.asset_key, x.partition_key${g},
                  row_number() OVER (PARTITION BY x.asset_key${g}, coalesce(r.new_key, x.partition_key) ORDER BY x.${recency} DESC, x.partition_key DESC) AS rn
           FROM ${table} x LEFT JOIN partition_key_renames r ON r.asset_key = x.asset_key AND r.old_key = x.partition_key
           WHERE x.asset_key IN (${assets})) ranked
         WHERE rn > 1)`,
    )
    // Two passes, so swapping keys (a|b ↔ b|a) never meets a unique key still held by the other row.
    await tx.exec(`UPDATE ${table} SET partition_key = ${PARK} || (${to}) WHERE asset_key IN (${assets}) AND EXISTS (${to})`)
    await tx.exec(`UPDATE ${table} SET partition_key = substr(partition_key, 2) WHERE asset_key IN (${assets}) AND substr(partition_key, 1, 1) = ${PARK}`)
  }
}

/** See Storage.upgradePartitionKeyLayouts. */
export async function upgradeLayouts(
  db: PgDb,
  expected: ReadonlyMap<string, readonly string[]>,
  plan: (layout: PartitionKeyLayout) => PartitionKeyRewrite | undefined,
  now: number,
): Promise<PartitionKeyRewrite[]> {
  // Read without locks first: on every open but the first, nothing is pending.
  if ((await pending(db.sql, expected)).length === 0) return []
  return db.transaction(async (tx) => {
    await lockEvents(tx, db.schema)
    await tx.exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`strata-layouts\u0001${db.schema}`])
    const todo = await pending(tx, expected)
    const stale = todo.filter((t) => t.recorded !== undefined)
    const keys = await storedKeys(tx, stale.map((t) => t.assetKey))
    const applied: PartitionKeyRewrite[] = []
    const renames: Array<[string, string, string]> = []
    for (const t of todo) {
      if (t.recorded === undefined) {
        await record(tx, t.assetKey, expected.get(t.assetKey)!, now)
        continue
      }
      const rewrite = plan({ assetKey: t.assetKey, dimensions: t.recorded, keys: [...keys.get(t.assetKey)!].sort() })
      if (!rewrite) continue
      for (const [from, to] of rewrite.renames) if (from !== to) renames.push([t.assetKey, from, to])
      await record(tx, t.assetKey, rewrite.dimensions, now)
      applied.push(rewrite)
    }
    if (renames.length) await rename(tx, renames)
    return applied
  })
}
