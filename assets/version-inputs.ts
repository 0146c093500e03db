import { StrataError } from './errors.js'

/**
 * `versionInputs`: values a compute depends on that are not in its code (the
 * sections of a config file it reads, a threshold from the environment).
 * Each is kept as canonical JSON (object keys sorted), so the engine can fold
 * it into the asset's version and name the one that changed.
 */
export function normalizeVersionInputs(ownKey: string, inputs: unknown): Readonly<Record<string, string>> {
  if (inputs === undefined) return {}
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new StrataError('STRATA_INVALID_ASSET', `Asset "${ownKey}": versionInputs must be an object of named values, e.g. versionInputs: { hyperparameters: config.hyperparameters }.`)
  }
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(inputs)) out[name] = canonicalJson(value, `Asset "${ownKey}": versionInputs.${name}`)
  return Object.freeze(out)
}

function canonicalJson(value: unknown, where: string): string {
  const seen = new Set<object>()
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw invalid(where + path, String(v))
      return v
    }
    if (typeof v !== 'object') throw invalid(where + path, typeof v)
    const withJson = v as { toJSON?: () => unknown }
    if (typeof withJson.toJSON === 'function') return walk(withJson.toJSON(), path)
    if (seen.has(v)) throw new StrataError('STRATA_INVALID_ASSET', `${where}${path} refers to itself; versionInputs must be plain JSON data.`)
    seen.add(v)
    try {
      if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`))
      const sorted: Record<string, unknown> = {}
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k]
        if (x !== undefined) sorted[k] = walk(x, `${path}.${k}`)
      }
      return sorted
    } finally {
      seen.delete(v)
    }
  }
  return JSON.stringify(walk(value, ''))
}

const invalid = (where: string, got: string) =>
  new StrataError('STRATA_INVALID_ASSET', `${where} is ${got}; versionInputs must be plain JSON data (strings, finite numbers, booleans, null, arrays and objects).`)
