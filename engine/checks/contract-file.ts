/**
 * Reading contract files (YAML, or JSON which YAML parses too) in the engine,
 * when a `dataContract({ file })` check runs. Parsed contracts are cached per
 * path, size and modification time, so each worker reads a file once per version.
 */
import { readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { normalizeContract, type NormalizedContract } from '../../assets/contracts.js'
import { StrataError } from '../../assets/errors.js'

const cache = new Map<string, { stamp: string; contract: NormalizedContract }>()

/** Reads, parses and validates a contract file. Throws STRATA_INVALID_CONTRACT (missing file, YAML syntax, malformed contract). */
export function loadContractFile(file: URL | string): NormalizedContract {
  const path = typeof file === 'string' && !file.startsWith('file:') ? file : fileURLToPath(file)
  let stamp: string
  try {
    const st = statSync(path)
    stamp = `${st.size}:${st.mtimeMs}`
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new StrataError('STRATA_INVALID_CONTRACT', code === 'ENOENT' ? `Data contract file ${path} does not exist.` : `Cannot read data contract file ${path}: ${(err as Error).message}`, { path })
  }
  const hit = cache.get(path)
  if (hit && hit.stamp === stamp) return hit.contract
  let doc: unknown
  try {
    // Loaded on first use (CommonJS build: one require instead of dozens of ES modules).
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml')
    doc = parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new StrataError('STRATA_INVALID_CONTRACT', `Invalid data contract ${path}: not valid YAML: ${(err as Error).message}`, { path })
  }
  const contract = normalizeContract(doc, path)
  cache.set(path, { stamp, contract })
  return contract
}
