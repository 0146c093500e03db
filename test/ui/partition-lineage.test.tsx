// Partition lineage in the detail pane over a real workspace: for the
// partition under the cursor, the exact upstream partitions its latest
// materialization consumed (lineage edges), not only the last one.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { cleanup } from 'ink-testing-library'
import { workspaceOpener } from '../../ui-terminal/app/workspace-loader.js'
import { WorkspaceModel } from '../../ui-terminal/app/workspace-model.js'
import { createProject, type Project } from '../integration/helpers.js'
import { KEY, renderApp } from './helpers.js'

const DEFS = `import { asset, dailyPartitions, defineDefinitions, timeWindowMapping } from 'strata-engine'
const days = dailyPartitions({ start: '2024-01-01', end: '2024-01-06' })
export const config = asset({ key: 'config', group: 'a', compute: () => ({ scale: 2 }) })
export const raw = asset({ key: 'raw', group: 'a', partitions: days, compute: (ctx) => ctx.partitionKey })
export const features = asset({
  key: 'features',
  group: 'b',
  partitions: days,
  ins: { today: raw, history: { asset: raw, mapping: timeWindowMapping({ startOffset: -3, endOffset: -1 }) }, config },
  compute: () => 1,
})
export default defineDefinitions({ assets: [config, raw, features] })
`

const open: Array<{ project: Project; model: WorkspaceModel }> = []

afterEach(async () => {
  cleanup()
  for (const h of open.splice(0)) {
    await h.model.close({ cancelRuns: true })
    h.project.cleanup()
  }
})

describe('partition lineage in the detail pane', () => {
  it('lists every upstream partition the selected partition consumed', async () => {
    const project = createProject(DEFS)
    await project.ok(['materialize', '--stale', '--executor', 'in-process'])
    const model = new WorkspaceModel({ open: workspaceOpener({ cwd: project.dir }), title: 'lineage-test', executor: 'in-process', pollMs: 200 })
    open.push({ project, model })
    await model.start()

    const info = model.partition('features', '2024-01-05')!
    const consumed = info.consumed!.map((c) => `${c.key}[${c.partitionKey}]`).sort()
    assert.deepEqual(consumed, ['config[]', 'raw[2024-01-02]', 'raw[2024-01-03]', 'raw[2024-01-04]', 'raw[2024-01-05]'])

    const ui = renderApp(model, { width: 140, height: 50 })
    await ui.waitFor(/● features/, 'the partitioned asset fresh in the list')
    await ui.press('G')
    let f = await ui.waitFor(/Consumed by 2024-01-05: /, 'the summary line for the last partition')
    assert.match(f, /Consumed by 2024-01-05: raw ×4, config \(l to show\)/)
    await ui.press('l')
    f = await ui.waitFor(/Consumed by 2024-01-05\s*$/m, 'the consumed partitions listed')
    assert.match(f, /↑ raw {2}4 partitions/)
    assert.match(f, /2024-01-05, 2024-01-02, 2024-01-03, 2024-01-04|2024-01-02, 2024-01-03, 2024-01-04, 2024-01-05/)
    assert.match(f, /↑ config {2}data [0-9a-f]{12}/)

    // The first partition reads only its own day: the lookback starts before the first partition.
    await ui.press(KEY.left, KEY.left, KEY.left, KEY.left)
    f = await ui.waitFor(/Consumed by 2024-01-01/, 'the lineage of the first partition')
    assert.match(f, /↑ raw \[2024-01-01\] {2}data [0-9a-f]{12}/)
    assert.doesNotMatch(f, /2024-01-02/)
  })
})
