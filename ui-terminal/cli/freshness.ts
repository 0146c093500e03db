import type { AssetFreshness } from '../../engine/index.js'
import { color, escapeForTerminal } from './output.js'

/** The freshness policy's verdict as one line: a warning when late or never updated. */
export function freshnessLine(f: AssetFreshness, indent = '  '): string {
  if (f.state === 'fresh') {
    const until = f.nextDeadline ? `; late after ${f.nextDeadline.slice(0, 16).replace('T', ' ')} UTC unless updated` : ''
    return color.green(`${indent}freshness: on time (${escapeForTerminal(f.reason)})`) + color.dim(until)
  }
  return color.yellow(`${indent}! freshness: ${f.state === 'late' ? 'late' : 'never updated'} (${escapeForTerminal(f.reason)}); a warning, it blocks nothing`)
}
