/**
 * Migration 003: asset check results.
 *
 * - `check_results`: every result of every check, append-only. The
 *   materialization it judged is NULL when a blocking failure kept the value
 *   from being stored.
 * - `latest_check_results`: (asset, partition, check) → newest result id, with
 *   `passed`/`blocking` copied so counting failing checks per asset is an
 *   index-only scan of (asset_key, check_name, passed, blocking).
 */
export const version = 3
export const name = 'checks'

export const sql = `
CREATE TABLE check_results (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  asset_key          TEXT    NOT NULL,
  partition_key      TEXT    NOT NULL DEFAULT '',
  check_name         TEXT    NOT NULL,
  passed             INTEGER NOT NULL CHECK (passed IN (0, 1)),
  blocking           INTEGER NOT NULL CHECK (blocking IN (0, 1)),
  message            TEXT,
  metadata           TEXT    NOT NULL DEFAULT '{}', -- JSON object
  run_id             TEXT    NOT NULL REFERENCES runs (run_id),
  materialization_id INTEGER REFERENCES materializations (id),
  ts                 INTEGER NOT NULL
);
CREATE INDEX check_results_asset ON check_results (asset_key, partition_key, check_name, id);
CREATE INDEX check_results_run ON check_results (run_id);
CREATE INDEX check_results_materialization ON check_results (materialization_id) WHERE materialization_id IS NOT NULL;

CREATE TABLE latest_check_results (
  asset_key     TEXT    NOT NULL,
  partition_key TEXT    NOT NULL DEFAULT '',
  check_name    TEXT    NOT NULL,
  result_id     INTEGER NOT NULL REFERENCES check_results (id),
  passed        INTEGER NOT NULL CHECK (passed IN (0, 1)),
  blocking      INTEGER NOT NULL CHECK (blocking IN (0, 1)),
  PRIMARY KEY (asset_key, partition_key, check_name)
) WITHOUT ROWID;
CREATE INDEX latest_check_results_counts ON latest_check_results (asset_key, check_name, passed, blocking);
`
