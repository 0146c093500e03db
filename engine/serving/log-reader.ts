/**
 * `ctx.serving`: computes read what `strata serve` logged through this, not
 * through paths of their own. The server appends its logs to
 * `<home>/serving/`; a step reads them where it runs, so a step that needs
 * them runs on the server's host or sees that directory on a shared volume.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ServingContext, ServingLogFile } from '../../assets/serving-logs.js'

/** Inside servingLogsDir: `--shadow` answers side by side, and `--canary`'s record of who answered. */
export const SHADOW_FILE = 'shadow.jsonl'
export const PREDICTIONS_FILE = 'predictions.jsonl'
/** Where shadow records go, relative to the home: one `ShadowRecord` per line. */
export const SHADOW_LOG = `serving/${SHADOW_FILE}`
/** Where prediction records go when a canary is configured, relative to the home: one `PredictionRecord` per line. */
export const PREDICTIONS_LOG = `serving/${PREDICTIONS_FILE}`

/** The directory `strata serve` writes its logs to, for a home. */
export function servingLogsDir(home: string): string {
  return join(home, 'serving')
}

async function readLog(path: string): Promise<ServingLogFile> {
  try {
    return { path, text: await readFile(path, 'utf8') }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, text: undefined }
    throw err
  }
}

/** `ctx.serving` for logs in `dir` (see servingLogsDir). */
export function createServingContext(dir: string): ServingContext {
  return Object.freeze({
    async logs() {
      const [shadow, predictions] = await Promise.all([readLog(join(dir, SHADOW_FILE)), readLog(join(dir, PREDICTIONS_FILE))])
      return { shadow, predictions }
    },
  })
}
