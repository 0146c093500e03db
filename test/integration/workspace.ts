import { openWorkspace, type Workspace } from '../../engine/index.js'
import { createProject } from './helpers.js'

/** Opens a workspace on a throwaway project with these definitions, runs `fn`, then closes and removes both. */
export async function withWorkspace(definitions: string, fn: (ws: Workspace) => Promise<void>): Promise<void> {
  const p = createProject(definitions)
  const ws = await openWorkspace({ cwd: p.dir })
  try {
    await fn(ws)
  } finally {
    await ws.close()
    p.cleanup()
  }
}
