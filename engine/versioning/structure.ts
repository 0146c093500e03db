/**
 * The structure of an asset's definition as version components: what it
 * reads (each input's upstream, mapping and options, each order-only
 * dependency, each registry model whose production version it reads), how it is partitioned and backfilled, its checks (name,
 * blocking, the contract's content; a contract file by its content) and its
 * `versionInputs`. Values are descriptions rather than hashes where a person
 * reads them back in a reason (`mapping of input "history" changed: -7..-1 → -7..0`).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { hashCode } from '../../assets/code-version.js'
import type { PartitionMapping } from '../../assets/partitions/types.js'
import type { AssetDefinition } from '../../assets/types.js'
import type { Components } from './code-graph.js'

/** How a mapping reads, e.g. `-7..-1` for a time window, `identityMapping()`, `default`. */
export function describeMapping(m: PartitionMapping | undefined): string {
  if (!m) return 'default'
  const w = m as PartitionMapping & { startOffset?: unknown; endOffset?: unknown; allowNonexistent?: unknown }
  if (m.kind === 'time-window' && typeof w.startOffset === 'number' && typeof w.endOffset === 'number') {
    return `${w.startOffset}..${w.endOffset}${w.allowNonexistent === true ? ' (allowNonexistent)' : ''}`
  }
  if (m.description) return m.description
  // A mapping written by the user: its kind and its own data.
  const data: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(m)) if (typeof v !== 'function' && k !== 'kind') data[k] = v
  let own = ''
  try {
    own = JSON.stringify(data)
  } catch {}
  return own && own !== '{}' ? `${m.kind} ${own}` : m.kind
}

export function structureComponents(asset: AssetDefinition<any>): Components {
  const c: Components = {}
  for (const [name, input] of Object.entries(asset.ins)) {
    c[`in:${name}`] = input.isSelf ? 'self' : input.assetKey
    c[`in:${name}:mapping`] = describeMapping(input.mapping)
    if (input.allowFuture) c[`in:${name}:allowFuture`] = 'true'
    if (input.pointInTime) c[`in:${name}:pointInTime`] = input.pointInTime
    if (input.allowMissing) c[`in:${name}:allowMissing`] = 'true'
  }
  for (const dep of asset.deps) c[`dep:${dep}`] = dep
  for (const name of asset.models ?? []) c[`model:${name}`] = 'production'
  if (asset.partitions) c.partitions = asset.partitions.id
  if (asset.backfillPolicy) c.backfillPolicy = `${asset.backfillPolicy.maxPartitionsPerStep} partitions per step`
  for (const check of asset.checks) {
    c[`check:${check.name}`] = check.blocking ? 'blocking' : 'non-blocking'
    const contract = check.contract
    if (contract?.kind === 'inline') c[`check:${check.name}:contract`] = hashCode(JSON.stringify(contract.contract))
    else if (contract?.kind === 'file') c[`check:${check.name}:contract`] = fileHash(contract.url)
  }
  for (const [name, json] of Object.entries(asset.versionInputs ?? {})) c[`versionInput:${name}`] = hashCode(json)
  return c
}

function fileHash(url: string): string {
  try {
    return hashCode(readFileSync(fileURLToPath(url), 'utf8'))
  } catch {
    // The check fails with STRATA_INVALID_CONTRACT when it runs; until the file exists it simply has no content.
    return 'unreadable'
  }
}
