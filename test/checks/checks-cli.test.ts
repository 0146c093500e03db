// Checks through the real CLI and the default pool executor (checks run in
// worker threads): materialize, status, why, list.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { assetsByKey, get, REPO_ROOT, stepsByKey } from '../integration/helpers.js'
import { flightsProject } from './helpers.js'

describe('checks through the CLI', { concurrency: 2 }, () => {
  it('blocking failure: exit 1, STRATA_CHECK_FAILED, downstream skipped; status, why and list show it; fixing the data clears it', async () => {
    const p = flightsProject('good')
    try {
      const first = stepsByKey(await p.ok(['materialize', '--json', '--concurrency', '2']))
      const goodVersion = get(first, 'raw/flights').dataVersion

      p.setMode('bad')
      const failed = await p.ok(['materialize', '--json', '--concurrency', '2'], 1)
      const steps = stepsByKey(failed)
      const raw = get(steps, 'raw/flights')
      assert.equal(raw.status, 'FAILURE')
      assert.equal(raw.errorCode, 'STRATA_CHECK_FAILED')
      assert.equal(raw.attempts, 1)
      assert.match(raw.error ?? '', /check "contract" failed: contract flights v1: 5 violations/)
      assert.equal(get(steps, 'features').skipReason, 'UPSTREAM_FAILED')
      assert.equal(get(steps, 'report').skipReason, 'UPSTREAM_FAILED')

      const status = (await p.ok(['status', 'raw/flights', '--json'])).json
      assert.equal(status.partitions[0].dataVersion, goodVersion, 'the last good materialization is still the latest')
      assert.equal(status.checks.failed, 1)
      assert.equal(status.checks.warned, 1)
      assert.equal(status.checks.passed, 0)
      const contract = status.checks.results.find((c: any) => c.name === 'contract')
      assert.equal(contract.blocking, true)
      assert.equal(contract.passed, false)
      assert.equal(contract.severity, 'error')
      assert.equal(contract.runId, failed.json.runId)
      assert.equal(contract.materializationId, null)
      assert.equal(contract.metadata.violations.length, 5)

      const statusText = (await p.ok(['status', 'raw/flights'])).stdout
      assert.match(statusText, /✗ blocking contract: contract flights v1: 5 violations/)
      assert.match(statusText, /! warn enough_rows: 2 rows/)

      const why = (await p.ok(['why', 'raw/flights', '--json'])).json
      assert.match(why.reasons[0], /^blocking check contract failed in run [0-9a-f]{8}: contract flights v1: 5 violations/)
      assert.match(why.reasons[1], /^warning: check enough_rows failed: 2 rows/)
      assert.equal(why.reasonDetails[0].kind, 'CHECK_FAILED')
      assert.equal(why.checks.length, 2)
      const whyText = (await p.ok(['why', 'raw/flights'])).stdout
      assert.match(whyText, /last attempt failed a blocking check/)
      assert.match(whyText, /blocking check contract failed/)

      const list = assetsByKey(await p.ok(['list', '--json']))
      assert.deepEqual((get(list, 'raw/flights') as any).checks, { passed: 0, failed: 1, warned: 1 })
      assert.deepEqual((get(list, 'report') as any).checks, { passed: 0, failed: 0, warned: 0 })

      p.setMode('good')
      await p.ok(['materialize', '--json', '--concurrency', '2'])
      const fixed = assetsByKey(await p.ok(['list', '--json']))
      assert.deepEqual((get(fixed, 'raw/flights') as any).checks, { passed: 2, failed: 0, warned: 0 })
      const whyFixed = (await p.ok(['why', 'raw/flights', '--json'])).json
      assert.deepEqual(whyFixed.checks, [])
      assert.equal(whyFixed.status, 'FRESH')
    } finally {
      p.cleanup()
    }
  })

  it('an Arrow table checked against an inline contract in a worker: wrong column type is a blocking failure; a warning is not', async () => {
    const p = flightsProject(
      'good',
      `import { readFileSync } from 'node:fs'
import { tableFromArrays } from 'apache-arrow'
import { asset, check, dataContract, defineDefinitions } from 'strata-engine'
const mode = () => readFileSync(new URL('./mode.txt', import.meta.url), 'utf8').trim()
export const table = asset({
  key: 'table',
  compute: () => mode() === 'bad'
    ? tableFromArrays({ origin: ['SFO', 'JFK'], delay: Float64Array.from([1.5, 2]) })
    : tableFromArrays({ origin: ['SFO', 'JFK'], delay: Int32Array.from([1, 2]) }),
  checks: [
    dataContract({ source: 'tbl', fields: [{ name: 'origin', type: 'string', nullable: false }, { name: 'delay', type: 'integer' }] }),
    check({ name: 'big', blocking: false, fn: (_c, t) => t.numRows > 100 }),
  ],
})
export default defineDefinitions({ assets: [table] })
`,
    )
    // The project imports apache-arrow itself, as a user's would.
    symlinkSync(join(REPO_ROOT, 'node_modules', 'apache-arrow'), join(p.dir, 'node_modules', 'apache-arrow'), 'dir')
    try {
      const ok = get(stepsByKey(await p.ok(['materialize', '--json'])), 'table')
      assert.equal(ok.status, 'SUCCESS')
      assert.deepEqual((ok as any).checks.map((c: any) => [c.name, c.passed]), [['contract:tbl', true], ['big', false]])
      p.setMode('bad')
      const bad = get(stepsByKey(await p.ok(['materialize', '--json'], 1)), 'table')
      assert.equal(bad.errorCode, 'STRATA_CHECK_FAILED')
      assert.match(bad.error ?? '', /check "contract:tbl" failed: contract tbl: 1 violation: field "delay": expected integer, got Arrow type Float64/)
      const list = assetsByKey(await p.ok(['list', '--json']))
      assert.deepEqual((get(list, 'table') as any).checks, { passed: 0, failed: 1, warned: 1 })
    } finally {
      p.cleanup()
    }
  })
})
