/** The tables and columns that hold stored partition keys, which a key-layout rewrite renames in both backends. */

/** Tables that record (asset, key) pairs without a uniqueness constraint on them. */
export const KEYED_HISTORY = [
  { table: 'materializations', asset: 'asset_key', key: 'partition_key' },
  { table: 'check_results', asset: 'asset_key', key: 'partition_key' },
  { table: 'events', asset: 'asset_key', key: 'partition_key' },
  { table: 'lineage_edges', asset: 'upstream_asset_key', key: 'upstream_partition_key' },
] as const

/**
 * Tables where the key is part of a unique key (with `group`). Two stored
 * keys could name the same partition in different orders; after the rewrite
 * only the most recent row (by `recency`) of such a pair stays.
 */
export const KEYED_UNIQUE = [
  { table: 'latest_materializations', group: '', recency: 'materialization_id' },
  { table: 'partition_states', group: '', recency: 'updated_at' },
  { table: 'latest_check_results', group: ', check_name', recency: 'result_id' },
  { table: 'backfill_targets', group: ', backfill_id', recency: 'updated_at' },
] as const

/** Where stored keys are read from (the latest_* tables only point into the history). */
export const KEY_SOURCES = [...KEYED_HISTORY, { table: 'partition_states', asset: 'asset_key', key: 'partition_key' }, { table: 'backfill_targets', asset: 'asset_key', key: 'partition_key' }]
