/**
 * The building-block conditions, each the set of an asset's partitions for
 * which it holds: missing(), stale(), inProgress(), executionFailed(),
 * newlyUpdated(upstream?), codeVersionChanged(), cronTickPassed(cron).
 * "Since the previous evaluation" is false on the first one: nothing is new
 * to a condition that has just started watching.
 */
import type { ConditionSpec } from '../../assets/automation/types.js'
import { upstreamKeysFor, upstreamLinks } from '../partitions/mapping.js'
import { nodeLabel } from '../versioning/status-index.js'
import { nodeOf, type AssetContext } from './context.js'

type Leaf = Extract<ConditionSpec, { kind: 'missing' | 'stale' | 'inProgress' | 'executionFailed' | 'newlyUpdated' | 'codeVersionChanged' | 'cronTickPassed' }>

function where(ctx: AssetContext, test: (partitionKey: string) => boolean): Set<string> {
  const out = new Set<string>()
  for (const k of ctx.keys) if (test(k)) out.add(k)
  return out
}

const all = (ctx: AssetContext) => new Set(ctx.keys)

export function evaluateLeaf(ctx: AssetContext, spec: Leaf): Set<string> {
  switch (spec.kind) {
    case 'missing':
      return where(ctx, (k) => nodeOf(ctx, k)?.status === 'MISSING')
    case 'stale':
      return where(ctx, (k) => nodeOf(ctx, k)?.status === 'STALE')
    case 'inProgress':
      return where(ctx, (k) => ctx.tick.running.has(nodeLabel(ctx.asset.key, k)) || ctx.tick.open.has(nodeLabel(ctx.asset.key, k)))
    case 'executionFailed':
      return where(ctx, (k) => nodeOf(ctx, k)?.runState === 'FAILED')
    case 'newlyUpdated':
      return newlyUpdated(ctx, spec.upstream)
    case 'codeVersionChanged':
      return ctx.previous && ctx.previous.codeVersion !== ctx.asset.codeVersion ? all(ctx) : new Set()
    case 'cronTickPassed': {
      if (!ctx.previous) return new Set()
      const tick = ctx.tick.cron.latest(spec.cron, new Date(ctx.tick.now), spec.timezone)
      return tick && tick.getTime() > ctx.previous.evaluatedAt ? all(ctx) : new Set()
    }
  }
}

/** Materialized since the previous evaluation: the asset's own partition, or (with `upstream`) an upstream partition it reads. */
function newlyUpdated(ctx: AssetContext, upstream: string | undefined): Set<string> {
  const since = ctx.previous?.evaluatedAt
  if (since === undefined) return new Set()
  const index = ctx.view
  const fresh = (key: string, partitionKey: string) => (index.node(key, partitionKey)?.latest?.endedAt ?? -Infinity) > since
  if (upstream === undefined) return where(ctx, (k) => fresh(ctx.asset.key, k))
  const link = upstreamLinks(ctx.tick.defs, ctx.asset).find((l) => l.upstream.key === upstream)
  if (!link) {
    // Not an input: any of its partitions counts, for every partition of this asset.
    return index.nodes(upstream).some((n) => fresh(upstream, n.partitionKey)) ? all(ctx) : new Set()
  }
  return where(ctx, (k) => upstreamKeysFor(ctx.asset, link, k ? [k] : [], ctx.tick.keysOptions).keys.some((u) => fresh(upstream, u)))
}
