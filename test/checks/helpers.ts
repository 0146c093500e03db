/** A throwaway project with a flights-like pipeline whose data is chosen by `mode.txt`, for running checks. */
import { join } from 'node:path'
import { materialize, openWorkspace, type MaterializeOptions, type Workspace } from '../../engine/index.js'
import type { MaterializeResult } from '../../engine/materialize.js'
import { createProject, type Project } from '../integration/helpers.js'

export const CONTRACT_YAML = `source: flights
schema_version: 1
fields:
  - { name: origin, type: string, nullable: false }
  - { name: delay, type: integer, nullable: false }
  - { name: carrier, type: enum, values: [AA, UA] }
  - { name: distance, type: number, min: 0, max: 6000 }
expectations:
  daily_row_count_min: 2
  null_rate_max: { origin: 0.0 }
`

/**
 * raw/flights (contract from a YAML file, blocking; "enough_rows" warning,
 * non-blocking; retry policy that must not apply to check failures) →
 * features → report. mode.txt: good (3 rows), small (2 rows: warning),
 * bad (contract violations).
 */
export const FLIGHTS_DEFS = `import { readFileSync } from 'node:fs'
import { asset, check, dataContract, defineDefinitions } from 'strata-engine'

const mode = () => readFileSync(new URL('./mode.txt', import.meta.url), 'utf8').trim()
const GOOD = [
  { origin: 'SFO', delay: 5, carrier: 'AA', distance: 2586 },
  { origin: 'JFK', delay: -2, carrier: 'UA', distance: 2475 },
  { origin: 'ORD', delay: 30, carrier: null, distance: 740 },
]
const BAD = [
  { origin: null, delay: 5.5, carrier: 'DL', distance: 9000 },
  { origin: 'JFK', delay: 1, carrier: 'UA', distance: 10 },
]

export const raw = asset({
  key: 'raw/flights',
  codeVersion: 'raw-v1',
  retry: { maxRetries: 2 },
  compute: () => (mode() === 'good' ? GOOD : mode() === 'small' ? GOOD.slice(0, 2) : BAD),
  checks: [
    dataContract({ file: new URL('./flights.contract.yaml', import.meta.url) }),
    check({ name: 'enough_rows', blocking: false, fn: (_ctx, rows: unknown[]) => ({ passed: rows.length >= 3, message: rows.length + ' rows', metadata: { rows: rows.length } }) }),
  ],
})
export const features = asset({ key: 'features', ins: { raw }, compute: (_ctx, { raw }) => raw.map((r) => r.delay) })
export const report = asset({ key: 'report', ins: { features }, compute: (_ctx, { features }) => ({ n: features.length }) })
export default defineDefinitions({ assets: [raw, features, report] })
`

export function flightsProject(mode: 'good' | 'small' | 'bad' = 'good', defs = FLIGHTS_DEFS, contract = CONTRACT_YAML): Project & { setMode(m: string): void } {
  const p = createProject(defs, { 'flights.contract.yaml': contract, 'mode.txt': mode })
  return Object.assign(p, { setMode: (m: string) => p.write('mode.txt', m) })
}

/** Opens the project's workspace, runs `fn`, closes it and deletes the project. */
export async function withWorkspace(p: Project, fn: (ws: Workspace) => Promise<void>): Promise<void> {
  const ws = await openWorkspace({ defsFile: join(p.dir, 'definitions.ts') })
  try {
    await fn(ws)
  } finally {
    await ws.close()
    p.cleanup()
  }
}

/** Materializes on the main thread (in-process executor). */
export function run(ws: Workspace, opts: MaterializeOptions = {}): Promise<MaterializeResult> {
  return materialize(ws, { executor: 'in-process', ...opts })
}

export function step(result: MaterializeResult, key: string) {
  const s = result.steps.find((x) => x.key === key)
  if (!s) throw new Error(`no step ${key} in ${result.steps.map((x) => x.key).join(', ')}`)
  return s
}
