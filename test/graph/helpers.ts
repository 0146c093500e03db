import assert from 'node:assert/strict'
import { asset, defineDefinitions } from '../../assets/index.js'
import type { AssetDefinition, Definitions } from '../../assets/index.js'
import type { AssetGraph } from '../../engine/graph/index.js'

export function mk(key: string, deps: string[] = [], opts: { group?: string; tags?: Record<string, string> } = {}): AssetDefinition<any> {
  return asset({ key, deps, group: opts.group, tags: opts.tags, codeVersion: '1', compute: () => null })
}

/** 10 assets per layer, each reading 2 assets of the previous layer (w and w+1 mod 10). */
export function layeredDefinitions(layers = 1000, width = 10): Definitions {
  const assets: AssetDefinition<any>[] = []
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const deps = l === 0 ? [] : [`l${l - 1}/n${w}`, `l${l - 1}/n${(w + 1) % width}`]
      assets.push(mk(`l${l}/n${w}`, deps))
    }
  }
  return defineDefinitions({ assets })
}

/** c0 -> c1 -> ... -> c(n-1), declared last-first when `reversed`. */
export function chainDefinitions(n: number, reversed = false): Definitions {
  const assets: AssetDefinition<any>[] = []
  for (let i = 0; i < n; i++) assets.push(mk(`c${i}`, i === 0 ? [] : [`c${i - 1}`]))
  if (reversed) assets.reverse()
  return defineDefinitions({ assets })
}

/**
 * No key repeats, and every key comes after all of its ancestors that are in
 * `order` (paths through keys outside `order` count). Quadratic-ish: small graphs.
 */
export function assertTopological(order: readonly string[], graph: AssetGraph): void {
  const pos = new Map<string, number>()
  order.forEach((k, i) => {
    assert.ok(!pos.has(k), `duplicate key ${k}`)
    pos.set(k, i)
  })
  for (const k of order) {
    for (const u of graph.upstreamClosure([k])) {
      if (pos.has(u)) assert.ok(pos.get(u)! < pos.get(k)!, `${u} is upstream of ${k} and must come first in ${order.join(', ')}`)
    }
  }
}

/** No key repeats, and every direct edge between keys of `order` points forward. Linear: large graphs. */
export function assertEdgesForward(order: readonly string[], graph: AssetGraph): void {
  const pos = new Map<string, number>()
  order.forEach((k, i) => {
    assert.ok(!pos.has(k), `duplicate key ${k}`)
    pos.set(k, i)
  })
  for (const k of order) {
    for (const u of graph.upstream(k)) {
      if (pos.has(u)) assert.ok(pos.get(u)! < pos.get(k)!, `${u} must come before ${k}`)
    }
  }
}

export function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort()
}
