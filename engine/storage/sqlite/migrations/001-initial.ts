/**
 * Migration 001: the initial schema.
 *
 * - `runs`: one row per run; JSON text for step keys and tags.
 * - `events`: the append-only event log (AUTOINCREMENT ids never reused).
 * - `materializations`: every stored output, partition_key '' when unpartitioned.
 * - `lineage_edges`: upstream materializations each materialization consumed.
 * - `latest_materializations`: (asset, partition) → newest materialization id,
 *   so staleness reads are primary-key lookups rather than scans.
 * - `partition_states`: execution state per (asset, partition), maintained
 *   incrementally and indexed by (asset_key, state) for fast counting.
 */
export const version = 1
export const name = 'initial'

export const sql = `
CREATE TABLE runs (
  run_id       TEXT    PRIMARY KEY NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILURE', 'CANCELED')),
  selection    TEXT    NOT NULL,
  step_keys    TEXT    NOT NULL,            -- JSON array
  defs_path    TEXT    NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT    NOT NULL,
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  backfill_id  TEXT,
  tags         TEXT    NOT NULL DEFAULT '{}' -- JSON object
);
CREATE INDEX runs_started ON runs (started_at DESC);
CREATE INDEX runs_status_started ON runs (status, started_at DESC);
CREATE INDEX runs_backfill ON runs (backfill_id) WHERE backfill_id IS NOT NULL;

CREATE TABLE events (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id         TEXT    NOT NULL REFERENCES runs (run_id),
  ts             INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  asset_key      TEXT,
  partition_key  TEXT,
  level          TEXT,
  message        TEXT,
  data           TEXT                        -- JSON object
);
CREATE INDEX events_run_id ON events (run_id, id);

CREATE TABLE materializations (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  asset_key      TEXT    NOT NULL,
  partition_key  TEXT    NOT NULL DEFAULT '',
  run_id         TEXT    NOT NULL REFERENCES runs (run_id),
  code_version   TEXT    NOT NULL,
  data_version   TEXT    NOT NULL,
  location       TEXT    NOT NULL,
  format         TEXT    NOT NULL CHECK (format IN ('json', 'arrow')),
  bytes          INTEGER NOT NULL,
  metadata       TEXT    NOT NULL DEFAULT '{}', -- JSON object
  started_at     INTEGER NOT NULL,
  ended_at       INTEGER NOT NULL
);
CREATE INDEX materializations_asset ON materializations (asset_key, id);
CREATE INDEX materializations_asset_partition ON materializations (asset_key, partition_key, id);
CREATE INDEX materializations_run ON materializations (run_id);

CREATE TABLE lineage_edges (
  id                         INTEGER PRIMARY KEY,
  materialization_id         INTEGER NOT NULL REFERENCES materializations (id),
  upstream_materialization_id INTEGER NOT NULL REFERENCES materializations (id),
  upstream_asset_key         TEXT    NOT NULL,
  upstream_partition_key     TEXT    NOT NULL DEFAULT '',
  upstream_data_version      TEXT    NOT NULL,
  input_name                 TEXT
);
CREATE INDEX lineage_edges_materialization ON lineage_edges (materialization_id, id);
CREATE INDEX lineage_edges_upstream ON lineage_edges (upstream_materialization_id);

CREATE TABLE latest_materializations (
  asset_key          TEXT    NOT NULL,
  partition_key      TEXT    NOT NULL DEFAULT '',
  materialization_id INTEGER NOT NULL REFERENCES materializations (id),
  PRIMARY KEY (asset_key, partition_key)
) WITHOUT ROWID;

CREATE TABLE partition_states (
  asset_key          TEXT    NOT NULL,
  partition_key      TEXT    NOT NULL DEFAULT '',
  state              TEXT    NOT NULL CHECK (state IN ('IN_PROGRESS', 'FAILED', 'MATERIALIZED')),
  run_id             TEXT    NOT NULL REFERENCES runs (run_id),
  updated_at         INTEGER NOT NULL,
  materialization_id INTEGER REFERENCES materializations (id),
  data_version       TEXT,
  PRIMARY KEY (asset_key, partition_key)
) WITHOUT ROWID;
CREATE INDEX partition_states_asset_state ON partition_states (asset_key, state);
CREATE INDEX partition_states_run_state ON partition_states (run_id, state);
`
