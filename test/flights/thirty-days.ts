// The flights example on its first 30 days, for tests: the environment the
// example reads must be set before anything loads its definitions (in this
// process, in workers and in CLI children), so call this at module top level
// before importing the example.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { processTempDir, STRATA_BIN } from '../integration/helpers.js'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = STRATA_BIN
export const DEFS = join(REPO, 'examples/flights/definitions.ts')
export const FIXTURES = join(REPO, 'test/flights/fixtures/')

/** A temp folder for the test file and the path its source copy must have; sets FLIGHTS_* for 2001-01. */
export function useThirtyDays(tag: string): { TMP: string; SOURCE: string } {
  const TMP = processTempDir(`strata-${tag}-`)
  const SOURCE = join(TMP, 'flights-3m.parquet')
  process.env.FLIGHTS_END = '2001-01-31'
  process.env.FLIGHTS_TRAINING_CONFIG = join(FIXTURES, 'training.30d.json')
  process.env.FLIGHTS_SOURCE = SOURCE
  return { TMP, SOURCE }
}
