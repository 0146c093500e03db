import { StrataError } from './errors.js'
import type { AssetKeyInput } from './types.js'

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/** Normalizes `'x/y'` or `['x', 'y']` to the canonical string form `'x/y'`. */
export function normalizeKey(key: AssetKeyInput): string {
  const path = typeof key === 'string' ? key.split('/') : [...key]
  if (path.length === 0) throw new StrataError('STRATA_INVALID_KEY', 'An asset key cannot be empty. Use a name like "raw/orders".')
  for (const segment of path) {
    if (typeof segment !== 'string' || !SEGMENT.test(segment)) {
      throw new StrataError(
        'STRATA_INVALID_KEY',
        `Invalid asset key ${JSON.stringify(key)}: segment ${JSON.stringify(segment)} must start with a letter, digit or "_" and contain only letters, digits, "_", "-" or ".".`,
      )
    }
  }
  return path.join('/')
}

export function keyPath(key: string): string[] {
  return key.split('/')
}
