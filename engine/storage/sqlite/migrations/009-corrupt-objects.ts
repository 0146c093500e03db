/**
 * Materializations whose stored object was found damaged: its bytes no longer
 * hash to the name it was stored under (a truncation, a flipped bit), or it is
 * gone. Staleness reads these so a damaged latest value shows STALE and
 * `materialize --stale` rebuilds it. A row names a materialization (its asset,
 * partition and object are read from there), so it stops mattering once a
 * newer materialization becomes the latest of its slot.
 */
export const version = 9
export const name = 'corrupt-objects'
export const sql = `
CREATE TABLE corrupt_objects (
  materialization_id INTEGER PRIMARY KEY NOT NULL REFERENCES materializations (id),
  problem            TEXT    NOT NULL,
  detected_at        INTEGER NOT NULL
);
`
