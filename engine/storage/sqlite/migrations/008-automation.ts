/**
 * Migration 008: the automation daemon.
 *
 * - `daemon_lease`: at most one row, the daemon holding the home: a lease
 *   renewed by its heartbeat, so a second daemon can tell a live holder from
 *   a dead one even when the holder's pid was reused or is on another host.
 * - `automation_ticks`: one row per evaluation of the conditions, of a
 *   schedule tick or of a sensor. `tick_key` (a schedule's cron instant) is
 *   unique per source, so a tick is committed once whatever the crashes.
 * - `automation_cursors`: per schedule/sensor, what the next tick starts
 *   from (a sensor's cursor, a schedule's last processed instant), its last
 *   run key, consecutive failures and when it may run next (backoff).
 * - `automation_requests` and `automation_request_slots`: every run the
 *   daemon decided on, written before it is launched, with the run id it
 *   will have; `request_key` is unique, so the same decision is never
 *   recorded twice, and the run id ties the request to the run.
 * - `automation_run_keys`: run keys a sensor has used.
 * - `automation_conditions`: per asset and condition, when it was first and
 *   last evaluated and the code version then (surprise-free starts,
 *   `codeVersionChanged`, "since the previous evaluation").
 * - `automation_evaluations`: what an evaluation found, stored when it
 *   differs from the previous one or requested something.
 */
export const version = 8
export const name = 'automation'

export const sql = `
CREATE TABLE daemon_lease (
  id           INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  owner        TEXT    NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT    NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);

CREATE TABLE automation_ticks (
  tick_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  source_kind   TEXT    NOT NULL CHECK (source_kind IN ('conditions', 'schedule', 'sensor')),
  source_name   TEXT    NOT NULL,
  tick_key      TEXT,
  scheduled_for INTEGER,
  evaluated_at  INTEGER NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('REQUESTED', 'SKIPPED', 'FAILED', 'EVALUATED')),
  message       TEXT,
  requested     INTEGER NOT NULL DEFAULT 0,
  duration_ms   INTEGER,
  UNIQUE (source_kind, source_name, tick_key)
);
CREATE INDEX automation_ticks_source ON automation_ticks (source_kind, source_name, tick_id);

CREATE TABLE automation_cursors (
  source_kind  TEXT    NOT NULL,
  source_name  TEXT    NOT NULL,
  cursor       TEXT,
  last_run_key TEXT,
  last_tick_at INTEGER,
  failures     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (source_kind, source_name)
) WITHOUT ROWID;

CREATE TABLE automation_requests (
  request_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  request_key    TEXT    NOT NULL UNIQUE,
  run_id         TEXT    NOT NULL UNIQUE,
  tick_id        INTEGER REFERENCES automation_ticks (tick_id),
  source_kind    TEXT    NOT NULL,
  source_name    TEXT    NOT NULL,
  selection      TEXT    NOT NULL,
  asset_keys     TEXT    NOT NULL,  -- JSON array
  partition_keys TEXT,              -- JSON array, NULL for unpartitioned targets
  reason         TEXT    NOT NULL,
  tags           TEXT    NOT NULL DEFAULT '{}',
  run_key        TEXT,
  status         TEXT    NOT NULL CHECK (status IN ('QUEUED', 'LAUNCHED', 'DONE')),
  created_at     INTEGER NOT NULL,
  launched_at    INTEGER,
  ended_at       INTEGER,
  run_status     TEXT
);
CREATE INDEX automation_requests_status ON automation_requests (status, request_id);

CREATE TABLE automation_request_slots (
  request_id    INTEGER NOT NULL REFERENCES automation_requests (request_id),
  asset_key     TEXT    NOT NULL,
  partition_key TEXT    NOT NULL,
  PRIMARY KEY (request_id, asset_key, partition_key)
);
CREATE INDEX automation_request_slots_slot ON automation_request_slots (asset_key, partition_key, request_id);

CREATE TABLE automation_run_keys (
  sensor_name TEXT    NOT NULL,
  run_key     TEXT    NOT NULL,
  request_id  INTEGER NOT NULL REFERENCES automation_requests (request_id),
  used_at     INTEGER NOT NULL,
  PRIMARY KEY (sensor_name, run_key)
) WITHOUT ROWID;

CREATE TABLE automation_conditions (
  asset_key          TEXT    NOT NULL,
  condition          TEXT    NOT NULL,
  spec               TEXT    NOT NULL,
  first_evaluated_at INTEGER NOT NULL,
  first_code_version TEXT    NOT NULL,
  last_evaluated_at  INTEGER NOT NULL,
  code_version       TEXT    NOT NULL,
  fingerprint        TEXT,
  PRIMARY KEY (asset_key, condition)
) WITHOUT ROWID;

CREATE TABLE automation_evaluations (
  evaluation_id INTEGER PRIMARY KEY AUTOINCREMENT,
  tick_id       INTEGER NOT NULL,
  asset_key     TEXT    NOT NULL,
  condition     TEXT    NOT NULL,
  evaluated_at  INTEGER NOT NULL,
  partitions    INTEGER NOT NULL,
  true_count    INTEGER NOT NULL,
  requested     INTEGER NOT NULL,
  request_id    INTEGER,
  summary       TEXT    NOT NULL,
  detail        TEXT    NOT NULL,  -- JSON
  fingerprint   TEXT    NOT NULL
);
CREATE INDEX automation_evaluations_asset ON automation_evaluations (asset_key, evaluation_id);
`
