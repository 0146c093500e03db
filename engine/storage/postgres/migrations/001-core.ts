/**
 * The core schema on PostgreSQL: what SQLite migrations 001, 002, 003, 005,
 * 006, 007 and 009 built, in one step (a PostgreSQL instance starts from here).
 * Ids and epoch-millisecond times are BIGINT; JSON is TEXT, written and read
 * exactly as on SQLite. Text compares byte-wise (COLLATE "C"), as SQLite
 * does, so every ORDER BY gives the same order on both backends. Tables
 * SQLite orders by rowid get an explicit `seq`.
 */
export const version = 1
export const name = 'core'
export const sql = `
CREATE TABLE runs (
  seq          BIGSERIAL NOT NULL UNIQUE,
  run_id       TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  status       TEXT COLLATE "C" NOT NULL CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILURE', 'CANCELED')),
  selection    TEXT COLLATE "C" NOT NULL,
  step_keys    TEXT COLLATE "C" NOT NULL,
  defs_path    TEXT COLLATE "C" NOT NULL,
  pid          BIGINT  NOT NULL,
  host         TEXT COLLATE "C" NOT NULL,
  started_at   BIGINT  NOT NULL,
  ended_at     BIGINT,
  backfill_id  TEXT COLLATE "C",
  tags         TEXT COLLATE "C" NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_started ON runs (started_at DESC, seq DESC);
CREATE INDEX runs_status_started ON runs (status, started_at DESC, seq DESC);
CREATE INDEX runs_backfill ON runs (backfill_id) WHERE backfill_id IS NOT NULL;

CREATE TABLE events (
  id             BIGSERIAL PRIMARY KEY,
  run_id         TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  ts             BIGINT  NOT NULL,
  type           TEXT COLLATE "C" NOT NULL,
  asset_key      TEXT COLLATE "C",
  partition_key  TEXT COLLATE "C",
  level          TEXT COLLATE "C",
  message        TEXT COLLATE "C",
  data           TEXT COLLATE "C"
);
CREATE INDEX events_run_id ON events (run_id, id);

CREATE TABLE materializations (
  id             BIGSERIAL PRIMARY KEY,
  asset_key      TEXT COLLATE "C" NOT NULL,
  partition_key  TEXT COLLATE "C" NOT NULL DEFAULT '',
  run_id         TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  code_version   TEXT COLLATE "C" NOT NULL,
  data_version   TEXT COLLATE "C" NOT NULL,
  location       TEXT COLLATE "C" NOT NULL,
  format         TEXT COLLATE "C" NOT NULL CHECK (format IN ('json', 'arrow')),
  bytes          BIGINT  NOT NULL,
  metadata       TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  started_at     BIGINT  NOT NULL,
  ended_at       BIGINT  NOT NULL
);
CREATE INDEX materializations_asset ON materializations (asset_key, id);
CREATE INDEX materializations_asset_partition ON materializations (asset_key, partition_key, id);
CREATE INDEX materializations_run ON materializations (run_id);

CREATE TABLE lineage_edges (
  id                          BIGSERIAL PRIMARY KEY,
  materialization_id          BIGINT  NOT NULL REFERENCES materializations (id),
  upstream_materialization_id BIGINT  NOT NULL REFERENCES materializations (id),
  upstream_asset_key          TEXT COLLATE "C" NOT NULL,
  upstream_partition_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
  upstream_data_version       TEXT COLLATE "C" NOT NULL,
  input_name                  TEXT COLLATE "C"
);
CREATE INDEX lineage_edges_materialization ON lineage_edges (materialization_id, id);
CREATE INDEX lineage_edges_upstream ON lineage_edges (upstream_materialization_id);

CREATE TABLE latest_materializations (
  asset_key          TEXT COLLATE "C" NOT NULL,
  partition_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
  materialization_id BIGINT  NOT NULL REFERENCES materializations (id),
  PRIMARY KEY (asset_key, partition_key)
);

CREATE TABLE partition_states (
  asset_key          TEXT COLLATE "C" NOT NULL,
  partition_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
  state              TEXT COLLATE "C" NOT NULL CHECK (state IN ('IN_PROGRESS', 'FAILED', 'MATERIALIZED')),
  run_id             TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  updated_at         BIGINT  NOT NULL,
  materialization_id BIGINT  REFERENCES materializations (id),
  data_version       TEXT COLLATE "C",
  code_version       TEXT COLLATE "C",
  PRIMARY KEY (asset_key, partition_key)
);
CREATE INDEX partition_states_asset_state ON partition_states (asset_key, state);
CREATE INDEX partition_states_run_state ON partition_states (run_id, state);

CREATE TABLE backfills (
  seq              BIGSERIAL NOT NULL UNIQUE,
  backfill_id      TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  status           TEXT COLLATE "C" NOT NULL CHECK (status IN ('REQUESTED', 'RUNNING', 'COMPLETED_SUCCESS', 'COMPLETED_FAILED', 'CANCELED')),
  selection        TEXT COLLATE "C" NOT NULL,
  asset_keys       TEXT COLLATE "C" NOT NULL,
  from_key         TEXT COLLATE "C",
  to_key           TEXT COLLATE "C",
  partition_keys   TEXT COLLATE "C",
  options          TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  defs_path        TEXT COLLATE "C" NOT NULL,
  pid              BIGINT  NOT NULL,
  host             TEXT COLLATE "C" NOT NULL,
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL,
  ended_at         BIGINT,
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  interrupted      BOOLEAN NOT NULL DEFAULT FALSE,
  run_ids          TEXT COLLATE "C" NOT NULL DEFAULT '[]'
);
CREATE INDEX backfills_created ON backfills (created_at DESC, seq DESC);
CREATE INDEX backfills_status ON backfills (status);

CREATE TABLE backfill_targets (
  backfill_id    TEXT COLLATE "C" NOT NULL REFERENCES backfills (backfill_id),
  seq            BIGINT  NOT NULL,
  asset_key      TEXT COLLATE "C" NOT NULL,
  partition_key  TEXT COLLATE "C" NOT NULL DEFAULT '',
  status         TEXT COLLATE "C" NOT NULL CHECK (status IN ('PENDING', 'IN_PROGRESS', 'SUCCESS', 'UP_TO_DATE', 'FAILED', 'SKIPPED')),
  run_id         TEXT COLLATE "C",
  updated_at     BIGINT  NOT NULL,
  error          TEXT COLLATE "C",
  PRIMARY KEY (backfill_id, seq)
);
CREATE UNIQUE INDEX backfill_targets_key ON backfill_targets (backfill_id, asset_key, partition_key);
CREATE INDEX backfill_targets_status ON backfill_targets (backfill_id, status);

CREATE TABLE dynamic_partitions (
  id             BIGSERIAL PRIMARY KEY,
  name           TEXT COLLATE "C" NOT NULL,
  partition_key  TEXT COLLATE "C" NOT NULL,
  added_at       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX dynamic_partitions_key ON dynamic_partitions (name, partition_key);

CREATE TABLE check_results (
  id                 BIGSERIAL PRIMARY KEY,
  asset_key          TEXT COLLATE "C" NOT NULL,
  partition_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
  check_name         TEXT COLLATE "C" NOT NULL,
  passed             BOOLEAN NOT NULL,
  blocking           BOOLEAN NOT NULL,
  message            TEXT COLLATE "C",
  metadata           TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  run_id             TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
  materialization_id BIGINT  REFERENCES materializations (id),
  ts                 BIGINT  NOT NULL
);
CREATE INDEX check_results_asset ON check_results (asset_key, partition_key, check_name, id);
CREATE INDEX check_results_run ON check_results (run_id);
CREATE INDEX check_results_materialization ON check_results (materialization_id) WHERE materialization_id IS NOT NULL;

CREATE TABLE latest_check_results (
  asset_key     TEXT COLLATE "C" NOT NULL,
  partition_key TEXT COLLATE "C" NOT NULL DEFAULT '',
  check_name    TEXT COLLATE "C" NOT NULL,
  result_id     BIGINT  NOT NULL REFERENCES check_results (id),
  passed        BOOLEAN NOT NULL,
  blocking      BOOLEAN NOT NULL,
  PRIMARY KEY (asset_key, partition_key, check_name)
);
CREATE INDEX latest_check_results_counts ON latest_check_results (asset_key, check_name, passed, blocking);

CREATE TABLE partition_key_layouts (
  asset_key   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
  dimensions  TEXT COLLATE "C",
  updated_at  BIGINT  NOT NULL
);

CREATE TABLE corrupt_objects (
  materialization_id BIGINT  PRIMARY KEY NOT NULL REFERENCES materializations (id),
  problem            TEXT COLLATE "C" NOT NULL,
  detected_at        BIGINT  NOT NULL
);

CREATE TABLE code_versions (
  asset_key    TEXT COLLATE "C" NOT NULL,
  code_version TEXT COLLATE "C" NOT NULL,
  components   TEXT COLLATE "C" NOT NULL,
  recorded_at  BIGINT  NOT NULL,
  PRIMARY KEY (asset_key, code_version)
);
`
