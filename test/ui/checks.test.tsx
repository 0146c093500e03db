// Check results and metadata in the detail pane: the failing results first,
// passes counted per check; `e` expands the pane into every result and every
// metadata entry, whole, and scrolls it. Over a fake model, then over a real
// workspace whose check results change with a new run.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import type { CheckView } from '../../ui-terminal/app/model.js'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { createProject, type Project } from '../integration/helpers.js'
import { FakeModel, type FakeAsset } from './fake-model.js'
import { KEY, renderApp } from './helpers.js'

const NOW = Date.UTC(2024, 5, 1, 12)
const MIN = 60_000

const result = (name: string, status: CheckView['status'], partitionKey: string, agoMin: number, message?: string): CheckView => ({ name, status, partitionKey, at: NOW - agoMin * MIN, runId: 'abcdef0123456789', message })

const METADATA = {
  rows: 1234,
  a: 1,
  b: 2,
  c: 3,
  d: 4,
  e: 5,
  columns: { origin: 'string', dest: 'string', delay: 'float64' },
  note: 'first line\nsecond line',
}

const ASSETS: FakeAsset[] = [
  {
    key: 'raw/flights',
    group: 'ingestion',
    status: 'FRESH',
    materializedAt: NOW - 5 * MIN,
    metadata: METADATA,
    checks: {
      declared: ['schema', 'row_count', 'null_rate', 'never_ran'],
      results: [
        result('schema', 'passed', '2001-01-01', 30),
        result('schema', 'passed', '2001-01-02', 20),
        result('row_count', 'warned', '2001-01-01', 30, 'only 3 rows (expected ≥ 1000)'),
        result('null_rate', 'failed', '2001-01-02', 20, '12% nulls in dep_delay\nlimit: 5%'),
        result('row_count', 'passed', '2001-01-02', 20),
      ],
    },
  },
  { key: 'features/flights', group: 'features', status: 'FRESH', materializedAt: NOW - 5 * MIN, upstream: ['raw/flights'] },
]

const open: Array<{ project: Project; model: WorkspaceModel }> = []

afterEach(async () => {
  cleanup()
  for (const h of open.splice(0)) {
    await h.model.close({ cancelRuns: true })
    h.project.cleanup()
  }
})

describe('check results in the detail pane', () => {
  it('counts them and lists failures, then warnings, then passes per check', () => {
    const ui = renderApp(new FakeModel(ASSETS), { width: 140, now: NOW })
    const f = ui.frame()
    assert.match(f, /Checks\s+✗ 1 failed\s+! 1 warned\s+✓ 3 passed/)
    const at = (re: RegExp) => ui.lines().findIndex((l) => re.test(l))
    const failed = at(/✗ null_rate \[2001-01-02\]\s+12% nulls in dep_delay · 20m ago/)
    const warned = at(/! row_count \[2001-01-01\]\s+only 3 rows \(expected ≥ 1000\) · 30m ago/)
    const schema = at(/✓ schema\s+passed on 2 partitions · 20m ago/)
    const rowCount = at(/✓ row_count\s+passed · 20m ago/)
    assert.ok(failed > 0 && warned > failed && schema > warned && rowCount > warned, `failing first:\n${f}`)
    assert.match(f, /no result yet: never_ran/)
    assert.match(f, /… 2 more: e shows all/, 'metadata past six entries')
  })

  it('e expands every metadata entry and check result, scrolls with the keys, and closes with Esc', async () => {
    const ui = renderApp(new FakeModel(ASSETS), { width: 140, height: 22, now: NOW })
    await ui.press('e')
    let f = ui.frame()
    assert.match(f, /lines 1–\d+ of 3\d · ↑\/↓ PgUp\/PgDn scroll · e\/Esc close/)
    assert.match(f, /Metadata \(8\)/)
    assert.match(f, /^\s+columns$/m)
    assert.match(f, /"origin": "string",/, 'an object value is shown as indented JSON')
    assert.match(ui.lines().at(-1)!, /j\/k scroll .*e\/Esc close/)
    // The list keeps its place: j scrolls the pane instead.
    await ui.press(KEY.pageDown, KEY.pageDown, KEY.pageDown)
    f = ui.frame()
    assert.match(f, /of 3\d · ↑/)
    assert.match(f, /second line/, 'a multi-line value is whole')
    assert.match(f, /Checks \(4 declared, 5 result\(s\)\)/)
    assert.match(f, /✗ null_rate \[2001-01-02\]  failed · 20m ago · run abcdef01/)
    assert.match(f, /^\s+limit: 5%$/m, 'the whole message of a result')
    assert.match(f, /· never_ran  no result yet/)
    assert.match(f, /^› ● raw\/flights/m, 'the selection did not move')
    await ui.press('k')
    assert.notEqual(ui.frame(), f, 'k scrolls back up')
    await ui.press(KEY.escape)
    assert.doesNotMatch(ui.frame(), /PgUp\/PgDn scroll/)
    assert.match(ui.frame(), /Checks\s+✗ 1 failed/)
    await ui.press('j', 'j')
    assert.match(ui.frame(), /^› ● features\/flights/m, 'keys move the list again')
  })
})

const DEFS = `import { existsSync } from 'node:fs'
import { asset, check, defineDefinitions, output } from 'strata-engine'
const STRICT = new URL('./strict.flag', import.meta.url)
export const readings = asset({
  key: 'readings',
  group: 'raw',
  compute: () => output([1, 2, 3], { metadata: { rows: 3, source: 'sensor' } }),
  checks: [
    check({ name: 'nonempty', fn: (_ctx, v: number[]) => v.length > 0 }),
    check({ name: 'enough_rows', blocking: false, fn: (_ctx, v: number[]) => ({ passed: v.length >= 10, message: \`\${v.length} rows, expected at least 10\` }) }),
    check({ name: 'strict_mode', fn: () => ({ passed: !existsSync(STRICT), message: 'strict mode rejects every value' }) }),
  ],
})
export default defineDefinitions({ assets: [readings] })
`

describe('check results over a real workspace', () => {
  it('reads the latest results of the asset shown, and again after a run changes them', async () => {
    const project = createProject(DEFS)
    await project.ok(['materialize', '--executor', 'in-process'])
    const model = new WorkspaceModel({ open: workspaceOpener({ cwd: project.dir }), title: 'checks-test', executor: 'in-process', pollMs: 200 })
    open.push({ project, model })
    await model.start()
    const ui = renderApp(model, { width: 140, height: 40 })
    let f = await ui.waitFor(/Checks\s+! 1 warned\s+✓ 2 passed/, 'the check summary')
    assert.match(f, /! enough_rows\s+3 rows, expected at least 10 · \d+s ago/)
    assert.match(f, /✓ nonempty\s+passed/)
    assert.match(f, /rows 3/)

    project.write('strict.flag', '')
    await project.ok(['materialize', '--executor', 'in-process'], 1)
    f = await ui.waitFor(/Checks\s+✗ 1 failed\s+! 1 warned\s+✓ 1 passed/, 'the blocking failure after the next run')
    assert.match(f, /✗ strict_mode\s+strict mode rejects every value/)
    rmSync(join(project.dir, 'strict.flag'))
  })
})
