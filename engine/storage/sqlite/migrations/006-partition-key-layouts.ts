/**
 * Migration 006: which order the parts of each asset's multi-partition keys
 * are stored in.
 *
 * Multi-partition keys used to join their parts in the order the dimensions
 * were declared (`{ region, date }` → `us|2024-01-01`); they now join them in
 * dimension-name order, as Dagster does (`2024-01-01|us`). Stored keys must
 * follow, or every partition materialized before would look missing.
 *
 * SQL alone cannot reorder them: the database holds no dimension names, and a
 * key's parts do not say which dimension they belong to (`a|b` could be
 * either order of two static dimensions). Only the definitions know. So this
 * migration only records what it can know: `partition_key_layouts` gets one
 * row per asset that has a key with "|" anywhere (materializations, partition
 * states, backfill targets, check results, lineage edges' upstream keys,
 * events), with `dimensions` NULL, meaning "parts in the declaration order of
 * the definitions that wrote them". The first time the engine opens the home
 * with definitions (engine/partitions/key-upgrade.ts) it rewrites those keys
 * in every table, in one transaction, parsing each part against its
 * dimension, and records the dimension names in key order. From then on the
 * engine records the layout of every multi-partitioned asset it sees, so a
 * later change of dimension names that reorders keys is noticed too.
 */
export const version = 6
export const name = 'partition-key-layouts'

export const sql = `
CREATE TABLE partition_key_layouts (
  asset_key   TEXT    PRIMARY KEY NOT NULL,
  dimensions  TEXT,              -- JSON array of dimension names in key-part order; NULL: declaration order, names unknown
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO partition_key_layouts (asset_key, dimensions, updated_at)
SELECT DISTINCT asset_key, NULL, 0 FROM (
  SELECT asset_key, partition_key FROM materializations
  UNION ALL SELECT asset_key, partition_key FROM partition_states
  UNION ALL SELECT asset_key, partition_key FROM backfill_targets
  UNION ALL SELECT asset_key, partition_key FROM check_results
  UNION ALL SELECT upstream_asset_key, upstream_partition_key FROM lineage_edges
  UNION ALL SELECT asset_key, partition_key FROM events WHERE asset_key IS NOT NULL
)
WHERE instr(partition_key, '|') > 0;
`
