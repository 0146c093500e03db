/** Fixed graphs for the graph view's tests and benchmark, as FakeModel assets. */
import type { RowStatus } from '../../ui-terminal/app/model.js'
import type { FakeAsset } from './fake-model.js'

/** The flights example's graph (keys, groups, edges, mapping labels), with made-up statuses. */
export function flightsAssets(now: number): FakeAsset[] {
  const a = (key: string, status: RowStatus, upstream: string[] = [], mappings?: Record<string, string>): FakeAsset => ({
    key,
    group: key === 'source/flights_file' || key === 'landing/flights' || key === 'raw/flights' ? 'ingestion' : key.split('/')[0] === 'models' ? 'registry' : key.split('/')[0]!,
    status,
    materializedAt: status === 'MISSING' ? undefined : now - 60_000,
    upstream,
    mappings,
  })
  return [
    a('source/flights_file', 'FRESH'),
    a('landing/flights', 'FRESH', ['source/flights_file']),
    a('raw/flights', 'FRESH', ['landing/flights']),
    a('features/flights', 'STALE', ['raw/flights'], { 'raw/flights': 'same day, -7..-1 days' }),
    a('training/dataset', 'STALE', ['features/flights'], { 'features/flights': 'training: 2001-01-08..2001-05-31' }),
    a('training/model', 'STALE', ['training/dataset']),
    a('evaluation/report', 'STALE', ['training/model', 'training/dataset', 'features/flights'], { 'features/flights': 'validation: 2001-06-01..2001-06-30' }),
    a('models/flight_delay', 'FAILED', ['training/model', 'evaluation/report', 'training/dataset']),
    a('monitoring/reference', 'STALE', ['training/dataset', 'models/flight_delay']),
    a('monitoring/calibration_days', 'STALE', ['features/flights', 'monitoring/reference'], { 'features/flights': 'same day' }),
    a('monitoring/calibration', 'STALE', ['monitoring/calibration_days'], { 'monitoring/calibration_days': 'all' }),
    a('monitoring/drift', 'STALE', ['features/flights', 'monitoring/reference', 'monitoring/calibration'], { 'features/flights': 'same day' }),
    a('monitoring/performance', 'STALE', ['features/flights', 'monitoring/reference', 'monitoring/calibration'], { 'features/flights': 'same day' }),
    a('serving/logs', 'FRESH'),
    a('monitoring/shadow_comparison', 'FRESH', ['serving/logs', 'raw/flights'], { 'raw/flights': 'monitoring period: 2001-06-01..2001-06-30' }),
    a('serving/online_features', 'MISSING', ['raw/flights'], { 'raw/flights': 'online: 2001-06-23..2001-06-30' }),
  ]
}

/** `n` assets in `groups` groups, in layers of `width`; each reads two assets of the layer before. */
export function layeredAssets(n: number, groups: number, width = 20): FakeAsset[] {
  const out: FakeAsset[] = []
  const key = (i: number) => `g${Math.floor(i / width) % groups}/a${String(i).padStart(5, '0')}`
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width)
    const upstream = layer === 0 ? [] : [...new Set([(layer - 1) * width + ((i * 7) % width), (layer - 1) * width + ((i * 3 + 1) % width)])].map(key)
    out.push({ key: key(i), group: `group${Math.floor(i / width) % groups}`, status: (['FRESH', 'STALE', 'MISSING'] as const)[i % 3]!, upstream })
  }
  return out
}
