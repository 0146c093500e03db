// The flights example without hand-folded code versions: on a copy of its
// code (no data is read or built), editing features.ts changes the versions
// of exactly the assets that use what changed, a comment changes none, and
// the config sections declared as versionInputs version what reads them.
import assert from 'node:assert/strict'
import { copyFileSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadDefinitions } from '../../engine/index.js'
import { assetsByKey, createProject, REPO_ROOT, type Project } from './helpers.js'

const FLIGHTS = join(REPO_ROOT, 'examples', 'flights')

/** Asset key → version, as `strata list --json` reports them. */
async function versions(p: Project): Promise<Map<string, string>> {
  const listed = assetsByKey(await p.ok(['list', '--json'], 0, { timeoutMs: 120_000 }))
  return new Map([...listed.values()].map((a) => [a.key, a.codeVersion]))
}

function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...a.keys()].filter((k) => a.get(k) !== b.get(k)).sort()
}

describe('flights versions on a copy of the example', () => {
  let p: Project
  let base: Map<string, string>
  const features = () => p.read('features.ts')

  before(async () => {
    p = createProject()
    for (const f of readdirSync(FLIGHTS)) if (/\.(ts|json|yaml)$/.test(f)) copyFileSync(join(FLIGHTS, f), join(p.dir, f))
    // Its packages, as an installed project would have them.
    for (const pkg of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (!pkg.startsWith('.') && pkg !== 'strata-engine') symlinkSync(join(REPO_ROOT, 'node_modules', pkg), join(p.dir, 'node_modules', pkg), 'dir')
    }
    base = await versions(p)
  })
  after(() => p?.cleanup())

  it('pins no version and hashes no code by hand', async () => {
    for (const f of readdirSync(FLIGHTS).filter((f) => f.endsWith('.ts'))) assert.doesNotMatch(readFileSync(join(FLIGHTS, f), 'utf8'), /codeVersionOf|versionOf\(/, f)
    const defs = await loadDefinitions(join(p.dir, 'definitions.ts'))
    assert.deepEqual(defs.assets.filter((a) => a.codeVersionSource !== 'auto').map((a) => a.key), [])
    assert.ok(base.size >= 14, `${base.size} assets`)
    for (const [key, v] of base) assert.match(v, /^[0-9a-f]{16}$/, key)
  })

  it('a comment and reformatting in features.ts change no version', async () => {
    const original = features()
    p.write('features.ts', `// Feature engineering for the flights example.\n${original.replace('export const PRIOR_FLIGHTS = 20', 'export const PRIOR_FLIGHTS = 20 // prior weight')}\n/* end */\n`)
    try {
      assert.deepEqual(changed(base, await versions(p)), [])
    } finally {
      p.write('features.ts', original)
    }
  })

  it('editing one function of features.ts changes exactly the assets that call it', async () => {
    const original = features()
    const edited = original.replace(/export function aggregateDay\(rows: FlightColumns, dayStartMs: number\): DayAggregate \{/, (m) => `${m}\n  void 0`)
    assert.notEqual(edited, original)
    p.write('features.ts', edited)
    try {
      // features/flights (through definitions.ts's dayAggregate) and the online feature store (serving.ts), nothing else.
      assert.deepEqual(changed(base, await versions(p)), ['features/flights', 'serving/online_features'])
      const why = await p.ok(['why', 'features/flights', '--json'], 0, { timeoutMs: 120_000 })
      assert.equal(why.json.status, 'MISSING', 'nothing was built in this copy')
    } finally {
      p.write('features.ts', original)
    }
  })

  it('the hyperparameters version training and registration only; the gate, evaluation and registration', async () => {
    const original = p.read('training.config.json')
    const config = JSON.parse(original)
    try {
      p.write('training.config.json', JSON.stringify({ ...config, hyperparameters: { ...config.hyperparameters, max_depth: config.hyperparameters.max_depth + 1 } }, null, 2))
      assert.deepEqual(changed(base, await versions(p)), ['models/flight_delay', 'training/model'])
      p.write('training.config.json', JSON.stringify({ ...config, evaluation: { ...config.evaluation, gate: { ...config.evaluation.gate, min_auc: 0.5 } } }, null, 2))
      assert.deepEqual(changed(base, await versions(p)), ['evaluation/report', 'models/flight_delay'])
    } finally {
      p.write('training.config.json', original)
    }
  })
})
