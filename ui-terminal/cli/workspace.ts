import { openWorkspace, type Workspace } from '../../engine/index.js'

/** Opens the workspace named by -f/--home, runs `fn`, and always closes storage. */
export async function withWorkspace(values: { defs?: string; home?: string }, fn: (ws: Workspace) => Promise<number>): Promise<number> {
  const ws = await openWorkspace({ defsFile: values.defs, home: values.home })
  try {
    return await fn(ws)
  } finally {
    await ws.close()
  }
}
