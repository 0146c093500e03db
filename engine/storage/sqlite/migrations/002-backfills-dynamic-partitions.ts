/**
 * Migration 002: backfills and dynamic partitions.
 *
 * - `backfills`: one row per backfill; JSON text for asset keys, the explicit
 *   partition list, options and the ids of the runs that executed it.
 * - `backfill_targets`: every (asset, partition) a backfill covers. The primary
 *   key (backfill_id, seq) keeps targets in insertion order without a sort;
 *   (backfill_id, asset_key, partition_key) is unique so updates find a target
 *   by key; (backfill_id, status) makes counting and status filters index-only.
 * - `dynamic_partitions`: keys of each dynamic partitions definition; the
 *   rowid gives insertion order, (name, partition_key) is unique.
 */
export const version = 2
export const name = 'backfills-dynamic-partitions'

export const sql = `
CREATE TABLE backfills (
  backfill_id      TEXT    PRIMARY KEY NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('REQUESTED', 'RUNNING', 'COMPLETED_SUCCESS', 'COMPLETED_FAILED', 'CANCELED')),
  selection        TEXT    NOT NULL,
  asset_keys       TEXT    NOT NULL,            -- JSON array
  from_key         TEXT,
  to_key           TEXT,
  partition_keys   TEXT,                        -- JSON array, NULL when not given
  options          TEXT    NOT NULL DEFAULT '{}', -- JSON object
  defs_path        TEXT    NOT NULL,
  pid              INTEGER NOT NULL,
  host             TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  interrupted      INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
  run_ids          TEXT    NOT NULL DEFAULT '[]' -- JSON array, oldest first
);
CREATE INDEX backfills_created ON backfills (created_at DESC);
CREATE INDEX backfills_status ON backfills (status);

CREATE TABLE backfill_targets (
  backfill_id    TEXT    NOT NULL REFERENCES backfills (backfill_id),
  seq            INTEGER NOT NULL,
  asset_key      TEXT    NOT NULL,
  partition_key  TEXT    NOT NULL DEFAULT '',
  status         TEXT    NOT NULL CHECK (status IN ('PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED')),
  run_id         TEXT,
  updated_at     INTEGER NOT NULL,
  error          TEXT,
  PRIMARY KEY (backfill_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX backfill_targets_key ON backfill_targets (backfill_id, asset_key, partition_key);
CREATE INDEX backfill_targets_status ON backfill_targets (backfill_id, status);

CREATE TABLE dynamic_partitions (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL,
  partition_key  TEXT    NOT NULL,
  added_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX dynamic_partitions_key ON dynamic_partitions (name, partition_key);
`
