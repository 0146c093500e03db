// The flights example on its first 30 days, for tests: the environment the
// example reads must be set before anything loads its definitions (in this
// process, in workers and in CLI children), so call this at module top level
// before importing the example.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = process.env.STRATA_TEST_BIN ?? join(REPO, 'ui-terminal/bin/strata.js')
export const DEFS = join(REPO, 'examples/flights/definitions.ts')
export const FIXTURES = join(REPO, 'test/flights/fixtures/')

/** A temp folder for the test file and the path its source copy must have; sets FLIGHTS_* for 2001-01. */
export function useThirtyDays(tag: string): { TMP: string; SOURCE: string } {
  const TMP = mkdtempSync(join(tmpdir(), `strata-${tag}-`))
  // Each test file runs in a process of its own: the folder goes with it, whatever the file's own clean-up does.
  process.on('exit', () => rmSync(TMP, { recursive: true, force: true }))
  const SOURCE = join(TMP, 'flights-3m.parquet')
  process.env.FLIGHTS_END = '2001-01-31'
  process.env.FLIGHTS_TRAINING_CONFIG = join(FIXTURES, 'training.30d.json')
  process.env.FLIGHTS_SOURCE = SOURCE
  return { TMP, SOURCE }
}
