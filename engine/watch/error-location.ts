import { fileURLToPath } from 'node:url'
import type { SourceLocation } from './types.js'

// The TypeScript loader's compile errors: "Error transforming /p/x.ts: Unexpected token (3:1)".
const TRANSFORM = /Error transforming (.+?): ([\s\S]*?) \((\d+):(\d+)\)\s*$/
// Stack frames: "at f (file:///p/x.ts:12:5)" or "at file:///p/x.ts:12:5".
const FRAME = /(file:\/\/[^\s)?]+)(?:\?[^\s):]*)?:(\d+):(\d+)/g
// What loadDefinitions() prefixes to an import failure; the event names the file anyway.
const LOAD_PREFIX = /^Could not load definitions from .+?\.[cm]?[jt]sx?: /

/**
 * Where a definitions load error points, if it can be told: the position of a
 * syntax error, else the first stack frame in one of the project's files.
 * Returns the message without the location text the loader baked into it.
 */
export function locateLoadError(raw: string, stack: string | undefined, projectFiles: ReadonlySet<string>): { message: string; location?: SourceLocation } {
  const message = raw.replace(LOAD_PREFIX, '')
  const t = TRANSFORM.exec(message)
  if (t) return { message: t[2]!, location: { file: t[1]!, line: Number(t[3]), column: Number(t[4]) } }
  FRAME.lastIndex = 0
  for (let m = FRAME.exec(stack ?? ''); m; m = FRAME.exec(stack ?? '')) {
    let file: string
    try {
      file = fileURLToPath(m[1]!)
    } catch {
      continue
    }
    if (projectFiles.has(file)) return { message, location: { file, line: Number(m[2]), column: Number(m[3]) } }
  }
  return { message }
}
