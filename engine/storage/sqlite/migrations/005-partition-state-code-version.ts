/**
 * Keeps the code version of each partition's latest good materialization in
 * `partition_states` itself, so reading the status of 100,000 partitions is
 * one scan of one table (no join with `materializations`).
 */
export const version = 5
export const name = 'partition-state-code-version'
export const sql = `
ALTER TABLE partition_states ADD COLUMN code_version TEXT;
UPDATE partition_states
   SET code_version = (SELECT m.code_version FROM materializations m WHERE m.id = partition_states.materialization_id)
 WHERE materialization_id IS NOT NULL;
`
