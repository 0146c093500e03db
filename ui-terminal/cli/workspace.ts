import { openWorkspace, type Workspace } from '../../engine/index.js'
import { errColor, formatBytes } from './output.js'

/** Opens the workspace named by -f/--home, runs `fn`, and always closes storage. */
export async function withWorkspace(values: { defs?: string; home?: string; storage?: string; objects?: string; quiet?: boolean }, fn: (ws: Workspace) => Promise<number>): Promise<number> {
  const ws = await openWorkspace({ defsFile: values.defs, home: values.home, storage: values.storage, objects: values.objects })
  const removed = ws.leftoversRemoved
  if (removed && removed.files > 0 && !values.quiet) {
    // On stderr, so --json output stays one document.
    console.error(errColor.dim(`Removed ${removed.files} temporary file(s) (${formatBytes(removed.bytes)}) left by an interrupted run.`))
  }
  try {
    return await fn(ws)
  } finally {
    await ws.close()
  }
}
