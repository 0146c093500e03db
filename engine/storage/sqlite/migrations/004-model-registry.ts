/**
 * Migration 004: the model registry.
 *
 * - `models`: one row per (name, version); version numbers are assigned per
 *   name inside the registering transaction (max + 1). JSON text for metrics,
 *   config, lineage and the gate's reasons. A partial unique index allows at
 *   most one production version per name.
 * - `model_stage_history`: every stage change (registration, promotions,
 *   replacements, rollbacks), oldest first by id; rollback replays it.
 */
export const version = 4
export const name = 'model-registry'

export const sql = `
CREATE TABLE models (
  name             TEXT    NOT NULL,
  version          INTEGER NOT NULL CHECK (version >= 1),
  stage            TEXT    NOT NULL CHECK (stage IN ('development', 'staging', 'production', 'archived')),
  metrics          TEXT    NOT NULL DEFAULT '{}', -- JSON object
  config           TEXT    NOT NULL DEFAULT '{}', -- JSON object
  lineage          TEXT    NOT NULL DEFAULT '{}', -- JSON object
  code_version     TEXT    NOT NULL,
  artifact         TEXT    NOT NULL,
  gate_passed      INTEGER NOT NULL CHECK (gate_passed IN (0, 1)),
  gate_reasons     TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
  description      TEXT,
  created_at       INTEGER NOT NULL,
  stage_changed_at INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;
CREATE UNIQUE INDEX models_one_production ON models (name) WHERE stage = 'production';

CREATE TABLE model_stage_history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  from_stage TEXT,
  to_stage   TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('register', 'promote', 'replaced', 'rollback')),
  reason     TEXT,
  at         INTEGER NOT NULL,
  FOREIGN KEY (name, version) REFERENCES models (name, version)
);
CREATE INDEX model_stage_history_name ON model_stage_history (name, id);
`
