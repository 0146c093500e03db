/**
 * The model registry on PostgreSQL (SQLite migration 004): `models`, one row
 * per (name, version), at most one production version per name (partial
 * unique index), and `model_stage_history`, every stage change oldest first
 * by id. Version numbers are assigned per name inside the registering
 * transaction, under a per-model advisory lock (models.ts).
 */
export const version = 2
export const name = 'model-registry'
export const sql = `
CREATE TABLE models (
  name             TEXT COLLATE "C" NOT NULL,
  version          BIGINT  NOT NULL CHECK (version >= 1),
  stage            TEXT COLLATE "C" NOT NULL CHECK (stage IN ('development', 'staging', 'production', 'archived')),
  metrics          TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  config           TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  lineage          TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  code_version     TEXT COLLATE "C" NOT NULL,
  artifact         TEXT COLLATE "C" NOT NULL,
  gate_passed      BOOLEAN NOT NULL,
  gate_reasons     TEXT COLLATE "C" NOT NULL DEFAULT '[]',
  description      TEXT COLLATE "C",
  created_at       BIGINT  NOT NULL,
  stage_changed_at BIGINT  NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX models_one_production ON models (name) WHERE stage = 'production';

CREATE TABLE model_stage_history (
  id         BIGSERIAL PRIMARY KEY,
  name       TEXT COLLATE "C" NOT NULL,
  version    BIGINT  NOT NULL,
  from_stage TEXT COLLATE "C",
  to_stage   TEXT COLLATE "C" NOT NULL,
  kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('register', 'promote', 'replaced', 'rollback')),
  reason     TEXT COLLATE "C",
  at         BIGINT  NOT NULL,
  FOREIGN KEY (name, version) REFERENCES models (name, version)
);
CREATE INDEX model_stage_history_name ON model_stage_history (name, id);
`
