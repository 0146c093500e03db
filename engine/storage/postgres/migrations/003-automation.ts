/**
 * The automation daemon on PostgreSQL (SQLite migration 008): the daemon
 * lease (at most one row), ticks (a tick key is committed once per source),
 * cursors, run requests with their slots (a request key is recorded once),
 * sensor run keys, condition states and stored evaluations. Ids are
 * BIGSERIAL; times epoch milliseconds; JSON is TEXT as on SQLite.
 */
export const version = 3
export const name = 'automation'
export const sql = `
CREATE TABLE daemon_lease (
  id           INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  owner        TEXT COLLATE "C" NOT NULL,
  pid          BIGINT  NOT NULL,
  host         TEXT COLLATE "C" NOT NULL,
  acquired_at  BIGINT  NOT NULL,
  heartbeat_at BIGINT  NOT NULL,
  expires_at   BIGINT  NOT NULL
);

CREATE TABLE automation_ticks (
  tick_id       BIGSERIAL PRIMARY KEY,
  source_kind   TEXT COLLATE "C" NOT NULL CHECK (source_kind IN ('conditions', 'schedule', 'sensor')),
  source_name   TEXT COLLATE "C" NOT NULL,
  tick_key      TEXT COLLATE "C",
  scheduled_for BIGINT,
  evaluated_at  BIGINT  NOT NULL,
  status        TEXT COLLATE "C" NOT NULL CHECK (status IN ('REQUESTED', 'SKIPPED', 'FAILED', 'EVALUATED')),
  message       TEXT COLLATE "C",
  requested     BIGINT  NOT NULL DEFAULT 0,
  duration_ms   BIGINT,
  UNIQUE (source_kind, source_name, tick_key)
);
CREATE INDEX automation_ticks_source ON automation_ticks (source_kind, source_name, tick_id);

CREATE TABLE automation_cursors (
  source_kind  TEXT COLLATE "C" NOT NULL,
  source_name  TEXT COLLATE "C" NOT NULL,
  cursor       TEXT COLLATE "C",
  last_run_key TEXT COLLATE "C",
  last_tick_at BIGINT,
  failures     BIGINT  NOT NULL DEFAULT 0,
  next_at      BIGINT,
  updated_at   BIGINT  NOT NULL,
  PRIMARY KEY (source_kind, source_name)
);

CREATE TABLE automation_requests (
  request_id     BIGSERIAL PRIMARY KEY,
  request_key    TEXT COLLATE "C" NOT NULL UNIQUE,
  run_id         TEXT COLLATE "C" NOT NULL UNIQUE,
  tick_id        BIGINT  REFERENCES automation_ticks (tick_id),
  source_kind    TEXT COLLATE "C" NOT NULL,
  source_name    TEXT COLLATE "C" NOT NULL,
  selection      TEXT COLLATE "C" NOT NULL,
  asset_keys     TEXT COLLATE "C" NOT NULL,
  partition_keys TEXT COLLATE "C",
  reason         TEXT COLLATE "C" NOT NULL,
  tags           TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  run_key        TEXT COLLATE "C",
  status         TEXT COLLATE "C" NOT NULL CHECK (status IN ('QUEUED', 'LAUNCHED', 'DONE')),
  created_at     BIGINT  NOT NULL,
  launched_at    BIGINT,
  ended_at       BIGINT,
  run_status     TEXT COLLATE "C"
);
CREATE INDEX automation_requests_status ON automation_requests (status, request_id);

CREATE TABLE automation_request_slots (
  seq           BIGSERIAL NOT NULL,
  request_id    BIGINT  NOT NULL REFERENCES automation_requests (request_id),
  asset_key     TEXT COLLATE "C" NOT NULL,
  partition_key TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (request_id, asset_key, partition_key)
);
CREATE INDEX automation_request_slots_slot ON automation_request_slots (asset_key, partition_key, request_id);

CREATE TABLE automation_run_keys (
  sensor_name TEXT COLLATE "C" NOT NULL,
  run_key     TEXT COLLATE "C" NOT NULL,
  request_id  BIGINT  NOT NULL REFERENCES automation_requests (request_id),
  used_at     BIGINT  NOT NULL,
  PRIMARY KEY (sensor_name, run_key)
);

CREATE TABLE automation_conditions (
  asset_key          TEXT COLLATE "C" NOT NULL,
  condition          TEXT COLLATE "C" NOT NULL,
  spec               TEXT COLLATE "C" NOT NULL,
  first_evaluated_at BIGINT  NOT NULL,
  first_code_version TEXT COLLATE "C" NOT NULL,
  last_evaluated_at  BIGINT  NOT NULL,
  code_version       TEXT COLLATE "C" NOT NULL,
  fingerprint        TEXT COLLATE "C",
  PRIMARY KEY (asset_key, condition)
);

CREATE TABLE automation_evaluations (
  evaluation_id BIGSERIAL PRIMARY KEY,
  tick_id       BIGINT  NOT NULL,
  asset_key     TEXT COLLATE "C" NOT NULL,
  condition     TEXT COLLATE "C" NOT NULL,
  evaluated_at  BIGINT  NOT NULL,
  partitions    BIGINT  NOT NULL,
  true_count    BIGINT  NOT NULL,
  requested     BIGINT  NOT NULL,
  request_id    BIGINT,
  summary       TEXT COLLATE "C" NOT NULL,
  detail        TEXT COLLATE "C" NOT NULL,
  fingerprint   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX automation_evaluations_asset ON automation_evaluations (asset_key, evaluation_id);
`
