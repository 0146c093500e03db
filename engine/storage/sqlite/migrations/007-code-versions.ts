/**
 * What each recorded code version is made of: component → hash (the compute,
 * each helper declaration it uses, package versions, the parts of the asset's
 * definition). A version is a hash of its components, so one row describes
 * every materialization with that version, and a status can say which
 * component changed since (`code changed: helper ./lib.ts (factor)`).
 */
export const version = 7
export const name = 'code-versions'
export const sql = `
CREATE TABLE code_versions (
  asset_key    TEXT    NOT NULL,
  code_version TEXT    NOT NULL,
  components   TEXT    NOT NULL,
  recorded_at  INTEGER NOT NULL,
  PRIMARY KEY (asset_key, code_version)
) WITHOUT ROWID;
`
